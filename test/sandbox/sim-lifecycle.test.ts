import { afterEach, describe, expect, it } from 'vitest';
import { setNodeCondition } from '../../src/sandbox/node-conditions.js';
import { apiDeletePod, events, isReady, pods, runningReady, startSim, waitFor, type Sim } from './sim-support.js';

let sim: Sim | undefined;
afterEach(() => sim?.stop());

const taintsOf = (sim: Sim, node: string) => (sim.store.mustGet('nodes', undefined, node).spec.taints ?? []).map((t: { key: string; effect: string }) => `${t.key}:${t.effect}`);

describe('kubelet', () => {
  it('starts a bound pod with the status kubectl shows', async () => {
    sim = await startSim('maintenance');
    const [web] = pods(sim.store, 'shop', (p) => p.metadata.name.startsWith('web-') && p.spec.nodeName === 'node02');
    sim.store.remove('pods', 'shop', web.metadata.name);
    const before = new Set(pods(sim.store, 'shop').map((p) => p.metadata.uid));
    const fresh = await waitFor(sim, 'replacement running', () => pods(sim!.store, 'shop', (p) => p.metadata.name.startsWith('web-') && !before.has(p.metadata.uid) && runningReady(p))[0]);
    expect(fresh.spec.nodeName).toMatch(/^node0[123]$/);
    expect(fresh.status.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(fresh.status.hostIP).toBe(sim.store.mustGet('nodes', undefined, fresh.spec.nodeName).status.addresses[0].address);
    expect(fresh.status.startTime).toBeDefined();
    expect(fresh.status).toMatchObject({ phase: 'Running', qosClass: 'Burstable' });
    const cs = fresh.status.containerStatuses[0];
    expect(cs).toMatchObject({ name: 'nginx', image: 'nginx:1.27.4', ready: true, started: true, restartCount: 0 });
    expect(cs.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(cs.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(cs.state.running.startedAt).toMatch(/Z$/);
    expect(fresh.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`).sort()).toEqual(
      ['ContainersReady=True', 'Initialized=True', 'PodReadyToStartContainers=True', 'PodScheduled=True', 'Ready=True'],
    );
  });

  it('removes a Terminating pod after its grace period, scaled, with a Killing event', async () => {
    sim = await startSim('maintenance', 0.02);
    const { store } = sim;
    const [checkout] = pods(store, 'shop', (p) => p.metadata.name.startsWith('checkout-'));
    const started = Date.now();
    apiDeletePod(store, 'shop', checkout.metadata.name, 30); // 30 s x 0.02 = 600 ms
    await waitFor(sim, 'checkout pod removed', () => !store.get('pods', 'shop', checkout.metadata.name));
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(events(store, 'Killing', checkout.metadata.name)[0]).toMatchObject({ type: 'Normal', message: 'Stopping container checkout', source: { component: 'kubelet', host: 'node02' } });
  });

  it('leaves pods on a NotReady node Terminating, not Ready, until the node is back', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    setNodeCondition(store, 'node02', 'Ready', 'Unknown');
    await sim.controllers.idle();
    expect(taintsOf(sim, 'node02')).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    const onNode02 = pods(store, undefined, (p) => p.spec.nodeName === 'node02');
    expect(onNode02.length).toBeGreaterThan(0);
    expect(onNode02.filter(isReady)).toEqual([]);
    // Still "Running" as far as the last status report goes: nobody is left to say otherwise.
    expect(onNode02.every((p) => p.status.phase === 'Running')).toBe(true);

    apiDeletePod(store, 'shop', 'debug-shell', 1);
    await sim.controllers.idle(); // nothing pending: no kubelet will ever finish this deletion
    expect(store.mustGet('pods', 'shop', 'debug-shell').metadata.deletionTimestamp).toBeDefined();

    setNodeCondition(store, 'node02', 'Ready', 'True');
    await waitFor(sim, 'debug-shell removed once node02 is back', () => !store.get('pods', 'shop', 'debug-shell'));
    await waitFor(sim, 'node02 pods ready again', () => pods(store, undefined, (p) => p.spec.nodeName === 'node02').every(isReady));
    expect(taintsOf(sim, 'node02')).toEqual([]);
  });

  it('re-posts a deleted mirror pod, as the kubelet does for static pods', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    const old = store.mustGet('pods', 'kube-system', 'etcd-cp01');
    apiDeletePod(store, 'kube-system', 'etcd-cp01', 1);
    const back = await waitFor(sim, 'etcd-cp01 back', () => {
      const p = store.get('pods', 'kube-system', 'etcd-cp01');
      return p && p.metadata.uid !== old.metadata.uid && runningReady(p) ? p : undefined;
    });
    expect(back.metadata.annotations?.['kubernetes.io/config.mirror']).toBe(old.metadata.annotations?.['kubernetes.io/config.mirror']);
    expect(back.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Node', name: 'cp01' })]);
  });
});

describe('node lifecycle', () => {
  it('taints nodes from their conditions and cordon, and removes the taints again', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    setNodeCondition(store, 'node01', 'MemoryPressure', 'True');
    setNodeCondition(store, 'node03', 'Ready', 'False');
    store.mutate('nodes', undefined, 'node02', (n) => {
      n.spec.unschedulable = true;
    });
    await sim.controllers.idle();
    expect(taintsOf(sim, 'node01')).toEqual(['node.kubernetes.io/memory-pressure:NoSchedule']);
    expect(taintsOf(sim, 'node02')).toEqual(['node.kubernetes.io/unschedulable:NoSchedule']);
    expect(taintsOf(sim, 'node03')).toEqual(['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);
    const ready = store.mustGet('nodes', undefined, 'node03').status.conditions.find((c: { type: string }) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'KubeletNotReady' });
    expect(taintsOf(sim, 'cp01')).toEqual(['node-role.kubernetes.io/control-plane:NoSchedule']);

    setNodeCondition(store, 'node01', 'MemoryPressure', 'False');
    setNodeCondition(store, 'node03', 'Ready', 'True');
    store.mutate('nodes', undefined, 'node02', (n) => {
      n.spec.unschedulable = false;
    });
    await sim.controllers.idle();
    for (const n of ['node01', 'node02', 'node03']) expect(taintsOf(sim, n)).toEqual([]);
  });
});
