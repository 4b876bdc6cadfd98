import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { controllerOf } from './pod-facts.js';

/** The workload a person thinks of for a pod: its Deployment rather than the ReplicaSet between. */
export interface Workload {
  kind: string;
  namespace: string;
  name: string;
}

/**
 * The pod's top-level controller: ReplicaSet -> Deployment when the ReplicaSet (from `replicaSets`)
 * is owned by one; the direct controller otherwise; undefined for a bare pod.
 */
export function workloadOf(pod: V1Pod, replicaSets: readonly V1ReplicaSet[]): Workload | undefined {
  const ref = controllerOf(pod);
  if (!ref) return undefined;
  const namespace = pod.metadata?.namespace ?? '';
  if (ref.kind === 'ReplicaSet') {
    const rs = replicaSets.find((r) => r.metadata?.uid === ref.uid) ?? replicaSets.find((r) => r.metadata?.namespace === namespace && r.metadata?.name === ref.name);
    const up = rs?.metadata?.ownerReferences?.find((o) => o.controller);
    if (up) return { kind: up.kind, namespace, name: up.name };
  }
  return { kind: ref.kind, namespace, name: ref.name };
}

/** `Deployment/web`, as the plan's `owner` field shows it. */
export function workloadLabel(w: Workload): string {
  return `${w.kind}/${w.name}`;
}

export function workloadKey(w: Workload): string {
  return `${w.kind}/${w.namespace}/${w.name}`;
}
