import { afterEach, describe, expect, it } from 'vitest';
import type { KObject } from '../../src/sandbox/store.js';
import { addNode, apiDeletePod, events, pods, runningReady, startSim, waitFor, type Sim } from './sim-support.js';

let sim: Sim | undefined;
afterEach(() => sim?.stop());

const owned = (kind: string, name: string) => (p: KObject) => p.metadata.ownerReferences?.some((r) => r.kind === kind && r.name === name) ?? false;
const byPrefix = (prefix: string) => (p: KObject) => p.metadata.name.startsWith(prefix);

describe('ReplicaSet', () => {
  it('replaces a removed pod with a new name and UID', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    const [old] = pods(store, 'shop', byPrefix('checkout-'));
    store.remove('pods', 'shop', old.metadata.name);
    const replacement = await waitFor(sim, 'checkout replacement running', () => pods(store, 'shop', (p) => byPrefix('checkout-')(p) && runningReady(p))[0]);
    expect(replacement.metadata.name).not.toBe(old.metadata.name);
    expect(replacement.metadata.uid).not.toBe(old.metadata.uid);
    expect(replacement.metadata.name).toMatch(/^checkout-[a-z0-9]+-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(replacement.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', controller: true });
    expect(events(store, 'SuccessfulCreate').some((e) => e.message === `Created pod: ${replacement.metadata.name}`)).toBe(true);
  });

  it('replaces a pod as soon as it is Terminating and scales down gracefully', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    const [old] = pods(store, 'shop', byPrefix('cart-'));
    apiDeletePod(store, 'shop', old.metadata.name, 30);
    await waitFor(sim, 'a third cart pod', () => pods(store, 'shop', byPrefix('cart-')).length === 3);
    await waitFor(sim, 'two ready cart pods besides the terminating one', () => pods(store, 'shop', (p) => byPrefix('cart-')(p) && runningReady(p)).length === 2);

    store.mutate('apps/deployments', 'shop', 'cart', (d) => {
      d.spec.replicas = 1;
    });
    await waitFor(sim, 'one active cart pod', () => pods(store, 'shop', (p) => byPrefix('cart-')(p) && !p.metadata.deletionTimestamp).length === 1);
    await waitFor(sim, 'cart terminations finished', () => pods(store, 'shop', byPrefix('cart-')).length === 1);
  });
});

describe('Deployment', () => {
  it('rolls every pod on restartedAt without dropping below the available replicas, and reports it', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    const before = pods(store, 'shop', byPrefix('web-')).map((p) => p.metadata.name);
    let minReady = Infinity;
    const off = store.subscribe((e) => {
      if (e.key === 'pods') minReady = Math.min(minReady, pods(store, 'shop', (p) => byPrefix('web-')(p) && runningReady(p)).length);
    });
    const d = store.mutate('apps/deployments', 'shop', 'web', (x) => {
      x.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2025-06-01T03:00:00Z' };
    });
    const done = await waitFor(sim, 'rollout complete', () => {
      const cur = store.mustGet('apps/deployments', 'shop', 'web');
      const s = cur.status;
      const web = pods(store, 'shop', byPrefix('web-'));
      return s.observedGeneration === d.metadata.generation && s.updatedReplicas === 3 && s.replicas === 3 && s.availableReplicas === 3
        && web.length === 3 && web.every((p) => !before.includes(p.metadata.name)) ? cur : undefined;
    });
    off();
    expect(minReady).toBeGreaterThanOrEqual(3); // maxUnavailable 25% of 3 rounds down to 0
    expect(done.status.conditions.find((c: { type: string }) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(done.status.conditions.find((c: { type: string }) => c.type === 'Available')).toMatchObject({ status: 'True' });
    const sets = store.list('apps/replicasets', 'shop').items.filter((r) => r.metadata.name.startsWith('web-'));
    expect(sets).toHaveLength(2);
    const fresh = sets.find((r) => r.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'])!;
    expect(fresh.spec.replicas).toBe(3);
    expect(fresh.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(sets.find((r) => r !== fresh)!.spec.replicas).toBe(0);
    for (const p of pods(store, 'shop', byPrefix('web-'))) expect(p.metadata.labels?.['pod-template-hash']).toBe(fresh.metadata.labels?.['pod-template-hash']);
  });

  it('waits while paused and rolls out when resumed', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    store.mutate('apps/deployments', 'shop', 'checkout', (x) => {
      x.spec.paused = true;
    });
    store.mutate('apps/deployments', 'shop', 'checkout', (x) => {
      x.spec.template.spec.containers[0].image = 'ghcr.io/example-shop/checkout:2.15.0';
    });
    await sim.controllers.idle();
    expect(store.list('apps/replicasets', 'shop').items.filter((r) => r.metadata.name.startsWith('checkout-'))).toHaveLength(1);
    expect(store.mustGet('apps/deployments', 'shop', 'checkout').status.conditions.find((c: { type: string }) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused' });

    store.mutate('apps/deployments', 'shop', 'checkout', (x) => {
      x.spec.paused = false;
    });
    await waitFor(sim, 'checkout on the new image', () => {
      const p = pods(store, 'shop', byPrefix('checkout-'));
      return p.length === 1 && runningReady(p[0]) && p[0].spec.containers[0].image.endsWith(':2.15.0');
    });
  });

  it('creates a ReplicaSet and pods for a new deployment and cleans up after it is removed', async () => {
    sim = await startSim('empty');
    const { store } = sim;
    store.create('apps/deployments', {
      metadata: { name: 'api', namespace: 'default' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api:1' }], terminationGracePeriodSeconds: 1 } } },
    });
    await waitFor(sim, 'two api pods running', () => pods(store, 'default', (p) => byPrefix('api-')(p) && runningReady(p)).length === 2);
    const d = store.mustGet('apps/deployments', 'default', 'api');
    expect(d.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2, observedGeneration: 1 });

    store.remove('apps/deployments', 'default', 'api');
    await waitFor(sim, 'ReplicaSet collected', () => store.list('apps/replicasets', 'default').items.length === 0);
    await waitFor(sim, 'pods terminated and removed', () => pods(store, 'default').length === 0);
  });

  it('orphans the pods of a ReplicaSet deleted with propagationPolicy=Orphan', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    const rs = store.list('apps/replicasets', 'shop').items.find((r) => r.metadata.name.startsWith('catalog-'))!;
    store.remove('apps/deployments', 'shop', 'catalog');
    // What the API server does for Orphan: the owner's last state carries the orphan finalizer.
    store.mutate('apps/replicasets', 'shop', rs.metadata.name, (r) => {
      r.metadata.finalizers = ['orphan'];
    });
    store.remove('apps/replicasets', 'shop', rs.metadata.name);
    await sim.controllers.idle();
    const left = pods(store, 'shop', byPrefix('catalog-'));
    expect(left).toHaveLength(2);
    for (const p of left) {
      expect(p.metadata.ownerReferences).toBeUndefined();
      expect(p.metadata.deletionTimestamp).toBeUndefined();
    }
  });
});

describe('StatefulSet', () => {
  it('creates ordinals in order with claims, and recreates a deleted ordinal only once the old pod is gone', async () => {
    sim = await startSim('empty');
    const { store } = sim;
    const created: string[] = [];
    const off = store.subscribe((e) => {
      if (e.key !== 'pods' || e.type !== 'ADDED') return;
      // Each ordinal appears only after every lower one is Running and Ready.
      const n = Number(e.object.metadata.name.split('-').pop());
      for (let i = 0; i < n; i++) {
        const lower = store.get('pods', 'default', `db-${i}`);
        created.push(lower && runningReady(lower) ? 'ok' : `db-${n} before db-${i} was ready`);
      }
    });
    store.create('apps/statefulsets', {
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        replicas: 3,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:16.4' }], terminationGracePeriodSeconds: 10 } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    await waitFor(sim, 'three db pods ready', () => [0, 1, 2].every((i) => {
      const p = store.get('pods', 'default', `db-${i}`);
      return p && runningReady(p);
    }));
    off();
    expect(created.filter((c) => c !== 'ok')).toEqual([]);
    for (const i of [0, 1, 2]) {
      expect(store.mustGet('persistentvolumeclaims', 'default', `data-db-${i}`).status.phase).toBe('Bound');
      expect(store.mustGet('pods', 'default', `db-${i}`).spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: `data-db-${i}` } });
    }
    expect(store.mustGet('apps/statefulsets', 'default', 'db').status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3 });

    const old = store.mustGet('pods', 'default', 'db-1');
    apiDeletePod(store, 'default', 'db-1', 10);
    await sim.controllers.idle();
    // Terminating: the same object, not a new one, until the kubelet is done.
    const removedAt = await waitFor(sim, 'old db-1 gone', () => {
      const p = store.get('pods', 'default', 'db-1');
      return !p || p.metadata.uid !== old.metadata.uid ? Date.now() : undefined;
    });
    expect(removedAt).toBeGreaterThan(0);
    const fresh = await waitFor(sim, 'db-1 recreated', () => {
      const p = store.get('pods', 'default', 'db-1');
      return p && runningReady(p) ? p : undefined;
    });
    expect(fresh.metadata.uid).not.toBe(old.metadata.uid);
    expect(store.list('persistentvolumeclaims', 'default').items.map((c) => c.metadata.name).sort()).toEqual(['data-db-0', 'data-db-1', 'data-db-2']);

    store.mutate('apps/statefulsets', 'default', 'db', (s) => {
      s.spec.replicas = 1;
    });
    await waitFor(sim, 'scaled down to db-0', () => pods(store, 'default').map((p) => p.metadata.name).join() === 'db-0');
  });

  it('restarts from the highest ordinal down on a template change', async () => {
    sim = await startSim('empty');
    const { store } = sim;
    store.create('apps/statefulsets', {
      metadata: { name: 'kv', namespace: 'default' },
      spec: { replicas: 3, serviceName: 'kv', selector: { matchLabels: { app: 'kv' } }, template: { metadata: { labels: { app: 'kv' } }, spec: { containers: [{ name: 'kv', image: 'redis:7' }], terminationGracePeriodSeconds: 1 } } },
    });
    await waitFor(sim, 'kv ready', () => pods(store, 'default', runningReady).length === 3);
    const order: string[] = [];
    const off = store.subscribe((e) => {
      if (e.key === 'pods' && e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp && !e.previous?.metadata.deletionTimestamp) order.push(e.object.metadata.name);
    });
    const before = store.mustGet('apps/statefulsets', 'default', 'kv').status.updateRevision;
    store.mutate('apps/statefulsets', 'default', 'kv', (s) => {
      s.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2025-06-01T03:00:00Z' };
    });
    await waitFor(sim, 'kv restarted', () => {
      const s = store.mustGet('apps/statefulsets', 'default', 'kv').status;
      return s.updateRevision !== before && s.updatedReplicas === 3 && s.readyReplicas === 3 && s.currentRevision === s.updateRevision;
    });
    off();
    expect(order).toEqual(['kv-2', 'kv-1', 'kv-0']);
  });
});

describe('DaemonSet', () => {
  it('runs one pod on every eligible node, cordoned ones included', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    store.mutate('nodes', undefined, 'node02', (n) => {
      n.spec.unschedulable = true;
    });
    addNode(store, 'node04', { unschedulable: true });
    addNode(store, 'edge01', { taints: [{ key: 'edge', value: 'true', effect: 'NoExecute' }] });
    await waitFor(sim, 'daemon pods on node04', () => pods(store, undefined, (p) => p.spec.nodeName === 'node04' && runningReady(p)).length === 3);
    const proxy = (node: string) => pods(store, 'kube-system', (p) => owned('DaemonSet', 'kube-proxy')(p) && p.spec.nodeName === node);
    for (const n of ['cp01', 'node01', 'node02', 'node03', 'node04', 'edge01']) expect(proxy(n)).toHaveLength(1);
    // node-exporter tolerates everything too; a DaemonSet without tolerations skips tainted nodes.
    store.create('apps/daemonsets', {
      metadata: { name: 'log-agent', namespace: 'monitoring' },
      spec: { selector: { matchLabels: { app: 'log-agent' } }, template: { metadata: { labels: { app: 'log-agent' } }, spec: { containers: [{ name: 'agent', image: 'fluent-bit:3.1' }] } } },
    });
    await waitFor(sim, 'log-agent settled', () => store.mustGet('apps/daemonsets', 'monitoring', 'log-agent').status?.numberReady === 4);
    const nodes = pods(store, 'monitoring', owned('DaemonSet', 'log-agent')).map((p) => p.spec.nodeName).sort();
    expect(nodes).toEqual(['node01', 'node02', 'node03', 'node04']);
    expect(store.mustGet('apps/daemonsets', 'monitoring', 'log-agent').status).toMatchObject({ desiredNumberScheduled: 4, currentNumberScheduled: 4, numberAvailable: 4, numberMisscheduled: 0 });
    const agent = pods(store, 'monitoring', owned('DaemonSet', 'log-agent'))[0];
    expect(agent.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0]).toMatchObject({ key: 'metadata.name', operator: 'In' });
    expect(agent.spec.tolerations).toContainEqual({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' });
  });
});
