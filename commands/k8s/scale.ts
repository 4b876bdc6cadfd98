import { BadArgsError, MAX_REPLICAS, scaleVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { ResourceKind, takeOnlyTarget } from '../resource.js';
import { intValue } from '../values.js';

/** `/k8s scale deployment/NAME --replicas N`: set the replica count. */
export const scale = defineCommand(scaleVerb, {
  aliases: [],
  summary: 'Set the replica count of a deployment or statefulset (needs approval).',
  usage: '/k8s scale deployment|statefulset/NAME --replicas N [-n NS]',
  details: `\`--replicas N\` is required: a whole number from 0 to ${MAX_REPLICAS}. 0 stops every pod; the plan warns.`,
  examples: ['/k8s scale deployment/web --replicas 5 -n shop', '/k8s scale sts/db --replicas=3 -n data'],
  flags: [{ name: 'replicas', type: FlagType.Value, valueName: 'N', description: 'the replica count to set (required)' }],
  build({ positionals, flags }) {
    const { kind, name } = takeOnlyTarget(positionals, { verb: 'scale', kinds: [ResourceKind.Deployment, ResourceKind.StatefulSet], missing: 'scale needs a deployment or statefulset, e.g. deployment/web --replicas 3.', only: 'one deployment or statefulset and --replicas N' });
    const raw = flags.text('replicas');
    if (raw === undefined) throw new BadArgsError(`--replicas is required: how many pods should ${kind}/${name} run?`);
    return { kind, name, replicas: intValue('--replicas', raw, { min: 0, max: MAX_REPLICAS }) };
  },
});
