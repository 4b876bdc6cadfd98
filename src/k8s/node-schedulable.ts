import type { V1Node } from '@kubernetes/client-node';
import type { KubeClients } from './kube-clients.js';
import { callOptions, strategicMerge } from './request-options.js';

/**
 * Cordon (`true`) or uncordon (`false`) a node with the same strategic-merge patch kubectl sends.
 * Setting a value the node already has is harmless, so a retried step can simply run again.
 */
export async function setUnschedulable(kube: KubeClients, node: string, unschedulable: boolean, signal?: AbortSignal): Promise<V1Node> {
  return kube.core.patchNode(
    { name: node, body: { spec: { unschedulable } } },
    callOptions({ patch: strategicMerge, signal }),
  );
}

export function isCordoned(node: V1Node): boolean {
  return node.spec?.unschedulable === true;
}
