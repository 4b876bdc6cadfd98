import type { Store } from '../store.js';
import { Seeder } from './seeder.js';

const NAMESPACES = ['team-a', 'team-b', 'team-c', 'team-d', 'team-e'];
const REPLICAS = 20;

function intParam(params: Record<string, string | number>, name: string, fallback: number, max: number): number {
  const raw = params[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`large scenario: ${name} must be a whole number from 1 to ${max}, got "${raw}"`);
  return n;
}

/**
 * A big cluster for load and speed checks: `nodes` workers (default 20) with about `podsPerNode`
 * pods each (default 100): a DaemonSet on every node and Deployments of 20 replicas spread over
 * five team namespaces, every pod already Running. The first Deployment of each namespace has a
 * PDB (maxUnavailable 10%).
 */
export function seedLarge(store: Store, params: Record<string, string | number>): void {
  const nodes = intParam(params, 'nodes', 20, 500);
  const podsPerNode = intParam(params, 'podsPerNode', 100, 250);
  const s = new Seeder(store);
  s.baseNamespaces();
  for (const ns of NAMESPACES) s.namespace(ns);
  const names = Array.from({ length: nodes }, (_, i) => `node-${String(i + 1).padStart(3, '0')}`);
  for (const [i, name] of names.entries()) {
    s.node({ name, ip: `10.${100 + Math.floor(i / 250)}.${i % 250}.10`, cpu: '32', memory: '128Gi', pods: podsPerNode + 10 });
  }
  s.daemonSet({
    namespace: 'kube-system',
    name: 'kube-proxy',
    containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.33.1' }],
    tolerations: [{ operator: 'Exists' }],
    hostNetwork: true,
  });
  let remaining = nodes * (podsPerNode - 1);
  let next = 0;
  for (let d = 0; remaining > 0; d++) {
    const replicas = Math.min(REPLICAS, remaining);
    remaining -= replicas;
    const namespace = NAMESPACES[d % NAMESPACES.length];
    const name = `svc-${String(d + 1).padStart(3, '0')}`;
    const placement = Array.from({ length: replicas }, () => names[next++ % nodes]);
    s.deployment({
      namespace,
      name,
      nodes: placement,
      containers: [{ name: 'app', image: `ghcr.io/example/${name}:1.0.${d % 7}`, cpu: '50m', memory: '64Mi' }],
    });
    if (d < NAMESPACES.length) s.pdb(namespace, name, { app: name }, { maxUnavailable: '10%' });
  }
}
