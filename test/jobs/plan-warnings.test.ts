import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cordonJob } from '../../jobs/cordon.js';
import { deletePodJob } from '../../jobs/delete-pod.js';
import { drainJob } from '../../jobs/drain.js';
import { uncordonJob } from '../../jobs/uncordon.js';
import type { Plan } from '../../src/core/plan.js';
import { WarningCode } from '../../src/core/plan.js';
import { callOptions, mergePatch } from '../../src/k8s/request-options.js';
import { drainArgs, startJobFixture, type JobFixture } from './support/fixture.js';

/**
 * Each hazard shows on the scenario that models its incident, and not on a healthy node. Plans are
 * read-only, so one sandbox per scenario serves every case in it.
 */

const codes = (plan: Plan) => plan.warnings.map((w) => w.code).sort();
const warning = (plan: Plan, code: string) => plan.warnings.find((w) => w.code === code);

const ALL_DRAIN_HAZARDS = [
  WarningCode.LocalData,
  WarningCode.SingleReplica,
  WarningCode.PdbBlocks,
  WarningCode.CapacityShortfall,
  WarningCode.NodeOverCommit,
  WarningCode.LastSchedulableNode,
  WarningCode.ControlPlaneNode,
  WarningCode.StaticPods,
  WarningCode.RwoMultiAttach,
  WarningCode.NodeNotReady,
  WarningCode.BarePods,
];

describe('maintenance: routine drain of node02', () => {
  let f: JobFixture;
  beforeAll(async () => {
    f = await startJobFixture('maintenance');
  });
  afterAll(() => f?.close());

  it('warns about the emptyDir cache, the single-replica checkout and the bare pod, and nothing else', async () => {
    const plan = await drainJob.plan(drainArgs('node02', { deleteEmptyDirData: true, force: true }), f.ctx('p1'));
    expect(codes(plan)).toEqual([WarningCode.BarePods, WarningCode.LocalData, WarningCode.SingleReplica].sort());
    expect(warning(plan, WarningCode.LocalData)!.message).toMatch(/shop\/cache-\S+ \(emptyDir cache-data\)/);
    expect(warning(plan, WarningCode.SingleReplica)!.objects).toContain('deployment/shop/checkout');
    // web has two more ready replicas elsewhere: no downtime for it.
    expect(warning(plan, WarningCode.SingleReplica)!.objects).not.toContain('deployment/shop/web');
    expect(warning(plan, WarningCode.BarePods)!.objects).toEqual(['pod/shop/debug-shell']);
    expect(plan.refusal).toBeUndefined();
    expect(plan.skipped.map((s) => s.target).join(' ')).toMatch(/node-exporter/);
    const evicts = plan.actions.filter((a) => a.kind === 'evict');
    expect(evicts).toHaveLength(4);
    expect(evicts.every((a) => a.uid)).toBe(true);
    expect(evicts.find((a) => a.target.includes('/web-'))!.owner).toBe('Deployment/web');
  });

  it('refuses, with kubectl\'s words, what the flags do not allow', async () => {
    const plan = await drainJob.plan(drainArgs('node02'), f.ctx('p2'));
    expect(plan.refusal?.message).toMatch(/^cannot delete Pods with local storage \(use --delete-emptydir-data to override\): shop\/cache-\S+; cannot delete Pods that declare no controller \(use --force to override\): shop\/debug-shell$/);
    expect(plan.refusal?.flag).toBe('--delete-emptydir-data --force');
    const strict = await drainJob.plan(drainArgs('node02', { ignoreDaemonsets: false, deleteEmptyDirData: true, force: true }), f.ctx('p3'));
    expect(strict.refusal?.message).toMatch(/^cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\): kube-system\/calico-node-/);
  });

  it('a healthy node (node01) shows none of the drain hazards', async () => {
    const plan = await drainJob.plan(drainArgs('node01', { deleteEmptyDirData: true, force: true }), f.ctx('p4'));
    expect(codes(plan).filter((c) => ALL_DRAIN_HAZARDS.includes(c as (typeof ALL_DRAIN_HAZARDS)[number]))).toEqual([]);
  });

  it('a PDB that allows no disruption now shows as pdb-blocks with its numbers', async () => {
    const none = await drainJob.plan(drainArgs('node02', { deleteEmptyDirData: true, force: true }), f.ctx('p5'));
    expect(warning(none, WarningCode.PdbBlocks)).toBeUndefined();
    await f.kube.policy.patchNamespacedPodDisruptionBudget({ name: 'web', namespace: 'shop', body: { spec: { minAvailable: 3 } } }, callOptions({ patch: mergePatch }));
    await f.sandbox.idle();
    const plan = await drainJob.plan(drainArgs('node02', { deleteEmptyDirData: true, force: true }), f.ctx('p6'));
    const w = warning(plan, WarningCode.PdbBlocks);
    expect(w?.message).toMatch(/PDB shop\/web \(minAvailable 3\) allows 0 disruptions now \(3 healthy, 3 needed\) and 1 of its pods on node02 need one: it can never allow them all .* Ways out: `--disable-eviction`/);
    expect(w?.objects[0]).toBe('poddisruptionbudget/shop/web');
  });

  it('cordon and uncordon of a healthy node warn about nothing', async () => {
    expect((await cordonJob.plan({ node: 'node02' }, f.ctx('p7'))).warnings).toEqual([]);
    const un = await uncordonJob.plan({ node: 'node02' }, f.ctx('p8'));
    expect(un.warnings).toEqual([]);
    expect(un.actions).toEqual([]);
    expect(un.summary).toMatch(/already schedulable/);
  });
});

describe('local-storage: the single node master01', () => {
  let f: JobFixture;
  beforeAll(async () => {
    f = await startJobFixture('local-storage');
  });
  afterAll(() => f?.close());

  it('warns about local PVs, the last schedulable node, the control plane and its static pods', async () => {
    const plan = await drainJob.plan(drainArgs('master01', { deleteEmptyDirData: true, force: true }), f.ctx('l1'));
    const c = codes(plan);
    for (const code of [WarningCode.LocalData, WarningCode.LastSchedulableNode, WarningCode.ControlPlaneNode, WarningCode.StaticPods, WarningCode.SingleReplica]) expect(c).toContain(code);
    expect(c).not.toContain(WarningCode.CapacityShortfall);
    expect(c).not.toContain(WarningCode.RwoMultiAttach);
    const local = warning(plan, WarningCode.LocalData)!;
    expect(local.objects).toEqual(expect.arrayContaining(['persistentvolume/local-pv-mysql', 'persistentvolume/local-pv-minio', 'persistentvolumeclaim/data/data-mysql-0']));
    expect(local.message).toMatch(/\/data\/local-pv\/mysql on master01/);
    expect(warning(plan, WarningCode.StaticPods)!.message).toMatch(/kube-apiserver-master01/);
    expect(warning(plan, WarningCode.StaticPods)!.severity).toBe('info');
    // Static pods are skipped, never evicted.
    expect(plan.actions.some((a) => a.target.includes('kube-apiserver'))).toBe(false);
    expect(plan.skipped.find((s) => s.target.includes('etcd-master01'))?.reason).toMatch(/static/);
  });

  it('cordoning the only node warns that nothing can be scheduled', async () => {
    const plan = await cordonJob.plan({ node: 'master01' }, f.ctx('l2'));
    expect(codes(plan)).toEqual([WarningCode.LastSchedulableNode]);
    expect(warning(plan, WarningCode.LastSchedulableNode)!.severity).toBe('danger');
  });
});

describe('memory-pressure: moving worker02\'s pods', () => {
  let f: JobFixture;
  beforeAll(async () => {
    f = await startJobFixture('memory-pressure');
  });
  afterAll(() => f?.close());

  it('finds the capacity shortfall and the nodes pushed over 90%', async () => {
    const plan = await drainJob.plan(drainArgs('worker02'), f.ctx('m1'));
    const c = codes(plan);
    expect(c).toContain(WarningCode.CapacityShortfall);
    const short = warning(plan, WarningCode.CapacityShortfall)!;
    expect(short.severity).toBe('danger');
    expect(short.message).toMatch(/will stay Pending after leaving worker02/);
    expect(short.message).toMatch(/Insufficient memory/);
    expect(c).toContain(WarningCode.NodeOverCommit);
    expect(warning(plan, WarningCode.NodeOverCommit)!.message).toMatch(/memory \d+% -> 9\d%/);
    expect(c).not.toContain(WarningCode.LastSchedulableNode);
  });

  it('uncordon warns about memory pressure on worker02 only', async () => {
    const hot = await uncordonJob.plan({ node: 'worker02' }, f.ctx('m2'));
    expect(codes(hot)).toEqual([WarningCode.NodePressure]);
    expect(warning(hot, WarningCode.NodePressure)!.message).toMatch(/^worker02 reports MemoryPressure/);
    const cool = await uncordonJob.plan({ node: 'worker01' }, f.ctx('m3'));
    expect(cool.warnings).toEqual([]);
  });
});

describe('notready-rwo: NotReady node03 with an attached RBD volume', () => {
  let f: JobFixture;
  beforeAll(async () => {
    f = await startJobFixture('notready-rwo');
  });
  afterAll(() => f?.close());

  it('drain of node03 warns about Multi-Attach and the NotReady kubelet', async () => {
    const plan = await drainJob.plan(drainArgs('node03'), f.ctx('n1'));
    const c = codes(plan);
    expect(c).toContain(WarningCode.RwoMultiAttach);
    expect(c).toContain(WarningCode.NodeNotReady);
    const rwo = warning(plan, WarningCode.RwoMultiAttach)!;
    expect(rwo.severity).toBe('danger');
    expect(rwo.objects).toEqual(expect.arrayContaining(['pod/db/postgres-0', 'persistentvolumeclaim/db/data-postgres-0']));
    expect(rwo.objects.some((o) => o.startsWith('volumeattachment/'))).toBe(true);
    // Its pods are already terminating: the plan says it only waits for them.
    expect(plan.actions.find((a) => a.target === 'pod/db/postgres-0')?.detail).toMatch(/already terminating/);
  });

  it('force delete of postgres-0 warns about Multi-Attach; a graceful one about the NotReady node', async () => {
    const forced = await deletePodJob.plan({ kind: 'pod', name: 'postgres-0', namespace: 'db', force: true, gracePeriod: 0 }, f.ctx('n2'));
    expect(codes(forced)).toContain(WarningCode.RwoMultiAttach);
    expect(codes(forced)).not.toContain(WarningCode.NodeNotReady);
    const graceful = await deletePodJob.plan({ kind: 'pod', name: 'postgres-0', namespace: 'db', force: false, gracePeriod: -1 }, f.ctx('n3'));
    expect(codes(graceful)).toContain(WarningCode.NodeNotReady);
    expect(codes(graceful)).not.toContain(WarningCode.RwoMultiAttach);
    expect(graceful.actions[0]).toMatchObject({ kind: 'delete', target: 'pod/db/postgres-0', owner: 'StatefulSet/postgres' });
  });

  it('uncordon of node03 warns it is NotReady; healthy node01 shows no node hazard', async () => {
    expect(codes(await uncordonJob.plan({ node: 'node03' }, f.ctx('n4')))).toEqual([WarningCode.NodeNotReady]);
    const healthy = await drainJob.plan(drainArgs('node01', { deleteEmptyDirData: true, force: true }), f.ctx('n5'));
    expect(codes(healthy)).not.toContain(WarningCode.RwoMultiAttach);
    expect(codes(healthy)).not.toContain(WarningCode.NodeNotReady);
  });
});
