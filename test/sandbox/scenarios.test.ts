import { afterEach, describe, expect, it } from 'vitest';
import { SCENARIOS, seedScenario } from '../../src/sandbox/scenarios/index.js';
import { Store, type KObject } from '../../src/sandbox/store.js';
import { isReady, pods, runningReady, startSim, type Sim } from './sim-support.js';

let sim: Sim | undefined;
afterEach(() => sim?.stop());

const on = (node: string) => (p: KObject) => p.spec.nodeName === node;
const ownerKind = (p: KObject) => p.metadata.ownerReferences?.find((r) => r.controller)?.kind;
const taints = (n: KObject) => (n.spec.taints ?? []).map((t: { key: string; effect: string }) => `${t.key}:${t.effect}`);

describe('scenarios', () => {
  it('lists the seven scenarios and names them when an unknown one is asked for', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(['drain', 'empty', 'large', 'local-storage', 'maintenance', 'memory-pressure', 'notready-rwo']);
    expect(() => seedScenario(new Store(), 'nope')).toThrow('unknown sandbox scenario "nope": use one of maintenance, local-storage, memory-pressure, notready-rwo, large, drain, empty');
  });

  it('empty: one Ready node and nothing running', async () => {
    sim = await startSim('empty');
    expect(sim.store.list('nodes').items.map((n) => n.metadata.name)).toEqual(['node01']);
    expect(sim.store.count('pods')).toBe(0);
    expect(sim.store.list('namespaces').items.map((n) => n.metadata.name)).toContain('default');
  });

  it('maintenance: node02 holds everything a drain has to think about, and there is room elsewhere', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    expect(store.list('nodes').items.map((n) => n.metadata.name)).toEqual(['cp01', 'node01', 'node02', 'node03']);
    expect(taints(store.mustGet('nodes', undefined, 'cp01'))).toEqual(['node-role.kubernetes.io/control-plane:NoSchedule']);
    const mirrors = pods(store, 'kube-system', (p) => !!p.metadata.annotations?.['kubernetes.io/config.mirror']).map((p) => p.metadata.name).sort();
    expect(mirrors).toEqual(['etcd-cp01', 'kube-apiserver-cp01', 'kube-controller-manager-cp01', 'kube-scheduler-cp01']);
    expect(pods(store).every(runningReady)).toBe(true);
    for (const node of ['cp01', 'node01', 'node02', 'node03']) expect(pods(store, 'kube-system', (p) => on(node)(p) && p.metadata.name.startsWith('kube-proxy-'))).toHaveLength(1);

    const node02 = pods(store, undefined, on('node02'));
    expect(node02.filter((p) => ownerKind(p) === 'DaemonSet').length).toBeGreaterThanOrEqual(1);
    const checkout = node02.filter((p) => p.metadata.name.startsWith('checkout-'));
    expect(checkout).toHaveLength(1);
    expect(store.mustGet('apps/deployments', 'shop', 'checkout').spec.replicas).toBe(1);
    expect(node02.filter((p) => p.metadata.name.startsWith('web-'))).toHaveLength(1);
    expect(store.mustGet('policy/poddisruptionbudgets', 'shop', 'web').spec.minAvailable).toBe(2);
    expect(node02.filter((p) => p.spec.volumes?.some((v: { emptyDir?: unknown }) => v.emptyDir))).toHaveLength(1);
    const bare = node02.filter((p) => !p.metadata.ownerReferences);
    expect(bare.map((p) => p.metadata.name)).toEqual(['debug-shell']);

    // Room elsewhere: node01 + node03 can take node02's non-daemon requests.
    const movable = node02.filter((p) => ownerKind(p) !== 'DaemonSet');
    const need = movable.reduce((s, p) => s + p.spec.containers.reduce((c: number, x: { resources?: { requests?: { memory?: string } } }) => c + parseMi(x.resources?.requests?.memory), 0), 0);
    const free = ['node01', 'node03'].reduce((s, n) => s + 16 * 1024 - pods(store, undefined, on(n)).reduce((a, p) => a + p.spec.containers.reduce((c: number, x: { resources?: { requests?: { memory?: string } } }) => c + parseMi(x.resources?.requests?.memory), 0), 0), 0);
    expect(free).toBeGreaterThan(need * 2);
  });

  it('local-storage: a single untainted control plane running MySQL and MinIO on local PVs and ingress on hostPort 80', async () => {
    sim = await startSim('local-storage');
    const { store } = sim;
    const [node] = store.list('nodes').items;
    expect(store.count('nodes')).toBe(1);
    expect(node.metadata.name).toBe('master01');
    expect(node.metadata.labels?.['node-role.kubernetes.io/control-plane']).toBe('');
    expect(node.spec.taints).toBeUndefined();
    expect(pods(store, 'kube-system', (p) => !!p.metadata.annotations?.['kubernetes.io/config.mirror'])).toHaveLength(4);
    for (const claim of ['data-mysql-0', 'minio-data']) {
      const pvc = store.mustGet('persistentvolumeclaims', 'data', claim);
      const pv = store.mustGet('persistentvolumes', undefined, pvc.spec.volumeName);
      expect(pv.spec.local.path).toMatch(/^\/data\/local-pv\//);
      expect(pv.spec.storageClassName).toBe('local-storage');
      expect(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0]).toEqual({ key: 'kubernetes.io/hostname', operator: 'In', values: ['master01'] });
    }
    expect(runningReady(store.mustGet('pods', 'data', 'mysql-0'))).toBe(true);
    expect(pods(store, 'data', (p) => p.metadata.name.startsWith('minio-')).filter(runningReady)).toHaveLength(1);
    const ingress = pods(store, 'ingress-nginx').filter(runningReady);
    expect(ingress).toHaveLength(1);
    expect(ingress[0].spec.containers[0].ports).toContainEqual(expect.objectContaining({ hostPort: 80 }));
  });

  it('memory-pressure: workers about 85% requested, worker02 under pressure, its pods cannot all move', async () => {
    sim = await startSim('memory-pressure');
    const { store } = sim;
    const workers = store.list('nodes').items.filter((n) => n.metadata.name.startsWith('worker'));
    expect(workers.length).toBeGreaterThanOrEqual(3);
    const requested = (node: string) => pods(store, undefined, on(node)).reduce((a, p) => a + p.spec.containers.reduce((c: number, x: { resources?: { requests?: { memory?: string } } }) => c + parseMi(x.resources?.requests?.memory), 0), 0);
    for (const w of workers) {
      const ratio = requested(w.metadata.name) / (16 * 1024);
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(0.9);
    }
    const w2 = store.mustGet('nodes', undefined, 'worker02');
    expect(w2.status.conditions.find((c: { type: string }) => c.type === 'MemoryPressure').status).toBe('True');
    expect(taints(w2)).toEqual(['node.kubernetes.io/memory-pressure:NoSchedule']);
    const freeElsewhere = workers.filter((w) => w.metadata.name !== 'worker02').reduce((a, w) => a + 16 * 1024 - requested(w.metadata.name), 0);
    const toMove = pods(store, undefined, (p) => on('worker02')(p) && ownerKind(p) !== 'DaemonSet')
      .reduce((a, p) => a + p.spec.containers.reduce((c: number, x: { resources?: { requests?: { memory?: string } } }) => c + parseMi(x.resources?.requests?.memory), 0), 0);
    expect(toMove).toBeGreaterThan(freeElsewhere);
  });

  it('notready-rwo: node03 Unknown, a StatefulSet pod stuck Terminating with its RBD volume still attached', async () => {
    sim = await startSim('notready-rwo');
    const { store } = sim;
    const node03 = store.mustGet('nodes', undefined, 'node03');
    expect(node03.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('Unknown');
    expect(taints(node03)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    const healthy = pods(store, undefined, (p) => on('node01')(p) || on('node02')(p));
    const stuck = healthy.filter((p) => !runningReady(p));
    // Only sleep's replacement waits: its volume is still attached to node03.
    expect(stuck.map((p) => p.metadata.name)).toEqual([expect.stringMatching(/^sleep-/)]);
    expect(stuck[0].status.containerStatuses[0].state.waiting.reason).toBe('ContainerCreating');

    const pg = store.mustGet('pods', 'db', 'postgres-0');
    expect(pg.spec.nodeName).toBe('node03');
    expect(pg.metadata.deletionTimestamp).toBeDefined();
    expect(isReady(pg)).toBe(false);
    const pvc = store.mustGet('persistentvolumeclaims', 'db', 'data-postgres-0');
    const pv = store.mustGet('persistentvolumes', undefined, pvc.spec.volumeName);
    expect(pv.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(pv.spec.csi.driver).toBe('rbd.csi.ceph.com');
    const va = store.list('storage.k8s.io/volumeattachments').items.find((v) => v.spec.source.persistentVolumeName === pv.metadata.name);
    expect(va).toMatchObject({ spec: { attacher: 'rbd.csi.ceph.com', nodeName: 'node03' }, status: { attached: true } });
    // The StatefulSet waits for the old object to go: no second postgres pod anywhere.
    expect(pods(store, 'db')).toHaveLength(1);
  });

  it('large: every node carries about podsPerNode Running pods, owned by their controllers', async () => {
    sim = await startSim('large', 0.02, { nodes: 4, podsPerNode: 30 });
    const { store } = sim;
    expect(store.count('nodes')).toBe(4);
    expect(store.count('pods')).toBe(120);
    for (const n of store.list('nodes').items) {
      const mine = pods(store, undefined, on(n.metadata.name));
      expect(mine).toHaveLength(30);
      expect(mine.filter((p) => ownerKind(p) === 'DaemonSet')).toHaveLength(1);
    }
    expect(pods(store).every((p) => runningReady(p) && ownerKind(p))).toBe(true);
    const pdbs = store.list('policy/poddisruptionbudgets').items;
    expect(pdbs.length).toBeGreaterThan(0);
    for (const pdb of pdbs) expect(pdb.status.observedGeneration).toBe(1);
    for (const d of store.list('apps/deployments').items) expect(d.status.availableReplicas).toBe(d.spec.replicas);
    expect(() => seedScenario(new Store(), 'large', { nodes: 'many' })).toThrow(/nodes must be a whole number/);
  });

  it('drain: node-001 carries `pods` pods, half of each Deployment; every fifth PDB lets 2 go; the spare nodes have room for all', async () => {
    sim = await startSim('drain', 0.02, { pods: 50 });
    const { store } = sim;
    const node001 = pods(store, undefined, on('node-001'));
    expect(node001.filter((p) => ownerKind(p) !== 'DaemonSet')).toHaveLength(50);
    expect(pods(store).every(runningReady)).toBe(true);
    const deployments = store.list('apps/deployments').items;
    expect(deployments.map((d) => d.spec.replicas)).toEqual([20, 20, 20, 20, 20]);
    for (const d of deployments) expect(node001.filter((p) => p.metadata.labels?.app === d.metadata.name)).toHaveLength(10);
    const pdbs = store.list('policy/poddisruptionbudgets').items;
    expect(pdbs.map((p) => [p.metadata.name, p.status.disruptionsAllowed])).toEqual([['svc-001', 2]]);
    const spares = store.list('nodes').items.filter((n) => n.metadata.name !== 'node-001');
    const room = spares.reduce((n, s) => n + Number(s.status.allocatable.pods) - pods(store, undefined, on(s.metadata.name)).length, 0);
    expect(room).toBeGreaterThanOrEqual(50);
    expect(() => seedScenario(new Store(), 'drain', { pods: 0 })).toThrow(/pods must be a whole number from 1 to 5000/);
  });

  it('drain: `spares` adds spare nodes beyond the least that holds the moved pods, never fewer', () => {
    const nodes = (params: Record<string, number>) => {
      const store = new Store();
      seedScenario(store, 'drain', params);
      return store.list('nodes').items.map((n) => n.metadata.name);
    };
    expect(nodes({ pods: 100 })).toEqual(['node-001', 'node-002', 'node-003']);
    expect(nodes({ pods: 100, spares: 3 })).toEqual(['node-001', 'node-002', 'node-003', 'node-004']);
    expect(() => nodes({ pods: 100, spares: 1 })).toThrow(/spares must be a whole number from 2 \(room for 100 pods moving\) to 200, got "1"/);
  });
});

function parseMi(q: string | undefined): number {
  if (!q) return 0;
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  if (!m) throw new Error(`test parses Mi/Gi only: ${q}`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}
