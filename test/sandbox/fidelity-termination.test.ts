import { describe, expect, it } from 'vitest';
import { SHUTDOWN_ANNOTATION } from '../../src/sandbox/controllers/kubelet.js';
import type { Sandbox } from '../../src/sandbox/start-sandbox.js';
import type { KObject, StoreEvent } from '../../src/sandbox/store.js';
import { waitFor } from './api-fixture.js';
import { boundPod, condition, kubectl, sandboxPerTest } from './fidelity-support.js';

// Pod termination as the kubelet does it (kubernetes/kubernetes pkg/kubelet/pod_workers.go,
// kubelet_pods.go generateAPIPodStatus, status/status_manager.go's final delete), the
// DisruptionTarget condition of evicted pods (pkg/registry/core/pod/storage/eviction.go), and
// node and namespace deletion going through graceful termination (pkg/controller/podgc,
// pkg/controller/namespace/deletion).

let sandbox: Sandbox;
const k = sandboxPerTest('maintenance', (s) => { sandbox = s; });

/** Every change to one pod (by name) until it is gone. */
function record(namespace: string, name: string): { changes: StoreEvent[]; gone: Promise<void> } {
  const changes: StoreEvent[] = [];
  let done!: () => void;
  const gone = new Promise<void>((r) => { done = r; });
  const unsubscribe = sandbox.store.subscribe((e) => {
    if (e.key !== 'pods' || e.object.metadata.namespace !== namespace || e.object.metadata.name !== name) return;
    changes.push(e);
    if (e.type === 'DELETED') {
      unsubscribe();
      done();
    }
  });
  return { changes, gone };
}

const lastBeforeDeletion = (changes: StoreEvent[]): KObject => changes.filter((c) => c.type === 'MODIFIED').at(-1)!.object;
const exitCodes = (p: KObject) => (p.status.containerStatuses ?? []).map((c: { state: { terminated?: { exitCode: number } } }) => c.state.terminated?.exitCode);

describe.skipIf(!kubectl)('kubelet termination', () => {
  it('pod_workers.go: containers that exit on SIGTERM end the pod before its grace period: exit 0, Ready=False, Succeeded, then gone', async () => {
    sandbox.store.create('pods', boundPod('quick', 'shop', 'node01', { grace: 3000, annotations: { [SHUTDOWN_ANNOTATION]: '1' } }));
    await waitFor('quick running', () => sandbox.store.get('pods', 'shop', 'quick')?.status?.phase === 'Running');
    const { changes, gone } = record('shop', 'quick');
    await k.ok('delete', 'pod', 'quick', '-n', 'shop', '--wait=false');
    // 3000 s of grace would be a minute here; the containers stop after 1 s (20 ms).
    await gone;
    const last = lastBeforeDeletion(changes);
    expect(last.status.phase).toBe('Succeeded');
    expect(exitCodes(last)).toEqual([0]);
    expect(condition(last, 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect(sandbox.store.list('events', 'shop').items.some((e) => e.reason === 'Killing' && (e.involvedObject as { name: string }).name === 'quick')).toBe(true);
  }, 60_000);

  it('pod_workers.go: containers that ignore SIGTERM are killed when the grace period ends: exit 137, Failed, then gone', async () => {
    const { changes, gone } = record('shop', 'debug-shell');
    await k.ok('delete', 'pod', 'debug-shell', '-n', 'shop', '--wait=false');
    await gone;
    const last = lastBeforeDeletion(changes);
    expect(last.status.phase).toBe('Failed');
    expect(exitCodes(last)).toEqual([137]);
    expect(last.status.containerStatuses[0].state.terminated.reason).toBe('Error');
  }, 60_000);

  it('kubelet events: a new pod records Pulled, Created and Started for each container', async () => {
    sandbox.store.create('pods', boundPod('fresh', 'shop', 'node01'));
    await waitFor('fresh running', () => sandbox.store.get('pods', 'shop', 'fresh')?.status?.phase === 'Running');
    const mine = sandbox.store.list('events', 'shop').items.filter((e) => (e.involvedObject as { name: string }).name === 'fresh');
    expect(mine.map((e) => `${e.reason}: ${e.message}`)).toEqual(expect.arrayContaining([
      'Pulled: Container image "nginx:1.27" already present on machine',
      'Created: Created container: app',
      'Started: Started container app',
    ]));
    expect(mine.find((e) => e.reason === 'Started')?.source).toEqual({ component: 'kubelet', host: 'node01' });
  }, 30_000);
});

describe.skipIf(!kubectl)('disruption conditions', () => {
  it('eviction.go: every pod kubectl drain evicts carries DisruptionTarget EvictionByEvictionAPI while it terminates', async () => {
    const marked = new Map<string, string>();
    const unsubscribe = sandbox.store.subscribe((e) => {
      if (e.key === 'pods' && e.type === 'MODIFIED' && e.object.spec.nodeName === 'node02' && e.object.metadata.deletionTimestamp) {
        marked.set(e.object.metadata.name, condition(e.object, 'DisruptionTarget')?.reason ?? '');
      }
    });
    const r = await k.run('drain', 'node02', '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=60s');
    unsubscribe();
    expect(r.code).toBe(0);
    expect(marked.size).toBeGreaterThan(0);
    for (const reason of marked.values()) expect(reason).toBe('EvictionByEvictionAPI');
  }, 60_000);
});

describe.skipIf(!kubectl)('deletion of what pods live in', () => {
  it('gc_controller.go: deleting a node does not make its pods vanish: the pod GC marks them Failed (DeletionByPodGC) and force-deletes them', async () => {
    const pod = sandbox.store.list('pods', 'shop').items.find((p) => p.spec.nodeName === 'node02' && p.metadata.labels?.app === 'checkout')!;
    const { changes, gone } = record('shop', pod.metadata.name);
    await k.ok('delete', 'node', 'node02');
    await gone;
    const last = lastBeforeDeletion(changes);
    expect(last.status.phase).toBe('Failed');
    expect(condition(last, 'DisruptionTarget')).toMatchObject({ reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
    await waitFor('checkout running elsewhere', () => sandbox.store.list('pods', 'shop').items.some((p) => p.metadata.labels?.app === 'checkout' && p.status?.phase === 'Running'));
  }, 60_000);

  it('namespaced_resources_deleter.go: deleting a namespace terminates its pods gracefully (Killing, deletionTimestamp) before they go', async () => {
    const { changes, gone } = record('shop', 'debug-shell');
    await k.ok('delete', 'namespace', 'shop', '--wait=false');
    await gone;
    expect(changes.some((c) => c.type === 'MODIFIED' && c.object.metadata.deletionTimestamp && c.object.metadata.deletionGracePeriodSeconds === 5)).toBe(true);
    expect(exitCodes(lastBeforeDeletion(changes))).toEqual([137]);
    await waitFor('namespace gone', () => !sandbox.store.get('namespaces', undefined, 'shop'), 30_000);
  }, 60_000);
});
