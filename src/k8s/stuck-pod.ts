import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { formatDuration } from '../core/duration.js';
import type { ClusterView } from './cluster-view.js';
import { isNodeReady, nodeCondition } from './pod-facts.js';
import { rwoAttachmentsOf } from './storage-facts.js';

/**
 * Why a pod is still on its node, in words, most telling first: how long it has been
 * Terminating, that no kubelet confirms it stopped (the node is NotReady), the ReadWriteOnce
 * volumes still attached there (the replacement's Multi-Attach, incident 003), the finalizers
 * that hold it. `now` is ms since the epoch. Empty when nothing explains it (it is running).
 */
export function whyStillOnNode(pod: V1Pod, node: V1Node | undefined, view: Pick<ClusterView, 'pvcs' | 'pvs' | 'attachments'>, now: number): string[] {
  const why: string[] = [];
  const deleted = pod.metadata?.deletionTimestamp;
  const name = node?.metadata?.name ?? pod.spec?.nodeName ?? '';
  if (deleted) why.push(`Terminating for ${formatDuration(Math.max(0, now - new Date(deleted).getTime()))}`);
  if (node && !isNodeReady(node)) why.push(`${name} is NotReady (Ready=${nodeCondition(node, 'Ready') ?? 'Unknown'}): no kubelet confirms it stopped`);
  const rwo = rwoAttachmentsOf(pod, view, name);
  if (rwo.length) why.push(`ReadWriteOnce ${rwo.map((r) => `PVC ${r.pvc} (PV ${r.pv})`).join(', ')} still attached to ${name}`);
  const finalizers = pod.metadata?.finalizers ?? [];
  if (deleted && finalizers.length) why.push(`held by finalizers ${finalizers.join(', ')}`);
  return why;
}
