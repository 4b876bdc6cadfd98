/**
 * What the console's cluster panel shows. The console knows nothing of Kubernetes (it may import
 * only src/core), so whoever starts it hands in a function that returns this plain shape; the
 * demo builds it from the sandbox's store.
 */
export interface ClusterSnapshot {
  /** The cluster's name as sitrep knows it, e.g. `sandbox`. */
  cluster: string;
  /** Milliseconds since the epoch when the snapshot was taken. */
  at: number;
  nodes: ClusterNodeView[];
  /** Pods no node has taken yet (Pending, unschedulable). */
  unscheduled: ClusterPodView[];
}

export interface ClusterNodeView {
  name: string;
  /** As `kubectl get nodes` prints it: `Ready`, `NotReady`, `Unknown`, with `,SchedulingDisabled` when cordoned. */
  status: string;
  ready: boolean;
  schedulable: boolean;
  /** `control-plane`, or empty for workers. */
  roles: string[];
  /** Pods bound to the node that have not finished (Succeeded/Failed are left out). */
  pods: ClusterPodView[];
}

export interface ClusterPodView {
  namespace: string;
  name: string;
  /** Pending, Running, Succeeded, Failed, Unknown. */
  phase: string;
  ready: boolean;
  /** Deleted and waiting out its grace period. */
  terminating: boolean;
  /** Kind of the controlling owner (ReplicaSet, DaemonSet, StatefulSet…); absent for bare pods. */
  owner?: string;
}
