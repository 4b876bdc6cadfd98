import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/start-sandbox.js';
import type { KObject } from '../../src/sandbox/store.js';
import { waitFor } from './api-fixture.js';
import { condition, kubectl, sandboxPerTest } from './fidelity-support.js';

// Non-graceful node shutdown (KEP-2268) and what happens to a dead node's pods and volumes:
// kubernetes/kubernetes pkg/controller/podgc/gc_controller.go (gcTerminating, gcOrphaned) and
// pkg/controller/volume/attachdetach/reconciler/reconciler.go (out-of-service taint,
// maxWaitForUnmountDuration), with the kubelet's FailedMount (pkg/kubelet/volumemanager).
// The notready-rwo scenario: node03 stopped reporting; its pods are stuck Terminating and the
// Ceph RBD volumes of postgres-0 and sleep are still attached to it.

let sandbox: Sandbox;
const k = sandboxPerTest('notready-rwo', (s) => { sandbox = s; });

const attachmentsOn = (node: string) => sandbox.store.list('storage.k8s.io/volumeattachments').items.filter((va) => va.spec.nodeName === node);
const runningOff = (ns: string, name: string, node: string) => {
  const p = sandbox.store.get('pods', ns, name);
  return p?.status?.phase === 'Running' && p.spec.nodeName !== node && !p.metadata.deletionTimestamp ? p : undefined;
};
const events = (reason: string, name?: string) => sandbox.store.list('events').items.filter((e) => e.reason === reason && (!name || (e.involvedObject as { name: string }).name === name));

describe.skipIf(!kubectl)('non-graceful node shutdown', () => {
  it('gc_controller.go gcTerminating + reconciler.go: the out-of-service taint force-deletes the dead node\'s pods and detaches their volumes at once', async () => {
    const stuck = sandbox.store.list('pods').items.filter((p) => p.spec.nodeName === 'node03' && p.metadata.deletionTimestamp);
    expect(stuck.map((p) => p.metadata.name).sort()).toEqual(expect.arrayContaining(['postgres-0']));
    expect(attachmentsOn('node03')).toHaveLength(2);
    const forced: KObject[] = [];
    const unsubscribe = sandbox.store.subscribe((e) => { if (e.key === 'pods' && e.type === 'MODIFIED' && e.object.spec.nodeName === 'node03' && e.object.status?.phase === 'Failed') forced.push(e.object); });

    await k.ok('taint', 'node', 'node03', 'node.kubernetes.io/out-of-service=nodeshutdown:NoExecute');
    await sandbox.idle();
    unsubscribe();
    for (const p of stuck) expect(sandbox.store.get('pods', p.metadata.namespace, p.metadata.name)?.metadata.uid).not.toBe(p.metadata.uid);
    // markFailedAndDeletePod: phase Failed first, then the forced delete.
    expect(forced.map((p) => p.metadata.name)).toEqual(expect.arrayContaining(stuck.map((p) => p.metadata.name)));
    expect(attachmentsOn('node03')).toEqual([]);
    await waitFor('postgres-0 running on a live node', () => runningOff('db', 'postgres-0', 'node03'), 20_000);
  }, 60_000);

  it('gc_controller.go gcTerminating: without the taint nothing is forced, however long the node is gone', async () => {
    await sandbox.idle();
    const p = sandbox.store.mustGet('pods', 'db', 'postgres-0');
    expect(p.metadata.deletionTimestamp).toBeDefined();
    expect(p.spec.nodeName).toBe('node03');
    expect(attachmentsOn('node03')).toHaveLength(2);
  });
});

describe.skipIf(!kubectl)('reconciler.go maxWaitForUnmountDuration', () => {
  it('reconciler.go: after a forced delete the volume stays attached to the unhealthy node for 6 minutes, then is force-detached', async () => {
    await k.ok('delete', 'pod', 'postgres-0', '-n', 'db', '--force', '--grace-period=0');
    const pvName = sandbox.store.mustGet('persistentvolumeclaims', 'db', 'data-postgres-0').spec.volumeName;
    // The StatefulSet's new postgres-0 lands elsewhere and waits on a Multi-Attach error.
    await waitFor('Multi-Attach warning for the new postgres-0', () => events('FailedAttachVolume', 'postgres-0').some((e) => String(e.message).startsWith(`Multi-Attach error for volume "${pvName}"`)));
    expect(attachmentsOn('node03').some((va) => va.spec.source.persistentVolumeName === pvName)).toBe(true);
    // 360 s at this time scale is about 7 s.
    await waitFor('volume force-detached from node03', () => !attachmentsOn('node03').some((va) => va.spec.source.persistentVolumeName === pvName), 30_000);
    await waitFor('postgres-0 running on a live node', () => runningOff('db', 'postgres-0', 'node03'), 20_000);
  }, 60_000);
});

describe('volumemanager FailedMount', () => {
  it('kubelet volumemanager: a pod waiting 2m3s for its volume gets a FailedMount warning', async () => {
    const waiting = await waitFor('sleep replacement waiting for its volume', () => sandbox.store.list('pods', 'default').items.find((p) => p.metadata.labels?.app === 'sleep' && p.spec.nodeName !== 'node03'));
    const e = await waitFor('FailedMount', () => events('FailedMount', waiting.metadata.name)[0], 20_000);
    expect(e).toMatchObject({ type: 'Warning', source: { component: 'kubelet' }, message: 'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data], failed to process volumes=[]: timed out waiting for the condition' });
  }, 30_000);
});

describe.skipIf(!kubectl)('gc_controller.go gcOrphaned', () => {
  it('gc_controller.go gcOrphaned: deleting a node has the pod GC force-delete its pods, marked DeletionByPodGC', async () => {
    const onNode = sandbox.store.list('pods').items.filter((p) => p.spec.nodeName === 'node03');
    expect(onNode.length).toBeGreaterThan(0);
    const marked: KObject[] = [];
    const unsubscribe = sandbox.store.subscribe((e) => { if (e.key === 'pods' && e.type === 'MODIFIED' && condition(e.object, 'DisruptionTarget')?.reason === 'DeletionByPodGC') marked.push(e.object); });
    await k.ok('delete', 'node', 'node03');
    await sandbox.idle();
    unsubscribe();
    expect(sandbox.store.list('pods').items.filter((p) => p.spec.nodeName === 'node03')).toEqual([]);
    expect(marked.length).toBeGreaterThan(0);
    expect(condition(marked[0], 'DisruptionTarget')).toMatchObject({ status: 'True', message: 'PodGC: node no longer exists' });
    expect(marked[0].status.phase).toBe('Failed');
  }, 60_000);
});
