import type { V1DeleteOptions } from '@kubernetes/client-node';
import { kubeStatusOf } from './api-errors.js';
import type { KubeClients } from './kube-clients.js';
import { callOptions } from './request-options.js';

/** What one eviction (or delete) request achieved. */
export type RemovalOutcome =
  /**
   * Accepted: the pod is now terminating (or gone). `heldBy`: the finalizers that keep the pod
   * in the API after it stops, even when forced (a DELETE only marks such a pod).
   */
  | { kind: 'accepted'; heldBy?: string[] }
  /** The pod is already gone (404), or the name now belongs to a new pod (409 on the UID precondition). */
  | { kind: 'gone'; replaced: boolean }
  /** 429: a PodDisruptionBudget refuses for now; `reason` is the API server's cause (it names the budget and its numbers). */
  | { kind: 'blocked'; reason: string };

export interface RemovalTarget {
  namespace: string;
  name: string;
  /** The pod's UID when it was chosen: a same-name replacement is never touched. */
  uid: string;
}

export interface RemovalOptions {
  /** Seconds the pod gets to stop; negative uses the pod's own terminationGracePeriodSeconds.
   * @defaultValue -1 */
  gracePeriodSeconds?: number;
  signal?: AbortSignal;
}

function deleteOptions(target: RemovalTarget, options: RemovalOptions): V1DeleteOptions {
  const grace = options.gracePeriodSeconds ?? -1;
  return { preconditions: { uid: target.uid }, ...(grace >= 0 ? { gracePeriodSeconds: grace } : {}) };
}

/** The 429's cause ("The disruption budget web needs 2 healthy pods and has 2 currently"), or its message. */
function blockReason(err: unknown): string {
  const status = kubeStatusOf(err);
  const cause = status?.details?.causes?.find((c) => c.message)?.message;
  return cause ?? status?.message ?? 'the eviction was refused (429)';
}

function outcomeOf(err: unknown): RemovalOutcome | undefined {
  const status = kubeStatusOf(err);
  if (status?.code === 404) return { kind: 'gone', replaced: false };
  // Only the UID precondition's 409 means "another pod"; other conflicts are transient, retry them.
  if (status?.code === 409 && /precondition/i.test(status.message ?? '')) return { kind: 'gone', replaced: true };
  if (status?.code === 409) return { kind: 'blocked', reason: status.message ?? 'conflict (409), retrying' };
  if (status?.code === 429) return { kind: 'blocked', reason: blockReason(err) };
  return undefined;
}

/**
 * POSTs a policy/v1 Eviction for one pod, pinned to its UID. The API server checks the pod's
 * PodDisruptionBudget; a 429 is returned as `blocked`, never thrown, so callers can retry.
 */
export async function evictPod(kube: KubeClients, target: RemovalTarget, options: RemovalOptions = {}): Promise<RemovalOutcome> {
  try {
    await kube.core.createNamespacedPodEviction(
      {
        name: target.name,
        namespace: target.namespace,
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name: target.name, namespace: target.namespace },
          deleteOptions: deleteOptions(target, options),
        },
      },
      callOptions({ signal: options.signal }),
    );
    return { kind: 'accepted' };
  } catch (err) {
    const outcome = outcomeOf(err);
    if (outcome) return outcome;
    throw err;
  }
}

/**
 * DELETEs one pod with a UID precondition (`--disable-eviction`, `delete pod`): bypasses
 * PodDisruptionBudgets, but never deletes a same-name pod created since the plan.
 */
export async function deletePodOnce(kube: KubeClients, target: RemovalTarget, options: RemovalOptions = {}): Promise<RemovalOutcome> {
  try {
    const after = await kube.core.deleteNamespacedPod(
      { name: target.name, namespace: target.namespace, body: deleteOptions(target, options) },
      callOptions({ signal: options.signal }),
    );
    // The answer is the pod as the DELETE left it: finalizers on it mean it stays until they go.
    const heldBy = after?.metadata?.finalizers ?? [];
    return heldBy.length ? { kind: 'accepted', heldBy } : { kind: 'accepted' };
  } catch (err) {
    const outcome = outcomeOf(err);
    if (outcome && outcome.kind !== 'blocked') return outcome;
    throw err;
  }
}
