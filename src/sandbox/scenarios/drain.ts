import type { Store } from '../store.js';
import { clusterAddons } from './common.js';
import { Seeder } from './seeder.js';

const NAMESPACES = ['team-a', 'team-b', 'team-c', 'team-d', 'team-e'];
/** Replicas of each Deployment: half on the node to drain, half on the spare nodes. */
const REPLICAS = 20;
/** Pods a spare node takes (kubelet's default --max-pods is 110; room for kube-proxy and slack). */
const SPARE_PODS = 100;

/**
 * One node to drain, `node-001`, carrying `pods` workload pods (default 200, up to 5,000), and
 * spare nodes with room for every pod that moves off it: what bench:drain measures drains of
 * several sizes on. Deployments of 20 replicas, 10 on node-001 and 10 spread over the spare
 * nodes (a smaller last one takes the rest); every fifth has a PodDisruptionBudget of
 * maxUnavailable 10%, so its 10 pods on node-001 leave 2 at a time, each pair waiting until the
 * replacements of the one before are Ready: the PDB-gated chain of a drain. kube-proxy and the CNI
 * (DaemonSets) run on every node; every pod keeps the default 30 s grace period and uses it.
 * Params: `pods`; `spares`, the spare nodes (default just enough: 2 x pods / 100, rounded up; more
 * leave room when a spare is cordoned while the drain runs, as the chaos suite's pending cordon does).
 */
export function seedDrain(store: Store, params: Record<string, string | number>): void {
  const raw = params.pods;
  const pods = raw === undefined || raw === '' ? 200 : Number(raw);
  if (!Number.isInteger(pods) || pods < 1 || pods > 5000) throw new Error(`drain scenario: pods must be a whole number from 1 to 5000, got "${raw}"`);
  const s = new Seeder(store);
  s.baseNamespaces();
  for (const ns of NAMESPACES) s.namespace(ns);
  // Room for the node's own pods, and on the spare nodes for theirs and every pod moved off it.
  const least = Math.ceil((2 * pods) / SPARE_PODS);
  const rawSpares = params.spares;
  const spares = rawSpares === undefined || rawSpares === '' ? least : Number(rawSpares);
  if (!Number.isInteger(spares) || spares < least || spares > 200) throw new Error(`drain scenario: spares must be a whole number from ${least} (room for ${pods} pods moving) to 200, got "${rawSpares}"`);
  s.node({ name: 'node-001', ip: '10.100.0.10', cpu: '64', memory: '256Gi', pods: pods + 10 });
  const spareNames = Array.from({ length: spares }, (_, i) => `node-${String(i + 2).padStart(3, '0')}`);
  for (const [i, name] of spareNames.entries()) s.node({ name, ip: `10.100.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 10}`, cpu: '64', memory: '256Gi', pods: SPARE_PODS + 10 });
  clusterAddons(s, []);
  let next = 0;
  for (let d = 0, left = pods; left > 0; d++) {
    const here = Math.min(REPLICAS / 2, left);
    left -= here;
    const namespace = NAMESPACES[d % NAMESPACES.length]!;
    const name = `svc-${String(d + 1).padStart(3, '0')}`;
    const elsewhere = Array.from({ length: here }, () => spareNames[next++ % spares]!);
    s.deployment({
      namespace,
      name,
      nodes: [...Array.from({ length: here }, () => 'node-001'), ...elsewhere],
      containers: [{ name: 'app', image: `ghcr.io/example/${name}:1.0.${d % 7}`, cpu: '50m', memory: '64Mi' }],
    });
    if (d % 5 === 0) s.pdb(namespace, name, { app: name }, { maxUnavailable: '10%' });
  }
}
