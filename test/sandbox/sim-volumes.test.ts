import { afterEach, describe, expect, it } from 'vitest';
import { setNodeCondition } from '../../src/sandbox/node-conditions.js';
import { apiDeletePod, events, pods, runningReady, startSim, waitFor, type Sim } from './sim-support.js';

let sim: Sim | undefined;
afterEach(() => sim?.stop());

const attachments = (sim: Sim, pv: string) => sim.store.list('storage.k8s.io/volumeattachments').items.filter((va) => va.spec.source.persistentVolumeName === pv).map((va) => va.spec.nodeName);

describe('volume attachments', () => {
  it('keeps a ReadWriteOnce volume attached to a NotReady node and the replacement in ContainerCreating (Multi-Attach)', async () => {
    sim = await startSim('notready-rwo');
    const { store } = sim;
    const pv = store.mustGet('persistentvolumeclaims', 'default', 'sleep-data').spec.volumeName;
    const [old] = pods(store, 'default', (p) => p.spec.nodeName === 'node03');
    const [fresh] = pods(store, 'default', (p) => p.spec.nodeName !== 'node03');
    expect(old.metadata.deletionTimestamp).toBeDefined();
    expect(fresh.status.phase).toBe('Pending');
    expect(fresh.status.containerStatuses[0].state.waiting.reason).toBe('ContainerCreating');
    expect(attachments(sim, pv)).toEqual(['node03']);
    expect(events(store, 'FailedAttachVolume', fresh.metadata.name).map((e) => e.message)).toEqual([
      `Multi-Attach error for volume "${pv}" Volume is already used by pod(s) ${old.metadata.name}`,
    ]);

    // Force delete (grace 0) removes the pod object, but nobody can confirm the unmount on node03.
    store.remove('pods', 'default', old.metadata.name);
    await waitFor(sim, 'exclusively-attached warning', () => events(store, 'FailedAttachVolume', fresh.metadata.name).some((e) => e.message === `Multi-Attach error for volume "${pv}" Volume is already exclusively attached to one node and can't be attached to another`));
    await sim.controllers.idle();
    expect(attachments(sim, pv)).toEqual(['node03']);
    expect(store.mustGet('pods', 'default', fresh.metadata.name).status.phase).toBe('Pending');

    // node03 comes back: the volume is detached there and attached where the pod waits.
    setNodeCondition(store, 'node03', 'Ready', 'True');
    await waitFor(sim, 'sleep running', () => runningReady(store.mustGet('pods', 'default', fresh.metadata.name)));
    expect(attachments(sim, pv)).toEqual([fresh.spec.nodeName]);
    expect(events(store, 'SuccessfulAttachVolume', fresh.metadata.name)[0].message).toBe(`AttachVolume.Attach succeeded for volume "${pv}"`);
  });

  it('detaches from a Ready node when the pod is gone and attaches on the new node', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    const pv = store.mustGet('persistentvolumeclaims', 'shop', 'data-postgres-0').spec.volumeName;
    expect(attachments(sim, pv)).toEqual(['node03']);
    store.mutate('nodes', undefined, 'node03', (n) => {
      n.spec.unschedulable = true;
    });
    const old = store.mustGet('pods', 'shop', 'postgres-0');
    apiDeletePod(store, 'shop', 'postgres-0', 5);
    const back = await waitFor(sim, 'postgres-0 back elsewhere', () => {
      const p = store.get('pods', 'shop', 'postgres-0');
      return p && p.metadata.uid !== old.metadata.uid && runningReady(p) ? p : undefined;
    });
    expect(back.spec.nodeName).not.toBe('node03');
    expect(attachments(sim, pv)).toEqual([back.spec.nodeName]);
  });
});
