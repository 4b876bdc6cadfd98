import { afterEach, describe, expect, it } from 'vitest';
import { addNode, events, podSpec, runningReady, startSim, waitFor, type Sim } from './sim-support.js';

let sim: Sim | undefined;
afterEach(() => sim?.stop());

const scheduledCondition = (p: { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }) =>
  p.status?.conditions?.find((c) => c.type === 'PodScheduled');

describe('scheduler', () => {
  it('places a pod where its requests fit and leaves one that fits nowhere Pending with FailedScheduling', async () => {
    sim = await startSim('empty');
    const { store } = sim;
    addNode(store, 'small', { memory: '2Gi' });
    store.create('pods', podSpec('default', 'big', { memory: '8Gi' }));
    store.create('pods', podSpec('default', 'huge', { memory: '20Gi' }));
    const big = await waitFor(sim, 'big running', () => {
      const p = store.get('pods', 'default', 'big');
      return p && runningReady(p) ? p : undefined;
    });
    expect(big.spec.nodeName).toBe('node01');
    expect(big.status.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(big.status.hostIP).toBe('10.0.0.11');

    await sim.controllers.idle();
    const huge = store.mustGet('pods', 'default', 'huge');
    expect(huge.spec.nodeName).toBeUndefined();
    expect(huge.status.phase).toBe('Pending');
    const message = '0/2 nodes are available: 2 Insufficient memory. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.';
    expect(scheduledCondition(huge)).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
    const failed = events(store, 'FailedScheduling', 'huge');
    expect(failed).toHaveLength(1);
    // kube-scheduler records through the events.k8s.io recorder (client-go tools/events): the
    // reporting controller and action are set, the deprecated source is empty.
    expect(failed[0]).toMatchObject({ type: 'Warning', message, reportingComponent: 'default-scheduler', action: 'Scheduling', source: {} });
    // Asked again (a node changed), the same failure is a series on that one Event, not a new one.
    const count = (failed[0]!.series as { count?: number } | undefined)?.count ?? 1;
    store.create('nodes', { metadata: { name: 'tiny', labels: { 'kubernetes.io/hostname': 'tiny' } }, status: { allocatable: { cpu: '1', memory: '1Mi', pods: '10' }, conditions: [{ type: 'Ready', status: 'True' }] } });
    await sim.controllers.idle();
    const again = events(store, 'FailedScheduling', 'huge');
    expect(again).toHaveLength(1);
    expect((again[0]!.series as { count: number }).count).toBe(count + 1);
  });

  it('counts every reason per node, sorted like the real scheduler, and retries when a node is added', async () => {
    sim = await startSim('empty');
    const { store } = sim;
    store.remove('nodes', undefined, 'node01');
    addNode(store, 'cp', { memory: '64Gi', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
    addNode(store, 'cordoned', { memory: '64Gi', unschedulable: true });
    addNode(store, 'w1', { memory: '2Gi' });
    addNode(store, 'w2', { memory: '2Gi' });
    store.create('pods', podSpec('default', 'app', { memory: '4Gi' }));
    await sim.controllers.idle();
    const pending = store.mustGet('pods', 'default', 'app');
    expect(scheduledCondition(pending)?.message).toBe(
      '0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) were unschedulable, 2 Insufficient memory.'
      + ' preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
    );

    addNode(store, 'w3', { memory: '8Gi' });
    const placed = await waitFor(sim, 'app scheduled after a node was added', () => store.mustGet('pods', 'default', 'app').spec.nodeName);
    expect(placed).toBe('w3');
    expect(scheduledCondition(store.mustGet('pods', 'default', 'app'))).toMatchObject({ status: 'True' });
  });

  it('honours nodeSelector and tolerations', async () => {
    sim = await startSim('empty');
    const { store } = sim;
    addNode(store, 'gpu', { taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }], labels: { accelerator: 'a100' } });
    store.create('pods', podSpec('default', 'picky', { nodeSelector: { disktype: 'ssd' } }));
    store.create('pods', podSpec('default', 'trainer', { nodeSelector: { accelerator: 'a100' }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] }));
    store.create('pods', podSpec('default', 'intruder', { nodeSelector: { accelerator: 'a100' } }));
    await waitFor(sim, 'trainer on gpu', () => store.mustGet('pods', 'default', 'trainer').spec.nodeName === 'gpu');
    await sim.controllers.idle();
    // Filters run in the real order (taints before affinity): each node reports its first failure.
    const both = /^0\/2 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector, 1 node\(s\) had untolerated taint \{nvidia\.com\/gpu: true\}\./;
    expect(scheduledCondition(store.mustGet('pods', 'default', 'picky'))?.message).toMatch(both);
    expect(scheduledCondition(store.mustGet('pods', 'default', 'intruder'))?.message).toMatch(both);

    store.mutate('nodes', undefined, 'node01', (n) => {
      n.metadata.labels = { ...n.metadata.labels, disktype: 'ssd' };
    });
    await waitFor(sim, 'picky scheduled after labelling', () => store.mustGet('pods', 'default', 'picky').spec.nodeName === 'node01');
  });

  it('spreads pods to the least allocated node, ties broken by name', async () => {
    sim = await startSim('empty');
    const { store } = sim;
    store.remove('nodes', undefined, 'node01');
    addNode(store, 'b-node');
    addNode(store, 'a-node');
    store.create('pods', podSpec('default', 'first', { cpu: '1', memory: '1Gi' }));
    await waitFor(sim, 'first placed', () => store.mustGet('pods', 'default', 'first').spec.nodeName);
    store.create('pods', podSpec('default', 'second', { cpu: '1', memory: '1Gi' }));
    await waitFor(sim, 'second placed', () => store.mustGet('pods', 'default', 'second').spec.nodeName);
    expect(store.mustGet('pods', 'default', 'first').spec.nodeName).toBe('a-node');
    expect(store.mustGet('pods', 'default', 'second').spec.nodeName).toBe('b-node');
  });

  it('sends a pod using a local PV only to the PV node', async () => {
    sim = await startSim('local-storage');
    const { store } = sim;
    addNode(store, 'master02', { cpu: '16', memory: '64Gi', labels: { 'kubernetes.io/hostname': 'master02' } });
    store.create('pods', podSpec('data', 'reader', { claim: 'minio-data' }));
    const reader = await waitFor(sim, 'reader running', () => {
      const p = store.get('pods', 'data', 'reader');
      return p && runningReady(p) ? p : undefined;
    });
    expect(reader.spec.nodeName).toBe('master01');

    // With master01 cordoned, the volume's node affinity rules out the only other node.
    store.mutate('nodes', undefined, 'master01', (n) => {
      n.spec.unschedulable = true;
    });
    store.create('pods', podSpec('data', 'reader2', { claim: 'minio-data' }));
    await sim.controllers.idle();
    expect(scheduledCondition(store.mustGet('pods', 'data', 'reader2'))?.message).toBe(
      '0/2 nodes are available: 1 node(s) had volume node affinity conflict, 1 node(s) were unschedulable.'
      + ' preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );

    // An unbound local-storage claim binds to a free local PV on the node the pod lands on.
    store.create('persistentvolumeclaims', {
      metadata: { name: 'scratch', namespace: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-storage', resources: { requests: { storage: '10Gi' } } },
      status: { phase: 'Pending' },
    });
    store.mutate('nodes', undefined, 'master01', (n) => {
      n.spec.unschedulable = false;
    });
    store.create('pods', podSpec('data', 'scratcher', { claim: 'scratch' }));
    const scratcher = await waitFor(sim, 'scratcher running', () => {
      const p = store.get('pods', 'data', 'scratcher');
      return p && runningReady(p) ? p : undefined;
    });
    expect(scratcher.spec.nodeName).toBe('master01');
    expect(store.mustGet('persistentvolumeclaims', 'data', 'scratch')).toMatchObject({ spec: { volumeName: 'local-pv-spare' }, status: { phase: 'Bound' } });
  });

  it('reports a missing claim without looking at nodes', async () => {
    sim = await startSim('empty');
    sim.store.create('pods', podSpec('default', 'orphan', { claim: 'nope' }));
    await sim.controllers.idle();
    expect(scheduledCondition(sim.store.mustGet('pods', 'default', 'orphan'))?.message).toBe(
      '0/1 nodes are available: persistentvolumeclaim "nope" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );
  });
});
