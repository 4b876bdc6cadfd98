import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createDrainJob, drainJob } from '../../jobs/drain.js';
import { ErrorCode, JobError } from '../../src/core/errors.js';
import { isCordoned } from '../../src/k8s/node-schedulable.js';
import { callOptions, mergePatch } from '../../src/k8s/request-options.js';
import type { KubeClients } from '../../src/k8s/kube-clients.js';
import { deploymentOn, drainArgs, podsOn, startJobFixture, writes, type JobFixture } from './support/fixture.js';

let f: JobFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const FULL = { deleteEmptyDirData: true, force: true };
const isWorkload = (p: V1Pod) => !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet') && !p.metadata?.annotations?.['kubernetes.io/config.mirror'];

/**
 * The real client with its eviction and delete calls counted per pod UID (from the request's UID
 * precondition): instrumentation of the real thing, to prove no pod is asked twice.
 */
function countingKube(kube: KubeClients, after?: (uid: string, count: number) => void, before?: () => Promise<void>): { kube: KubeClients; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const record = (uid: string | undefined) => {
    if (!uid) return;
    calls.set(uid, (calls.get(uid) ?? 0) + 1);
  };
  const core = new Proxy(kube.core, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === 'createNamespacedPodEviction') {
        return async (param: { body: { deleteOptions?: { preconditions?: { uid?: string } } } }, opts: unknown) => {
          const uid = param.body.deleteOptions?.preconditions?.uid;
          await before?.();
          record(uid);
          const res = await (value as (p: unknown, o: unknown) => Promise<unknown>).call(target, param, opts);
          if (uid) after?.(uid, calls.get(uid)!);
          return res;
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { kube: { ...kube, core }, calls };
}

describe('drain execute', () => {
  it('drains node02: cordons, evicts every target, waits until they are gone, backs up first', async () => {
    f = await startJobFixture('maintenance');
    const ctx = f.ctx('d1');
    const args = drainArgs('node02', FULL);
    const plan = await drainJob.plan(args, ctx);
    const result = await drainJob.execute(args, plan, ctx);
    expect(result.ok).toBe(true);
    expect(result.title).toMatch(/^Drained node02: 4 pods evicted/);
    expect(result.changed).toContain('node/node02 cordoned');
    expect(result.changed.filter((c) => c.endsWith(' evicted'))).toHaveLength(4);
    expect(result.unchanged.join('\n')).toMatch(/node-exporter-\S+ left alone: DaemonSet-managed/);
    const left = (await podsOn(f.kube, 'node02')).filter(isWorkload);
    expect(left.map((p) => p.metadata?.name)).toEqual([]);
    expect(isCordoned(await f.kube.core.readNode({ name: 'node02' }))).toBe(true);
    // Progress went from 0 to all, ending in the done phase.
    const last = ctx.progressLog.at(-1)!;
    expect(last).toMatchObject({ phase: 'done', done: 4, total: 4 });
    // Backup: the node and the four pods, as plain manifests without managedFields.
    const [backup] = await ctx.backups();
    expect(backup!.name).toBe('drain-node02');
    const objects = backup!.objects as { kind: string; metadata: Record<string, unknown> }[];
    expect(objects.map((o) => o.kind).sort()).toEqual(['Node', 'Pod', 'Pod', 'Pod', 'Pod']);
    expect(objects.every((o) => !('managedFields' in o.metadata))).toBe(true);
  });

  it('refused by the filters: touches nothing on the node, not even the cordon', async () => {
    f = await startJobFixture('maintenance');
    const ctx = f.ctx('d2');
    const args = drainArgs('node02');
    const plan = await drainJob.plan(args, ctx);
    f.sandbox.resetRequests();
    const err = await drainJob.execute(args, plan, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    expect((err as JobError).code).toBe(ErrorCode.DrainRefused);
    expect((err as JobError).message).toMatch(/cannot delete Pods with local storage \(use --delete-emptydir-data to override\)/);
    expect(writes(f.sandbox.requests().byVerb)).toEqual({});
    expect(isCordoned(await f.kube.core.readNode({ name: 'node02' }))).toBe(false);
  });

  it('dry run (client and server) changes nothing: no write request at all', async () => {
    f = await startJobFixture('maintenance');
    for (const dryRun of ['client', 'server'] as const) {
      const ctx = f.ctx(`d3-${dryRun}`);
      const args = drainArgs('node02', { ...FULL, dryRun });
      const plan = await drainJob.plan(args, ctx);
      expect(plan.summary).toMatch(/^Dry run: would cordon node02, then evict 4 pods/);
      f.sandbox.resetRequests();
      const result = await drainJob.execute(args, plan, ctx);
      expect(result).toMatchObject({ ok: true, changed: [] });
      expect(result.title).toMatch(/^Dry run/);
      expect(writes(f.sandbox.requests().byVerb)).toEqual({});
      expect(f.sandbox.requests().total).toBeGreaterThan(0);
    }
    expect((await podsOn(f.kube, 'node02')).filter(isWorkload)).toHaveLength(4);
  });

  it('stops on drift that adds a pod, and runs drift that only removes one', async () => {
    f = await startJobFixture('maintenance');
    const args = drainArgs('node02', FULL);
    const plan = await drainJob.plan(args, f.ctx('d4'));
    await f.kube.core.createNamespacedPod({
      namespace: 'shop',
      body: { metadata: { name: 'late-debug' }, spec: { nodeName: 'node02', containers: [{ name: 'sh', image: 'busybox:1.36' }] } },
    });
    f.sandbox.resetRequests();
    const err = await drainJob.execute(args, plan, f.ctx('d4-exec')).catch((e: unknown) => e);
    expect((err as JobError).code).toBe(ErrorCode.PlanDrifted);
    expect((err as JobError).message).toMatch(/New: .*evict pod\/shop\/late-debug/);
    expect(writes(f.sandbox.requests().byVerb)).toEqual({});

    // Remove the new pod and the bare one the plan had: the plan only shrank, so it runs.
    await f.kube.core.deleteNamespacedPod({ namespace: 'shop', name: 'late-debug', gracePeriodSeconds: 0 });
    await f.kube.core.deleteNamespacedPod({ namespace: 'shop', name: 'debug-shell', gracePeriodSeconds: 0 });
    const result = await drainJob.execute(args, plan, f.ctx('d4-exec2'));
    expect(result.ok).toBe(true);
    expect(result.unchanged).toContain('pod/shop/debug-shell was already gone');
  });

  it('waits on a PDB that allows one disruption at a time, and completes as replacements become Ready', async () => {
    f = await startJobFixture('maintenance');
    const kube = f.kube;
    // Three `api` pods, all on node02 (the others cordoned while they are placed), behind maxUnavailable 1.
    await deploymentOn(f, 'node02', { namespace: 'shop', name: 'api', replicas: 3 });
    await kube.policy.createNamespacedPodDisruptionBudget({ namespace: 'shop', body: { metadata: { name: 'api' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'api' } } } } });
    await f.sandbox.idle();

    const job = createDrainJob({ retryIntervalMs: 100, progressIntervalMs: 0 });
    const ctx = f.ctx('d5');
    const args = drainArgs('node02', FULL);
    const plan = await job.plan(args, ctx);
    expect(plan.warnings.find((w) => w.code === 'pdb-blocks')?.message).toMatch(/PDB shop\/api \(maxUnavailable 1\) allows 1 disruption now .* 3 of its pods on node02 need one: evictions wait/);
    f.sandbox.resetRequests();
    const result = await job.execute(args, plan, ctx);
    expect(result.ok).toBe(true);
    expect(result.changed.filter((c) => c.includes('/api-'))).toHaveLength(3);
    // The API server refused some evictions (429) and the job waited them out.
    const evictions = f.sandbox.requests().byVerb['create pods/eviction'] ?? 0;
    expect(evictions).toBeGreaterThan(plan.actions.filter((a) => a.kind === 'evict').length);
    const blockedEvents = ctx.events.filter((e) => e.kind === 'job.blocked');
    expect(blockedEvents.length).toBeGreaterThan(0);
    // currentHealthy is 2 or 3: the API server takes a disruption off the status at once, the disruption controller recounts later.
    expect(blockedEvents[0]!.text).toMatch(/^Eviction of shop\/api-\S+ blocked: The disruption budget api needs 2 healthy pods and has [23] currently/);
    // One event per pod, however many 429s it got.
    expect(new Set(blockedEvents.map((e) => e.key)).size).toBe(blockedEvents.length);
    const blockedProgress = ctx.progressLog.find((p) => p.blocked.length > 0)!;
    expect(blockedProgress.message).toMatch(/blocked: shop\/api-\S+ \(The disruption budget api needs 2 healthy pods/);
    expect((await podsOn(kube, 'node02')).filter((p) => p.metadata?.labels?.app === 'api')).toEqual([]);
  });

  it('times out with ok=false, naming the pod still there and the PDB that blocks it', async () => {
    f = await startJobFixture('maintenance');
    await f.kube.policy.patchNamespacedPodDisruptionBudget({ name: 'web', namespace: 'shop', body: { spec: { minAvailable: 3 } } }, callOptions({ patch: mergePatch }));
    await f.sandbox.idle();
    const job = createDrainJob({ retryIntervalMs: 100 });
    const ctx = f.ctx('d6');
    const args = drainArgs('node02', { ...FULL, timeoutMs: 1500 });
    const plan = await job.plan(args, ctx);
    const result = await job.execute(args, plan, ctx);
    expect(result.ok).toBe(false);
    expect(result.code).toBe(ErrorCode.Timeout);
    expect(result.title).toMatch(/^Drain of node02 timed out after 2s: 1 pod still there/);
    expect(result.text).toMatch(/shop\/web-\S+: blocked: The disruption budget web needs 3 healthy pods and has 3 currently/);
    expect(result.text).toMatch(/node02 stays cordoned/);
    expect(result.changed.filter((c) => c.endsWith(' evicted'))).toHaveLength(3);
    expect(ctx.events.filter((e) => e.kind === 'job.blocked')).toHaveLength(1);
  });

  it("a resumed drain keeps the deadline its first attempt started (--timeout is for the whole drain, as kubectl's)", async () => {
    f = await startJobFixture('maintenance');
    await f.kube.policy.patchNamespacedPodDisruptionBudget({ name: 'web', namespace: 'shop', body: { spec: { minAvailable: 3 } } }, callOptions({ patch: mergePatch }));
    await f.sandbox.idle();
    const job = createDrainJob({ retryIntervalMs: 100 });
    const { kube, calls } = countingKube(f.kube);
    const args = drainArgs('node02', { ...FULL, timeoutMs: 1500 });
    const first = f.ctx('d7', { kube });
    const plan = await job.plan(args, first);
    expect((await job.execute(args, plan, first)).code).toBe(ErrorCode.Timeout);
    const asked = [...calls.values()].reduce((a, b) => a + b, 0);
    // The same execution taken up again (a worker lost after its last step): its time is spent.
    const again = await job.execute(args, plan, f.ctx('d7', { kube }));
    expect(again.code).toBe(ErrorCode.Timeout);
    expect(again.title).toMatch(/^Drain of node02 timed out after \d+s: 1 pod still there/);
    expect([...calls.values()].reduce((a, b) => a + b, 0), 'eviction requests after the deadline').toBe(asked);
  });

  it('a drain never says "empty" while pods are stuck: --skip-wait-for-delete-timeout on a NotReady node lists what is still there and why', async () => {
    f = await startJobFixture('notready-rwo');
    const ctx = f.ctx('d7');
    const args = drainArgs('node03', { skipWaitForDeleteTimeoutSeconds: 60, timeoutMs: 60_000 });
    const plan = await drainJob.plan(args, ctx);
    // Stuck for ten minutes: skipped before any other filter, as kubectl does.
    expect(plan.actions.filter((a) => a.kind === 'evict')).toEqual([]);
    expect(plan.skipped.find((s) => s.target === 'pod/db/postgres-0')?.reason).toBe('terminating for more than 60s (--skip-wait-for-delete-timeout)');
    // The plan keeps every warning that still applies, and does not suggest the flag already given.
    const codes = plan.warnings.map((w) => w.code);
    expect(codes).toContain('rwo-multi-attach');
    expect(plan.warnings.find((w) => w.code === 'rwo-multi-attach')!.objects).toContain('pod/db/postgres-0');
    const notReady = plan.warnings.find((w) => w.code === 'node-not-ready')!.message;
    expect(notReady).not.toMatch(/Use --skip-wait-for-delete-timeout/);
    expect(notReady).toMatch(/not waited for and stay on node03/);
    expect(plan.summary).toMatch(/3 terminating pods not waited for \(they stay on node03\)/);
    f.sandbox.resetRequests();
    const result = await drainJob.execute(args, plan, ctx);
    expect(result.ok).toBe(false);
    expect(result.code).toBe(ErrorCode.DrainIncomplete);
    expect(result.title).toBe('Drain of node03 incomplete: 3 pods still on node03');
    expect(`${result.title}\n${result.text}`).not.toMatch(/empty|Drained/);
    const line = result.text.split('\n').find((l) => l.includes('db/postgres-0'))!;
    expect(line).toMatch(/not waited for \(--skip-wait-for-delete-timeout 60\); Terminating for \d+m/);
    expect(line).toMatch(/node03 is NotReady \(Ready=Unknown\): no kubelet confirms it stopped/);
    expect(line).toMatch(/ReadWriteOnce PVC data-postgres-0 \(PV \S+\) still attached to node03/);
    expect(result.text).toMatch(/`\/k8s fence node03`/);
    expect(result.changed).toEqual(['node/node03 cordoned']);
    expect(result.unchanged.filter((u) => u.startsWith('still on node03: '))).toHaveLength(3);
    // Reading what is left is all it added: the only write is still the cordon.
    expect(writes(f.sandbox.requests().byVerb)).toEqual({ 'patch nodes': 1 });
  });

  // after-request: the worker dies in the window between an accepted eviction and its checkpoint.
  for (const how of ['abort', 'progress-throws', 'after-request'] as const) {
    it(`a worker killed mid-drain (${how}): the resumed job evicts no pod twice and misses none`, async () => {
      f = await startJobFixture('maintenance');
      const args = drainArgs('node02', FULL);
      const jobId = `killed-${how}`;
      // One eviction in flight at a time, so the kill lands with pods still to do.
      const job = createDrainJob({ maxInFlight: 1, progressIntervalMs: 0 });
      let firstCtx: ReturnType<JobFixture['ctx']> | undefined;
      let evicted = 0;
      let died!: () => void;
      const dead = new Promise<void>((resolve) => (died = resolve));
      const { kube, calls } = countingKube(
        f.kube,
        () => {
          evicted++;
          if (how === 'abort' && evicted === 1) firstCtx!.abort(new Error('worker killed'));
        },
        // The next eviction waits for that progress report, so the death lands with pods still
        // to do however busy the machine is (a report runs after the eviction that caused it).
        how === 'progress-throws' ? async () => { if (evicted >= 1) await dead; } : undefined,
      );
      firstCtx = f.ctx(jobId, {
        kube,
        // The worker dies at its first progress report after an eviction went through.
        onProgress: () => {
          if (how === 'progress-throws' && evicted >= 1) {
            died();
            throw new Error('worker killed');
          }
        },
      });
      if (how === 'after-request') {
        const real = firstCtx.checkpoints;
        const ctx = firstCtx;
        firstCtx.checkpoints = {
          get: (name) => real.get(name),
          async set(name, value) {
            if (!name.startsWith('evicted:')) return real.set(name, value);
            ctx.abort(new Error('worker killed'));
            throw new Error('worker killed');
          },
        };
      }
      const plan = await job.plan(args, firstCtx);
      const targets = plan.actions.filter((a) => a.kind === 'evict').map((a) => a.uid!);
      expect(targets).toHaveLength(4);

      const first = await job.execute(args, plan, firstCtx).catch((e: unknown) => e);
      expect((first as Error).message).toBe('worker killed');
      expect(first).not.toBeInstanceOf(JobError);
      const afterKill = calls.size;
      expect(afterKill).toBeGreaterThanOrEqual(1);
      expect(afterKill).toBeLessThan(4);

      // Another worker picks the job up: same job id, same checkpoints.
      const resumed = await job.execute(args, plan, f.ctx(jobId, { kube }));
      expect(resumed.ok).toBe(true);
      for (const uid of targets) expect(calls.get(uid) ?? 0, `evictions of ${uid}`).toBeLessThanOrEqual(1);
      const remaining = (await podsOn(f.kube, 'node02')).filter(isWorkload);
      expect(remaining.map((p) => p.metadata?.name)).toEqual([]);
      // None missed: every approved pod was evicted by this job, once, across both runs.
      expect(targets.every((uid) => calls.get(uid) === 1)).toBe(true);
      // Counted by UID across both runs: the pod the dead worker evicted is this job's, not "already gone".
      expect(resumed.changed.filter((c) => c.endsWith(' evicted'))).toHaveLength(4);
      expect(resumed.unchanged.filter((u) => /already gone/.test(u))).toEqual([]);
      expect(resumed.changed).toContain('node/node02 cordoned');
    });
  }
});
