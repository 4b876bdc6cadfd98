import { Observable, PatchStrategy, setHeaderOptions, type ConfigurationOptions, type ObservableMiddleware, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

/**
 * Per-call options for client-node: the patch content type and an AbortSignal. client-node has
 * no signal parameter on its generated calls; a middleware that sets it on the request does the job,
 * so a cancelled job stops waiting on the API server at once.
 */
export function callOptions(options: { signal?: AbortSignal; patch?: PatchStrategy } = {}): ConfigurationOptions<ObservableMiddleware> | undefined {
  let opt: ConfigurationOptions<ObservableMiddleware> | undefined;
  if (options.patch) opt = setHeaderOptions('Content-Type', options.patch);
  const signal = options.signal;
  if (signal) {
    const middleware: ObservableMiddleware = {
      pre: (req: RequestContext) => {
        req.setSignal(signal);
        return new Observable(Promise.resolve(req));
      },
      post: (res: ResponseContext) => new Observable(Promise.resolve(res)),
    };
    opt = { ...opt, middleware: [...(opt?.middleware ?? []), middleware], middlewareMergeStrategy: 'append' };
  }
  return opt;
}

/** Strategic merge, as kubectl sends for cordon, rollout restart and scale. */
export const strategicMerge = PatchStrategy.StrategicMergePatch;
export const mergePatch = PatchStrategy.MergePatch;
