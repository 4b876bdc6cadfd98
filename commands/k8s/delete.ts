import { BadArgsError, deletePodVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { ResourceKind, takeOnlyTarget } from '../resource.js';
import { intValue } from '../values.js';

export const deletePod = defineCommand(deletePodVerb, {
  aliases: [],
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
  build({ positionals, flags }) {
    const { name } = takeOnlyTarget(positionals, { verb: 'delete', kinds: [ResourceKind.Pod], missing: 'delete needs a pod, e.g. delete pod web-1.', only: 'one pod' });
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
});
