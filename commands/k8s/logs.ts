import { z } from 'zod';
import { Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { noMore, ResourceKind, takeTarget } from '../resource.js';
import { labelName, objectName } from '../schemas.js';
import { checkName, intValue } from '../values.js';

export const MAX_TAIL = 10_000;

/**
 * `/k8s logs POD [-c C] [--tail N] [--previous]`: a pod's log.
 *
 * Args: `{ pod, container?, tail?, previous }`.
 * - `container`: from `-c`; unset means the pod's only (or default) container.
 * - `tail`: last N lines (1..10000); unset lets the job pick its limit.
 * - `previous`: the log of the previous, crashed instance (`-p`).
 */
export const LogsArgsSchema = z.object({
  pod: objectName,
  container: labelName.optional(),
  tail: z.number().int().min(1).max(MAX_TAIL).optional(),
  previous: z.boolean(),
});
export type LogsArgs = z.infer<typeof LogsArgsSchema>;

export const logs = defineCommand({
  command: SlashCommand.K8s,
  verb: 'logs',
  aliases: ['log'],
  risk: Risk.Read,
  mode: JobMode.Read,
  summary: 'Show the log of a pod.',
  usage: '/k8s logs POD [-c CONTAINER] [--tail N] [--previous] [-n NS]',
  details: [
    '`-c CONTAINER` for pods with several containers. `--tail N` last N lines (up to 10000).',
    '`--previous` (`-p`) the log of the instance before the last restart: what a crash loop said.',
  ].join('\n'),
  examples: ['/k8s logs web-7d9f-abcde -n shop --tail 100', '/k8s logs db-0 -c postgres -n data --previous'],
  flags: [
    { name: 'container', short: 'c', type: FlagType.Value, valueName: 'CONTAINER', description: 'which container' },
    { name: 'tail', type: FlagType.Value, valueName: 'N', description: 'last N lines' },
    { name: 'previous', short: 'p', type: FlagType.Boolean, description: 'the previous (crashed) instance', defaultText: 'false' },
  ],
  schema: LogsArgsSchema,
  build({ positionals, flags }) {
    const { name, rest } = takeTarget(positionals, {
      verb: 'logs',
      kinds: [ResourceKind.Pod],
      bareKind: ResourceKind.Pod,
      missing: 'logs needs a pod name.',
    });
    noMore('logs', rest, 'one pod (use -c for a container)');
    const container = flags.text('container');
    const tail = flags.text('tail');
    return {
      pod: name,
      ...(container === undefined ? {} : { container: checkName('container', container, 'label') }),
      ...(tail === undefined ? {} : { tail: intValue('--tail', tail, { min: 1, max: MAX_TAIL }) }),
      previous: flags.bool('previous', false),
    };
  },
  isNamespaced: () => true,
});
