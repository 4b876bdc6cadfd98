import { BadArgsError, FENCE_MAX_HEARTBEAT_GRACE_MS, FENCE_MIN_HEARTBEAT_GRACE_MS, fenceVerb, DRAIN_MAX_TIMEOUT_MS } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { takeNode } from '../resource.js';
import { durationValue } from '../values.js';

/** `/k8s fence NODE`: non-graceful node shutdown of a dead node (the out-of-service taint). */
export const fence = defineCommand(fenceVerb, {
  aliases: [],
  summary: 'Declare a dead, powered-off node out of service: its stuck pods go, their volumes detach (needs approval).',
  usage: '/k8s fence NODE [--heartbeat-grace 5m] [--ignore-heartbeat] [--timeout 10m]',
  details: [
    'For a node that is NotReady and powered off, whose pods are stuck Terminating and hold ReadWriteOnce volumes their replacements wait for (Multi-Attach).',
    'Taints it `node.kubernetes.io/out-of-service=nodeshutdown:NoExecute` (non-graceful node shutdown, Kubernetes 1.28+): the pod GC force-deletes its pods and the volumes detach at once.',
    '*Fencing a node that still runs corrupts data*: its containers keep writing while the replacements start elsewhere. Power it off (or cut it from its storage) first.',
    'Refused when the node heartbeated within `--heartbeat-grace` (default 5m) unless `--ignore-heartbeat`. Backs up every pod, PVC and PV first; follows pods going, volumes detaching and replacements becoming Ready for `--timeout` (default 10m).',
    'When the machine is back (Ready, new boot ID): `/k8s unfence NODE`.',
  ].join('\n'),
  examples: ['/k8s fence node03', '/k8s fence node03 --heartbeat-grace 10m --timeout 15m'],
  flags: [
    { name: 'heartbeat-grace', type: FlagType.Value, valueName: 'DURATION', description: 'refuse if the node heartbeated more recently than this', defaultText: '5m' },
    { name: 'ignore-heartbeat', type: FlagType.Boolean, description: 'fence though it heartbeated within the grace: only if you know it is off', defaultText: 'false' },
    { name: 'timeout', type: FlagType.Value, valueName: 'DURATION', description: 'how long to follow pods, volumes and replacements', defaultText: '10m' },
  ],
  build({ positionals, flags }) {
    const name = takeNode(positionals, 'fence');
    if (flags.has('namespace')) throw new BadArgsError('-n does not apply to fence: it acts on a node and every pod on it.');
    const grace = flags.text('heartbeat-grace');
    const timeout = flags.text('timeout');
    return {
      node: name,
      heartbeatGraceMs: grace === undefined ? undefined : durationValue('--heartbeat-grace', grace, { min: FENCE_MIN_HEARTBEAT_GRACE_MS, max: FENCE_MAX_HEARTBEAT_GRACE_MS }),
      ignoreHeartbeat: flags.boolOrUnset('ignore-heartbeat'),
      timeoutMs: timeout === undefined ? undefined : durationValue('--timeout', timeout, { min: 1000, max: DRAIN_MAX_TIMEOUT_MS }),
    };
  },
});
