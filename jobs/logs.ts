import type { JobResult } from '../src/core/job.js';
import { redactText } from '../src/core/text/redact.js';
import { statusCodeOf, toSitrepError } from '../src/k8s/api-errors.js';
import { podNotFound } from '../src/k8s/not-found.js';
import type { ReadJob } from './job-context.js';
import { DEFAULT_NAMESPACE, logsVerb } from '../src/core/verbs/index.js';

/** `/k8s logs POD [-c C] [--tail N] [--previous]`. */
export const logsJob: ReadJob<typeof logsVerb> = {
  verb: logsVerb,
  async run(args, ctx) {
    const namespace = args.namespace ?? DEFAULT_NAMESPACE;
    let text: string;
    try {
      text = await ctx.kube.core.readNamespacedPodLog({
        name: args.pod,
        namespace,
        container: args.container,
        tailLines: args.tail,
        previous: args.previous,
      });
    } catch (err) {
      if (statusCodeOf(err) === 404) throw await podNotFound(ctx.kube, namespace, args.pod, ctx.signal);
      throw toSitrepError(err, ctx.cluster, `reading logs of pod ${namespace}/${args.pod}`);
    }
    const lines = text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
    const label = `${namespace}/${args.pod}${args.container ? ` (${args.container})` : ''}${args.previous ? ' previous' : ''}`;
    // Secrets are hidden before the log reaches Redis; the chat layer shows as much of the end as
    // fits and uploads the whole log whenever it cuts.
    return {
      ok: true,
      title: `logs ${label}: ${lines.length} lines`,
      text: lines.length ? '' : 'The log is empty.',
      ...(lines.length ? { output: { filename: `${args.pod}.log`, content: redactText(text), keep: 'tail' as const } } : {}),
      changed: [],
      unchanged: [],
    } satisfies JobResult;
  },
};
