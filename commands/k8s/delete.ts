import { z } from 'zod';
import { BadArgsError, Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { noMore, ResourceKind, takeTarget } from '../resource.js';
import { objectName } from '../schemas.js';
import { intValue } from '../values.js';

/**
 * `/k8s delete pod NAME [--force] [--grace-period N]`: delete one pod; its controller, if any,
 * makes a new one.
 *
 * Args: `{ kind: 'pod', name, force, gracePeriod }`.
 * - `gracePeriod`: seconds; -1 means the pod's own terminationGracePeriodSeconds.
 * - `force`: delete at once (grace 0) without waiting for the kubelet to confirm. `--force` sets
 *   gracePeriod to 0; `--force` with a grace period above 0 is refused.
 * - As in kubectl, `--grace-period=0` without `--force` becomes 1 (still graceful), so a typed 0
 *   never skips the kubelet's confirmation by accident.
 */
export const DeleteArgsSchema = z.object({
  kind: z.literal(ResourceKind.Pod),
  name: objectName,
  force: z.boolean(),
  gracePeriod: z.number().int().min(-1),
});
export type DeleteArgs = z.infer<typeof DeleteArgsSchema>;

export const deletePod = defineCommand({
  command: SlashCommand.K8s,
  verb: 'delete',
  aliases: [],
  risk: Risk.Destructive,
  mode: JobMode.Plan,
  summary: 'Delete one pod; its controller replaces it (needs approval).',
  usage: '/k8s delete pod NAME [--force] [--grace-period N] [-n NS]',
  details: [
    '`--grace-period N`: seconds the pod gets to stop (default: the pod\'s own). `--grace-period=0` alone becomes 1, as in kubectl.',
    '`--force`: remove at once without waiting for the node (grace 0). Only for pods stuck terminating on a dead node.',
  ].join('\n'),
  examples: ['/k8s delete pod web-7d9f-abcde -n shop', '/k8s delete pod/db-0 -n data --force'],
  flags: [
    { name: 'force', type: FlagType.Boolean, description: 'remove at once, without the node confirming (grace 0)', defaultText: 'false' },
    { name: 'grace-period', type: FlagType.Value, valueName: 'N', description: 'seconds the pod gets to stop; -1 uses the pod\'s own', defaultText: '-1' },
  ],
  schema: DeleteArgsSchema,
  build({ positionals, flags }) {
    const { name, rest } = takeTarget(positionals, {
      verb: 'delete',
      kinds: [ResourceKind.Pod],
      missing: 'delete needs a pod, e.g. delete pod web-1.',
    });
    noMore('delete', rest, 'one pod');
    const force = flags.bool('force', false);
    const raw = flags.text('grace-period');
    const given = raw === undefined ? undefined : intValue('--grace-period', raw, { min: -1, max: 86_400 });
    if (force && given !== undefined && given > 0) {
      throw new BadArgsError(`--force deletes at once (grace 0); drop --force to wait ${given}s, or drop --grace-period.`);
    }
    let gracePeriod = given ?? -1;
    if (force) gracePeriod = 0;
    else if (gracePeriod === 0) gracePeriod = 1;
    return { kind: ResourceKind.Pod, name, force, gracePeriod };
  },
  isNamespaced: () => true,
});
