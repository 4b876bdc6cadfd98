import type { V1Node } from '@kubernetes/client-node';
import { statusCodeOf } from './api-errors.js';
import type { KubeClients } from './kube-clients.js';
import { callOptions } from './request-options.js';

/** The namespace of the kubelets' node Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** When a node's kubelet last showed it was alive, and where that was read. */
export interface NodeHeartbeat {
  /** ms since the epoch; undefined when the node never reported. */
  at?: number;
  /** `lease`: its Lease's renewTime; `status`: its Ready condition's lastHeartbeatTime. */
  from?: 'lease' | 'status';
}

const ms = (t: Date | string | undefined) => (t === undefined ? undefined : new Date(t).getTime());

/**
 * The node's last heartbeat, as the node lifecycle controller judges health
 * (pkg/controller/nodelifecycle/node_lifecycle_controller.go, tryUpdateNodeHealth): the later of
 * its Lease's renewTime in kube-node-lease (renewed every 10 s by a running kubelet) and its Ready
 * condition's lastHeartbeatTime. One GET of the Lease; a missing Lease leaves the status alone.
 */
export async function lastHeartbeat(kube: KubeClients, node: V1Node, signal?: AbortSignal): Promise<NodeHeartbeat> {
  const name = node.metadata?.name ?? '';
  let leaseAt: number | undefined;
  try {
    const lease = await kube.coordination.readNamespacedLease({ name, namespace: NODE_LEASE_NAMESPACE }, callOptions({ signal }));
    leaseAt = ms(lease.spec?.renewTime);
  } catch (err) {
    if (statusCodeOf(err) !== 404) throw err;
  }
  const statusAt = ms(node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime);
  if (leaseAt === undefined && statusAt === undefined) return {};
  if (statusAt === undefined || (leaseAt !== undefined && leaseAt >= statusAt)) return { at: leaseAt!, from: 'lease' };
  return { at: statusAt, from: 'status' };
}
