import type { ClusterNodeView, ClusterPodView, ClusterSnapshot } from '../console/cluster-snapshot.js';
import type { KObject, Store } from '../sandbox/index.js';

/**
 * The console's cluster panel, read straight from the sandbox's store (no API round trips, so
 * polling every second costs nothing). Statuses are spelled as `kubectl get nodes` spells them.
 */
export function sandboxClusterView(store: Store, cluster: string): () => Promise<ClusterSnapshot> {
  return async () => {
    const pods = store.peek('pods').items;
    const byNode = new Map<string, ClusterPodView[]>();
    const unscheduled: ClusterPodView[] = [];
    for (const pod of pods) {
      const phase = String(pod.status?.phase ?? 'Pending');
      // Finished pods hold no resources; kubectl lists them, but they are not on the node any more.
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      const view = podView(pod, phase);
      const node = pod.spec?.nodeName as string | undefined;
      if (!node) unscheduled.push(view);
      else byNode.set(node, [...(byNode.get(node) ?? []), view]);
    }
    const nodes: ClusterNodeView[] = store.peek('nodes').items.map((n) => {
      const ready = condition(n, 'Ready');
      const readyText = ready === 'True' ? 'Ready' : ready === 'False' ? 'NotReady' : 'Unknown';
      const schedulable = !n.spec?.unschedulable;
      const roles = Object.keys(n.metadata.labels ?? {})
        .filter((l) => l.startsWith('node-role.kubernetes.io/'))
        .map((l) => l.slice('node-role.kubernetes.io/'.length))
        .filter(Boolean);
      return {
        name: n.metadata.name,
        status: schedulable ? readyText : `${readyText},SchedulingDisabled`,
        ready: ready === 'True',
        schedulable,
        roles,
        pods: byNode.get(n.metadata.name) ?? [],
      };
    });
    return { cluster, at: Date.now(), nodes, unscheduled };
  };
}

function condition(obj: KObject, type: string): string | undefined {
  const conditions = (obj.status?.conditions ?? []) as { type: string; status: string }[];
  return conditions.find((c) => c.type === type)?.status;
}

function podView(pod: KObject, phase: string): ClusterPodView {
  const owner = (pod.metadata.ownerReferences ?? []).find((o) => o.controller) ?? pod.metadata.ownerReferences?.[0];
  return {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
    phase,
    ready: condition(pod, 'Ready') === 'True',
    terminating: Boolean(pod.metadata.deletionTimestamp),
    ...(owner ? { owner: owner.kind } : {}),
  };
}
