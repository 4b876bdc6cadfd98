import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFenceJob } from '../../jobs/fence.js';
import { unfenceJob } from '../../jobs/unfence.js';
import { ErrorCode, JobError } from '../../src/core/errors.js';
import { FenceArgsSchema, type FenceArgs } from '../../src/core/verbs/index.js';
import { WarningCode } from '../../src/core/plan.js';
import { FENCED_BOOT_ANNOTATION, OUT_OF_SERVICE_TAINT } from '../../src/k8s/out-of-service.js';
import { eventually } from '../support/eventually.js';
import { podsOn, startJobFixture, writes, type JobFixture } from './support/fixture.js';

/**
 * `/k8s fence` on the notready-rwo scenario (incident 003): node03 silent for 15 minutes, its pods
 * stuck Terminating, two Ceph RBD ReadWriteOnce volumes still attached to it. The job against
 * the sandbox's pod GC and attach/detach controller, which follow upstream.
 */

const fenceArgs = (node: string, extra: Partial<FenceArgs> = {}): FenceArgs => FenceArgsSchema.parse({ node, timeoutMs: 60_000, ...extra });
const job = createFenceJob({ progressIntervalMs: 0 });

let f: JobFixture;
beforeAll(async () => {
  f = await startJobFixture('notready-rwo');
});
afterAll(() => f?.close());

describe('fence', () => {
  it('refuses a node that heartbeated recently (healthy node01), naming the override; nothing is tainted', async () => {
    const plan = await job.plan(fenceArgs('node01'), f.ctx('f-healthy'));
    expect(plan.refusal?.flag).toBe('--ignore-heartbeat');
    expect(plan.refusal?.message).toMatch(/^node01 heartbeated within 5m \(Ready=True, last heartbeat \d+m?s ago, from its Lease kube-node-lease\/node01\): its kubelet may still run/);
    f.sandbox.resetRequests();
    const err = await job.execute(fenceArgs('node01'), plan, f.ctx('f-healthy-run')).catch((e: unknown) => e);
    expect((err as JobError).code).toBe(ErrorCode.OperationRefused);
    expect(writes(f.sandbox.requests().byVerb)).toEqual({});
    expect((await f.kube.core.readNode({ name: 'node01' })).spec?.taints ?? []).not.toContainEqual(expect.objectContaining({ key: OUT_OF_SERVICE_TAINT.key }));
    // --ignore-heartbeat lifts the refusal; the danger warning then says it heartbeated.
    const forced = await job.plan(fenceArgs('node01', { ignoreHeartbeat: true }), f.ctx('f-forced'));
    expect(forced.refusal).toBeUndefined();
    expect(forced.warnings.find((w) => w.code === WarningCode.NodeMayBeRunning)?.message).toMatch(/It heartbeated recently: only go on if you know the machine is off/);
  });

  it('unfence refuses node03 while it is NotReady', async () => {
    const plan = await unfenceJob.plan({ node: 'node03' }, f.ctx('u-early'));
    // Not fenced yet: nothing to do.
    expect(plan.actions).toEqual([]);
  });

  let planned: Awaited<ReturnType<typeof job.plan>>;
  it('plans node03: its state from the Lease, the pods force-deleted, the attachments detached and who waits on them', async () => {
    planned = await job.plan(fenceArgs('node03'), f.ctx('f-plan'));
    expect(planned.refusal).toBeUndefined();
    expect(planned.summary).toMatch(/^Fence node03 \(Ready=Unknown, last heartbeat 15m( \d+s)? ago, from its Lease kube-node-lease\/node03\): taint it node.kubernetes.io\/out-of-service=nodeshutdown:NoExecute; its 3 pods are force-deleted and 2 volumes detached$/);
    expect(planned.actions.filter((a) => a.kind === 'delete').map((a) => a.target).sort()).toEqual([
      'pod/db/postgres-0',
      expect.stringMatching(/^pod\/default\/sleep-/),
      expect.stringMatching(/^pod\/shop\/web-/),
    ]);
    const detach = planned.actions.filter((a) => a.kind === 'detach');
    expect(detach).toHaveLength(2);
    expect(detach.map((a) => a.detail).join('\n')).toMatch(/PVC db\/data-postgres-0/);
    expect(detach.map((a) => a.detail).join('\n')).toMatch(/PVC default\/sleep-data\); waited on by default\/sleep-/);
    expect(planned.skipped.map((s) => s.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/tolerates node.kubernetes.io\/out-of-service: stays until unfenced/)]));
    expect(planned.warnings.find((w) => w.code === WarningCode.NodeMayBeRunning)?.severity).toBe('danger');
    expect(planned.facts).toMatchObject({ 'Ready node/node03': 'Unknown', 'heartbeat node/node03': 'over 5m ago' });
    expect(planned.facts['bootID node/node03']).toMatch(/^[0-9a-f-]{36}$/);
    expect(planned.confirm).toMatch(/^Only approve if node03 is powered off/);
  });

  it('executes: backs up, taints, and follows pods going, volumes detaching and replacements becoming Ready', async () => {
    const ctx = f.ctx('f-run');
    f.sandbox.resetRequests();
    const result = await job.execute(fenceArgs('node03'), planned, ctx);
    expect(result.ok, result.text).toBe(true);
    expect(result.title).toMatch(/^Fenced node03: 3 pods force-deleted, 2 volumes detached, 3 workloads Ready again in /);
    expect(result.changed).toContain('node/node03 tainted node.kubernetes.io/out-of-service=nodeshutdown:NoExecute');
    expect(result.changed).toEqual(expect.arrayContaining([expect.stringMatching(/^statefulset db\/postgres: postgres-0 Ready on node0[12]$/)]));
    // The taint is its only write; the pod GC and the attach/detach controller did the rest.
    expect(writes(f.sandbox.requests().byVerb)).toEqual({ 'patch nodes': 1 });
    const node = await f.kube.core.readNode({ name: 'node03' });
    expect(node.spec?.taints).toContainEqual(expect.objectContaining({ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }));
    expect(node.metadata?.annotations?.[FENCED_BOOT_ANNOTATION]).toBe(planned.facts['bootID node/node03']);
    expect((await podsOn(f.kube, 'node03')).filter((p) => !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet')).map((p) => p.metadata?.name)).toEqual([]);
    // Every PV, PVC and pod manifest was saved first.
    const [backup] = await ctx.backups();
    const kinds = (backup!.objects as { kind: string }[]).map((o) => o.kind).sort();
    expect(kinds).toEqual(['Node', 'PersistentVolume', 'PersistentVolume', 'PersistentVolumeClaim', 'PersistentVolumeClaim', 'Pod', 'Pod', 'Pod', 'VolumeAttachment', 'VolumeAttachment']);
    // Progress was reported along the way, ending complete.
    expect(ctx.progressLog.at(-1)).toMatchObject({ phase: 'done', done: 8, total: 8 });
  });

  it('unfence: refused while node03 is NotReady; once it rebooted (new boot ID) the taint goes', async () => {
    const early = await unfenceJob.plan({ node: 'node03' }, f.ctx('u1'));
    expect(early.refusal?.message).toMatch(/^node03 is still NotReady \(Ready=Unknown\): it is not back/);
    await f.sandbox.rebootNode('node03', { downMs: 200 });
    await eventually(async () => (await f.kube.core.readNode({ name: 'node03' })).status?.nodeInfo?.bootID !== planned.facts['bootID node/node03'], { what: 'node03 in a new boot' });
    const plan = await unfenceJob.plan({ node: 'node03' }, f.ctx('u2'));
    expect(plan.refusal).toBeUndefined();
    expect(plan.actions).toEqual([{ kind: 'untaint', target: 'node/node03', detail: 'node.kubernetes.io/out-of-service=nodeshutdown:NoExecute' }]);
    const result = await unfenceJob.execute({ node: 'node03' }, plan, f.ctx('u2'));
    expect(result.title).toBe('node03 is back in service');
    const node = await f.kube.core.readNode({ name: 'node03' });
    expect(node.spec?.taints ?? []).not.toContainEqual(expect.objectContaining({ key: OUT_OF_SERVICE_TAINT.key }));
    expect(node.metadata?.annotations?.[FENCED_BOOT_ANNOTATION]).toBeUndefined();
  });
});

describe('fence, resumed', () => {
  let g: JobFixture;
  beforeAll(async () => {
    g = await startJobFixture('notready-rwo');
  });
  afterAll(() => g?.close());

  it('a worker killed after the taint: the resumed job taints nothing twice and reports what the first one started', async () => {
    const plan = await job.plan(fenceArgs('node03'), g.ctx('r-plan'));
    g.sandbox.resetRequests();
    let killed = false;
    const first = g.ctx('r-run', {
      onProgress: (p) => {
        if (p.phase !== 'taint' && !killed) {
          killed = true;
          throw new Error('worker killed');
        }
      },
    });
    const err = await job.execute(fenceArgs('node03'), plan, first).catch((e: unknown) => e);
    expect((err as Error).message).toBe('worker killed');
    const resumed = await job.execute(fenceArgs('node03'), plan, g.ctx('r-run'));
    expect(resumed.ok, resumed.text).toBe(true);
    expect(resumed.changed).toContain('node/node03 tainted node.kubernetes.io/out-of-service=nodeshutdown:NoExecute');
    expect(resumed.changed.filter((c) => c.endsWith('force-deleted (pod GC)'))).toHaveLength(3);
    // One taint patch across both attempts, and one backup.
    expect(writes(g.sandbox.requests().byVerb)).toEqual({ 'patch nodes': 1 });
    expect(await g.ctx('r-run').backups()).toHaveLength(1);
  });
});
