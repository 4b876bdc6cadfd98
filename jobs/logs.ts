import { z } from 'zod';
import { codeBlock } from '../src/core/mrkdwn.js';
import type { JobResult } from '../src/core/job.js';
import { toSitrepError } from '../src/k8s/api-errors.js';
import type { ReadJob } from './job-context.js';
import { NameArg, NamespaceArg } from './support/read-args.js';

const LogsArgs = z.object({
  pod: NameArg,
  namespace: NamespaceArg,
  container: z.string().max(63).optional(),
  tail: z.number().int().positive().max(100_000).optional(),
  previous: z.boolean().default(false),
});

/** Lines shown inline; the whole log always goes up as a file in the thread. */
const INLINE_LINES = 20;

/** `/k8s logs POD [-c C] [--tail N] [--previous]`. */
export const logsJob: ReadJob = {
  verb: 'logs',
  async run(rawArgs, ctx) {
    const args = LogsArgs.parse(rawArgs);
    const namespace = args.namespace ?? 'default';
    let text: string;
    try {
      text = await ctx.kube.core.readNamespacedPodLog({
        name: args.pod,
        namespace,
        container: args.container,
        tailLines: args.tail ?? 500,
        previous: args.previous,
      });
    } catch (err) {
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
