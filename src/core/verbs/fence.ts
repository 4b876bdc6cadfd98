import { z } from 'zod';
import { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';
import { clusterScoped, defineVerb, VerbRunner } from './contract.js';
import { DRAIN_DEFAULT_TIMEOUT_MS, DRAIN_MAX_TIMEOUT_MS } from './drain.js';
import { objectName } from './names.js';
import { NodeTargetArgsSchema } from './node-target.js';

/** A node that heartbeated more recently than this may still run: fence refuses it by default. */
export const FENCE_DEFAULT_HEARTBEAT_GRACE_MS = 5 * 60_000;
/**
 * The shortest `--heartbeat-grace`: a running kubelet renews its Lease every 10 s and the node
 * lifecycle controller waits 50 s (--node-monitor-grace-period) before calling it Unknown, so
 * anything under a minute cannot tell a dead node from a slow one.
 */
export const FENCE_MIN_HEARTBEAT_GRACE_MS = 60_000;
/** The longest `--heartbeat-grace`. */
export const FENCE_MAX_HEARTBEAT_GRACE_MS = 24 * 3_600_000;

/**
 * `/k8s fence NODE`: non-graceful node shutdown (Kubernetes 1.28+). Taints a dead node
 * `node.kubernetes.io/out-of-service=nodeshutdown:NoExecute`, upon which the pod GC force-deletes
 * its pods and their volumes detach, so replacements can start elsewhere.
 * - `heartbeatGraceMs`: refuse when the node heartbeated (Lease renewal or status) more recently
 *   than this, in ms. Default FENCE_DEFAULT_HEARTBEAT_GRACE_MS (5 minutes).
 * - `ignoreHeartbeat`: fence anyway, though it heartbeated within the grace. Default false.
 * - `timeoutMs`: how long to follow pods going, volumes detaching and replacements becoming
 *   Ready, in ms. Default DRAIN_DEFAULT_TIMEOUT_MS (10 minutes). The taint stays either way.
 */
export const FenceArgsSchema = z.object({
  node: objectName,
  heartbeatGraceMs: z.number().int().min(FENCE_MIN_HEARTBEAT_GRACE_MS).max(FENCE_MAX_HEARTBEAT_GRACE_MS).default(FENCE_DEFAULT_HEARTBEAT_GRACE_MS),
  ignoreHeartbeat: z.boolean().default(false),
  timeoutMs: z.number().int().min(1000).max(DRAIN_MAX_TIMEOUT_MS).default(DRAIN_DEFAULT_TIMEOUT_MS),
});
export type FenceArgs = z.output<typeof FenceArgsSchema>;

/** The most dangerous verb: fencing a node that still runs corrupts data. */
export const fenceVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'fence',
  risk: Risk.Destructive,
  runner: VerbRunner.Operation,
  args: FenceArgsSchema,
  namespaceOf: clusterScoped,
  targetOf: (a) => `node/${a.node}`,
});

/**
 * `/k8s unfence NODE`: removes the out-of-service taint once the node is back (Ready, in a new
 * boot). Destructive like fence: pods may be scheduled there again.
 */
export const unfenceVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'unfence',
  risk: Risk.Destructive,
  runner: VerbRunner.Operation,
  args: NodeTargetArgsSchema,
  namespaceOf: clusterScoped,
  targetOf: (a) => `node/${a.node}`,
});
