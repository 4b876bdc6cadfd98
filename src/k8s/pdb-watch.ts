import { Watch, type V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { KubeClients } from './kube-clients.js';
import { callOptions } from './request-options.js';
import { WatchedList, type WatchSource } from './watched-list.js';

/**
 * Every PodDisruptionBudget (policy/v1, all namespaces), kept current by one watch: what a drain
 * blocked by a budget (429) waits on. The disruption controller writes status.disruptionsAllowed
 * as soon as a replacement pod is Ready (pkg/controller/disruption/disruption.go), so a new
 * status with disruptions allowed is the moment an eviction refused before may pass.
 */
export function watchPodDisruptionBudgets(kube: KubeClients, options: { signal: AbortSignal; onRecover?: (what: string, err?: unknown) => void }): Promise<WatchedList<V1PodDisruptionBudget>> {
  const source: WatchSource<V1PodDisruptionBudget> = {
    list: (cont, limit, signal) => kube.policy.listPodDisruptionBudgetForAllNamespaces({ _continue: cont, limit }, callOptions({ signal })),
    watch: (resourceVersion, onEvent, onDone) =>
      new Watch(kube.kubeConfig).watch('/apis/policy/v1/poddisruptionbudgets', { resourceVersion, allowWatchBookmarks: true }, onEvent, onDone),
  };
  return WatchedList.start(source, { ...options, what: 'PodDisruptionBudget watch' });
}
