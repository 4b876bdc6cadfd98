import type { Store } from '../store.js';
import { clusterAddons, TOLERATE_ALL } from './common.js';
import { Seeder } from './seeder.js';

export const MEMORY_PRESSURE_WORKERS = ['worker01', 'worker02', 'worker03', 'worker04'] as const;

/**
 * Memory exhaustion (modelled on a heavy Helm release that ran a node out of memory, after which
 * its pods moved to the next node and took it down too): four workers with 16Gi each, about 85%
 * requested. `worker02` reports MemoryPressure=True. Moving worker02's pods elsewhere does not
 * fit: the three others have under 3Gi free each, so most of them would stay Pending.
 */
export function seedMemoryPressure(store: Store): void {
  const s = new Seeder(store);
  s.baseNamespaces();
  for (const ns of ['prod', 'analytics', 'monitoring']) s.namespace(ns);
  s.node({ name: 'cp01', ip: '10.20.0.10', cpu: '4', memory: '8Gi', controlPlane: true });
  for (const [i, name] of MEMORY_PRESSURE_WORKERS.entries()) s.node({ name, ip: `10.20.0.${11 + i}`, cpu: '8', memory: '16Gi' });
  s.controlPlane('cp01');
  clusterAddons(s, ['worker01', 'worker03']);
  s.daemonSet({
    namespace: 'monitoring',
    name: 'node-exporter',
    containers: [{ name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.9.1', cpu: '50m', memory: '64Mi' }],
    tolerations: TOLERATE_ALL,
    hostNetwork: true,
  });
  const all = [...MEMORY_PRESSURE_WORKERS];
  s.deployment({
    namespace: 'prod',
    name: 'api',
    nodes: all,
    containers: [{ name: 'api', image: 'ghcr.io/example/api:5.3.2', cpu: '500m', memory: '2Gi', limits: true }],
  });
  s.pdb('prod', 'api', { app: 'api' }, { maxUnavailable: 1 });
  s.deployment({
    namespace: 'prod',
    name: 'worker',
    nodes: all,
    containers: [{ name: 'worker', image: 'ghcr.io/example/worker:5.3.2', cpu: '1', memory: '4Gi', limits: true }],
  });
  s.statefulSet({
    namespace: 'prod',
    name: 'redis',
    nodes: all,
    containers: [{ name: 'redis', image: 'redis:7.2.5', cpu: '500m', memory: '3Gi', limits: true }],
  });
  // The Helm release that started it all: big JVMs, one per worker.
  s.deployment({
    namespace: 'analytics',
    name: 'reporting-elasticsearch',
    nodes: all,
    labels: { 'app.kubernetes.io/instance': 'reporting', 'helm.sh/chart': 'elasticsearch-8.5.1' },
    containers: [{ name: 'elasticsearch', image: 'docker.elastic.co/elasticsearch/elasticsearch:8.5.1', cpu: '1', memory: '4Gi', limits: true }],
  });
  // worker02 runs hot: the kubelet reports memory pressure.
  store.mutate('nodes', undefined, 'worker02', (n) => {
    const c = n.status.conditions.find((x: { type: string }) => x.type === 'MemoryPressure');
    c.status = 'True';
    c.reason = 'KubeletHasInsufficientMemory';
    c.message = 'kubelet has insufficient memory available';
    c.lastTransitionTime = new Date(Date.now() - 20 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  });
}
