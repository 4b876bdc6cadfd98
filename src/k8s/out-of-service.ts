import type { V1Node, V1Taint } from '@kubernetes/client-node';
import { statusCodeOf } from './api-errors.js';
import type { KubeClients } from './kube-clients.js';
import { callOptions, strategicMerge } from './request-options.js';

/**
 * Non-graceful node shutdown (Kubernetes 1.28+, KEP-2268): the taint an operator puts on a node
 * that is surely off, upon which the pod GC force-deletes its terminating pods
 * (pkg/controller/podgc/gc_controller.go, gcTerminating) and the attach/detach controller detaches
 * its volumes at once (pkg/controller/volume/attachdetach/reconciler/reconciler.go).
 */
export const OUT_OF_SERVICE_TAINT = { key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' } as const;

/** `node.kubernetes.io/out-of-service=nodeshutdown:NoExecute`, as kubectl writes a taint. */
export const OUT_OF_SERVICE_TEXT = `${OUT_OF_SERVICE_TAINT.key}=${OUT_OF_SERVICE_TAINT.value}:${OUT_OF_SERVICE_TAINT.effect}`;

/**
 * The boot ID the node was in when sitrep fenced it: unfence lifts the taint only once the node
 * runs in another boot (it really went down and came back).
 */
export const FENCED_BOOT_ANNOTATION = 'sitrep.dev/fenced-boot-id';

/** The node's out-of-service taint (any value or effect, as taints.TaintKeyExists checks), if it has one. */
export function outOfServiceTaint(node: V1Node): V1Taint | undefined {
  return node.spec?.taints?.find((t) => t.key === OUT_OF_SERVICE_TAINT.key);
}

export function bootIdOf(node: V1Node): string | undefined {
  return node.status?.nodeInfo?.bootID || undefined;
}

/** Attempts at a taint patch that conflicts with another writer (the node lifecycle controller). */
const CONFLICT_RETRIES = 5;

/**
 * Puts the out-of-service taint on the node (`fence`, recording the boot ID it fences in `bootId`)
 * or takes it off (`unfence`, dropping the record). Taints are an atomic list (no merge key), so
 * the patch carries the whole list with the resourceVersion it was read at: a concurrent change
 * (the node lifecycle controller adds and removes its own taints) is a 409, read again and
 * retried. Setting what is already set changes nothing, so a retried step is harmless.
 */
export async function setOutOfService(kube: KubeClients, name: string, change: { fence: true; bootId?: string } | { fence: false }, signal?: AbortSignal): Promise<V1Node> {
  for (let attempt = 1; ; attempt++) {
    const node = await kube.core.readNode({ name }, callOptions({ signal }));
    const others = (node.spec?.taints ?? []).filter((t) => t.key !== OUT_OF_SERVICE_TAINT.key);
    const present = outOfServiceTaint(node) !== undefined;
    if (present === change.fence && (!change.fence || !change.bootId || node.metadata?.annotations?.[FENCED_BOOT_ANNOTATION] === change.bootId)) return node;
    const taints = change.fence ? [...others, { ...OUT_OF_SERVICE_TAINT, timeAdded: new Date() }] : others;
    const annotation = change.fence ? (change.bootId ?? null) : null;
    const body = { metadata: { resourceVersion: node.metadata?.resourceVersion, annotations: { [FENCED_BOOT_ANNOTATION]: annotation } }, spec: { taints } };
    try {
      return await kube.core.patchNode({ name, body }, callOptions({ patch: strategicMerge, signal }));
    } catch (err) {
      if (statusCodeOf(err) !== 409 || attempt >= CONFLICT_RETRIES) throw err;
    }
  }
}
