import type { V1DaemonSet, V1Deployment, V1Scale, V1StatefulSet } from '@kubernetes/client-node';
import type { KubeClients } from './kube-clients.js';
import { callOptions, mergePatch, strategicMerge } from './request-options.js';

/** Workload kinds the operation verbs act on, as commands name them. */
export const WorkloadKind = { Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset' } as const;
export type WorkloadKind = (typeof WorkloadKind)[keyof typeof WorkloadKind];

export type WorkloadObject = V1Deployment | V1StatefulSet | V1DaemonSet;

/** API kind (`Deployment`) and group/version for manifests and messages. */
export const WORKLOAD_API: Record<WorkloadKind, { kind: string; apiVersion: string; resource: string }> = {
  deployment: { kind: 'Deployment', apiVersion: 'apps/v1', resource: 'deployments.apps' },
  statefulset: { kind: 'StatefulSet', apiVersion: 'apps/v1', resource: 'statefulsets.apps' },
  daemonset: { kind: 'DaemonSet', apiVersion: 'apps/v1', resource: 'daemonsets.apps' },
};

export async function readWorkload(kube: KubeClients, kind: WorkloadKind, namespace: string, name: string, signal?: AbortSignal): Promise<WorkloadObject> {
  const opts = callOptions({ signal });
  switch (kind) {
    case 'deployment':
      return kube.apps.readNamespacedDeployment({ name, namespace }, opts);
    case 'statefulset':
      return kube.apps.readNamespacedStatefulSet({ name, namespace }, opts);
    case 'daemonset':
      return kube.apps.readNamespacedDaemonSet({ name, namespace }, opts);
  }
}

/** A strategic-merge patch of the workload itself (e.g. its pod template's annotations). */
export async function patchWorkload(kube: KubeClients, kind: WorkloadKind, namespace: string, name: string, body: object, signal?: AbortSignal): Promise<WorkloadObject> {
  const opts = callOptions({ signal, patch: strategicMerge });
  switch (kind) {
    case 'deployment':
      return kube.apps.patchNamespacedDeployment({ name, namespace, body }, opts);
    case 'statefulset':
      return kube.apps.patchNamespacedStatefulSet({ name, namespace, body }, opts);
    case 'daemonset':
      return kube.apps.patchNamespacedDaemonSet({ name, namespace, body }, opts);
  }
}

/** Sets an absolute replica count through the /scale subresource (a retry sets the same number). */
export async function setReplicas(kube: KubeClients, kind: 'deployment' | 'statefulset', namespace: string, name: string, replicas: number, signal?: AbortSignal): Promise<V1Scale> {
  const opts = callOptions({ signal, patch: mergePatch });
  const body = { spec: { replicas } };
  return kind === 'deployment'
    ? kube.apps.patchNamespacedDeploymentScale({ name, namespace, body }, opts)
    : kube.apps.patchNamespacedStatefulSetScale({ name, namespace, body }, opts);
}
