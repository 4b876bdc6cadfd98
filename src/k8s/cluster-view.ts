import type {
  V1DaemonSet,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDisruptionBudget,
  V1ReplicaSet,
  V1VolumeAttachment,
} from '@kubernetes/client-node';
import type { KubeClients } from './kube-clients.js';
import { listAll } from './list-all.js';
import { controllerOf } from './pod-facts.js';
import { callOptions } from './request-options.js';

/**
 * One read of the cluster that a plan reasons over. Read-only: only LIST calls, all pages, in
 * parallel. Lists nobody needs are not made (no PVCs when no pod that matters has a claim), so a
 * plan costs a handful of requests however large the cluster.
 */
export interface ClusterView {
  nodes: V1Node[];
  /** Pods in scope (all namespaces, or the one asked for). */
  pods: V1Pod[];
  /** resourceVersion of the pod list: a watch started from it misses nothing. */
  podsResourceVersion?: string;
  pdbs: V1PodDisruptionBudget[];
  replicaSets: V1ReplicaSet[];
  daemonSets: V1DaemonSet[];
  pvcs: V1PersistentVolumeClaim[];
  pvs: V1PersistentVolume[];
  attachments: V1VolumeAttachment[];
}

export interface LoadViewOptions {
  /** Only this namespace's pods, PDBs, ReplicaSets and claims (a one-pod verb); all when unset. */
  namespace?: string;
  /** The pods the plan is about (e.g. those on the node); decides which other lists are needed. */
  focus: (pods: V1Pod[]) => V1Pod[];
  /** Read claims, volumes and attachments even when no focused pod has a claim (a node's attachments).
   * @defaultValue false */
  storage?: boolean;
  signal?: AbortSignal;
}

export async function loadClusterView(kube: KubeClients, options: LoadViewOptions): Promise<ClusterView> {
  const { namespace: ns, signal } = options;
  const opts = callOptions({ signal });
  const [nodes, pods] = await Promise.all([
    listAll((cont, limit) => kube.core.listNode({ _continue: cont, limit }, opts), { signal }),
    listAll(
      (cont, limit) =>
        ns ? kube.core.listNamespacedPod({ namespace: ns, _continue: cont, limit }, opts) : kube.core.listPodForAllNamespaces({ _continue: cont, limit }, opts),
      { signal },
    ),
  ]);
  const focus = options.focus(pods.items);
  const owned = (kind: string) => focus.some((p) => controllerOf(p)?.kind === kind);
  const claims = options.storage || focus.some((p) => (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim));
  const none = Promise.resolve({ items: [] as never[] });

  const [pdbs, replicaSets, daemonSets, pvcs, pvs, attachments] = await Promise.all([
    focus.length
      ? listAll(
          (cont, limit) =>
            ns
              ? kube.policy.listNamespacedPodDisruptionBudget({ namespace: ns, _continue: cont, limit }, opts)
              : kube.policy.listPodDisruptionBudgetForAllNamespaces({ _continue: cont, limit }, opts),
          { signal },
        )
      : none,
    owned('ReplicaSet')
      ? listAll(
          (cont, limit) =>
            ns ? kube.apps.listNamespacedReplicaSet({ namespace: ns, _continue: cont, limit }, opts) : kube.apps.listReplicaSetForAllNamespaces({ _continue: cont, limit }, opts),
          { signal },
        )
      : none,
    owned('DaemonSet')
      ? listAll(
          (cont, limit) =>
            ns ? kube.apps.listNamespacedDaemonSet({ namespace: ns, _continue: cont, limit }, opts) : kube.apps.listDaemonSetForAllNamespaces({ _continue: cont, limit }, opts),
          { signal },
        )
      : none,
    claims
      ? listAll(
          (cont, limit) =>
            ns
              ? kube.core.listNamespacedPersistentVolumeClaim({ namespace: ns, _continue: cont, limit }, opts)
              : kube.core.listPersistentVolumeClaimForAllNamespaces({ _continue: cont, limit }, opts),
          { signal },
        )
      : none,
    claims ? listAll((cont, limit) => kube.core.listPersistentVolume({ _continue: cont, limit }, opts), { signal }) : none,
    claims ? listAll((cont, limit) => kube.storage.listVolumeAttachment({ _continue: cont, limit }, opts), { signal }) : none,
  ]);

  return {
    nodes: nodes.items,
    pods: pods.items,
    podsResourceVersion: pods.resourceVersion,
    pdbs: pdbs.items,
    replicaSets: replicaSets.items,
    daemonSets: daemonSets.items,
    pvcs: pvcs.items,
    pvs: pvs.items,
    attachments: attachments.items,
  };
}

export function findNode(view: ClusterView, name: string): V1Node | undefined {
  return view.nodes.find((n) => n.metadata?.name === name);
}

export function podsOnNode(view: Pick<ClusterView, 'pods'>, node: string): V1Pod[] {
  return view.pods.filter((p) => p.spec?.nodeName === node);
}
