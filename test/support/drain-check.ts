import type { CoreV1Api } from '@kubernetes/client-node';

/**
 * The workload pods (not DaemonSet, not mirror) on a node now, by UID: what a drain of it evicts.
 */
export async function workloadPodsOn(core: CoreV1Api, node: string): Promise<Map<string, string>> {
  const pods = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
  const out = new Map<string, string>();
  for (const p of pods.items) {
    if (p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet') || p.metadata?.annotations?.['kubernetes.io/config.mirror']) continue;
    out.set(p.metadata!.uid!, `${p.metadata!.namespace}/${p.metadata!.name}`);
  }
  return out;
}

/**
 * How many times the kubelet stopped each container of these pods, as the cluster's events
 * record it (`Killing`, "Stopping container NAME", with its `count`): 1 for every container of
 * a pod evicted once. Keyed `namespace/pod container`.
 */
export async function containerStops(core: CoreV1Api, uids: Iterable<string>): Promise<Map<string, number>> {
  const wanted = new Set(uids);
  const events = await core.listEventForAllNamespaces({ fieldSelector: 'reason=Killing' });
  const out = new Map<string, number>();
  for (const e of events.items) {
    if (!wanted.has(e.involvedObject.uid ?? '')) continue;
    const key = `${e.involvedObject.namespace}/${e.involvedObject.name} ${e.message ?? ''}`;
    out.set(key, (out.get(key) ?? 0) + (e.count ?? 1));
  }
  return out;
}
