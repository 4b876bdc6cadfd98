import { codeBlock } from '../src/core/text/mrkdwn.js';
import type { JobResult } from '../src/core/job.js';
import { statusCodeOf, toSitrepError } from '../src/k8s/api-errors.js';
import { podNotFound } from '../src/k8s/not-found.js';
import type { ReadJob } from './job-context.js';
import { DEFAULT_NAMESPACE, logsVerb } from '../src/core/verbs/index.js';

/** Lines shown inline; the whole log always goes up as a file in the thread. */
const INLINE_LINES = 20;

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
    const shown = lines.slice(-INLINE_LINES).join('\n');
    const label = `${namespace}/${args.pod}${args.container ? ` (${args.container})` : ''}${args.previous ? ' previous' : ''}`;
    return {
      ok: true,
      title: `logs ${label}: ${lines.length} lines`,
      text: lines.length ? codeBlock(shown) + (lines.length > INLINE_LINES ? `\n_last ${INLINE_LINES} of ${lines.length} lines; the full log is in the thread._` : '') : '_The log is empty._',
      ...(lines.length > INLINE_LINES ? { file: { filename: `${args.pod}.log`, content: text } } : {}),
      changed: [],
      unchanged: [],
    } satisfies JobResult;
  },
};
