import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { cordonJob } from '../../jobs/cordon.js';
import { deletePodJob } from '../../jobs/delete-pod.js';
import { OPERATION_JOBS } from '../../jobs/registry.js';
import { RESTARTED_AT, restartJob } from '../../jobs/restart.js';
import { scaleJob } from '../../jobs/scale.js';
import { uncordonJob } from '../../jobs/uncordon.js';
import { ErrorCode, JobError } from '../../src/core/errors.js';
import { WarningCode } from '../../src/core/plan.js';
import { DeletePodArgsSchema, RestartArgsSchema, ScaleArgsSchema } from '../../src/core/verbs/index.js';
import { isCordoned } from '../../src/k8s/node-schedulable.js';
import { callOptions, mergePatch } from '../../src/k8s/request-options.js';
import { startJobFixture, writes, type JobFixture } from './support/fixture.js';

let f: JobFixture;
beforeAll(async () => {
  f = await startJobFixture('maintenance');
});
afterAll(() => f?.close());

describe('registry', () => {
  it('registers one operation job per verb', () => {
    expect(Object.keys(OPERATION_JOBS).sort()).toEqual(['cordon', 'delete', 'drain', 'fence', 'restart', 'scale', 'uncordon', 'unfence']);
    for (const [verb, job] of Object.entries(OPERATION_JOBS)) expect(job.verb.name).toBe(verb);
  });
});

describe('restart', () => {
  const replicaSets = async () => (await f.kube.apps.listNamespacedReplicaSet({ namespace: 'shop', labelSelector: 'app=web' })).items;

  it('rolls once even when the same approved plan runs twice', async () => {
    const args = RestartArgsSchema.parse({ kind: 'deployment', name: 'web', namespace: 'shop' });
    const ctx = f.ctx('r1');
    const plan = await restartJob.plan(args, ctx);
    expect(plan.actions).toEqual([expect.objectContaining({ kind: 'restart', target: 'deployment/shop/web' })]);
    expect(plan.fixed.restartedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const before = (await replicaSets()).length;

    f.sandbox.resetRequests();
    const first = await restartJob.execute(args, plan, ctx);
    expect(first.ok).toBe(true);
    expect(first.changed).toEqual([`deployment/shop/web restarted (restartedAt ${plan.fixed.restartedAt})`]);
    const dep = await f.kube.apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' });
    expect(dep.spec?.template.metadata?.annotations?.[RESTARTED_AT]).toBe(plan.fixed.restartedAt);
    await eventually(async () => (await replicaSets()).length === before + 1, { what: 'a new ReplicaSet for the restart', throwErrors: true });

    // A second worker running the same approved plan (a resumed job, or a duplicate delivery) later.
    const second = await restartJob.execute(args, plan, f.ctx('r1-again'));
    expect(second.ok).toBe(true);
    await f.sandbox.idle();
    expect((await replicaSets()).length).toBe(before + 1);
    expect(writes(f.sandbox.requests().byVerb)).toEqual({ 'patch deployments': 1 });
    const backups = await ctx.backups();
    expect((backups[0]!.objects[0] as { kind: string }).kind).toBe('Deployment');
  });

  it('refuses a paused deployment with kubectl\'s message, and changes nothing', async () => {
    await f.kube.apps.patchNamespacedDeployment({ name: 'cart', namespace: 'shop', body: { spec: { paused: true } } }, callOptions({ patch: mergePatch }));
    const args = RestartArgsSchema.parse({ kind: 'deployment', name: 'cart', namespace: 'shop' });
    const plan = await restartJob.plan(args, f.ctx('r2'));
    expect(plan.refusal?.message).toBe('deployments.apps "cart" can\'t restart paused deployment (run rollout resume first)');
    expect(plan.warnings.map((w) => w.code)).toContain(WarningCode.PausedRollout);
    expect(plan.actions).toEqual([]);
    f.sandbox.resetRequests();
    const err = await restartJob.execute(args, plan, f.ctx('r2')).catch((e: unknown) => e);
    expect((err as JobError).message).toMatch(/can't restart paused deployment/);
    expect(writes(f.sandbox.requests().byVerb)).toEqual({});
  });

  it('says plainly when the deployment does not exist', async () => {
    const err = await restartJob.plan({ kind: 'deployment', name: 'nope', namespace: 'shop' }, f.ctx('r3')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    expect((err as JobError).code).toBe(ErrorCode.NotFound);
    expect((err as JobError).message).toBe('deployment nope not found in namespace shop.');
  });
});

describe('scale', () => {
  it('sets an absolute count through /scale, and a rerun changes nothing', async () => {
    const args = ScaleArgsSchema.parse({ kind: 'deployment', name: 'checkout', namespace: 'shop', replicas: 3 });
    const ctx = f.ctx('s1');
    const plan = await scaleJob.plan(args, ctx);
    expect(plan.summary).toBe('Scale deployment shop/checkout from 1 to 3 replicas');
    expect(plan.actions[0]).toMatchObject({ kind: 'scale', detail: 'replicas 1 -> 3' });
    expect(plan.warnings).toEqual([]);
    f.sandbox.resetRequests();
    const result = await scaleJob.execute(args, plan, ctx);
    expect(result).toMatchObject({ ok: true, changed: ['deployment/shop/checkout replicas 1 -> 3'] });
    expect(writes(f.sandbox.requests().byVerb)).toEqual({ 'patch deployments/scale': 1 });
    expect((await f.kube.apps.readNamespacedDeployment({ name: 'checkout', namespace: 'shop' })).spec?.replicas).toBe(3);

    // Resumed: the count is already there, so it writes nothing and still reports what the job did.
    f.sandbox.resetRequests();
    const again = await scaleJob.execute(args, plan, ctx);
    expect(again.changed).toEqual(['deployment/shop/checkout replicas 1 -> 3']);
    expect(writes(f.sandbox.requests().byVerb)).toEqual({});
  });

  it('warns before scaling to zero', async () => {
    const plan = await scaleJob.plan({ kind: 'deployment', name: 'catalog', namespace: 'shop', replicas: 0 }, f.ctx('s2'));
    expect(plan.warnings.map((w) => w.code)).toEqual([WarningCode.ScaleToZero]);
    expect(plan.warnings[0]!.message).toMatch(/^Scale to zero: all 2 pods of deployment shop\/catalog stop/);
  });

  it('warns when the new pods of a scale-up cannot fit', async () => {
    const plan = await scaleJob.plan({ kind: 'statefulset', name: 'postgres', namespace: 'shop', replicas: 40 }, f.ctx('s3'));
    expect(plan.warnings.map((w) => w.code)).toContain(WarningCode.CapacityShortfall);
  });
});

describe('delete pod', () => {
  it('never deletes a same-name replacement: the UID seen at plan time is a precondition', async () => {
    const old = await f.kube.core.readNamespacedPod({ name: 'postgres-0', namespace: 'shop' });
    const args = DeletePodArgsSchema.parse({ kind: 'pod', name: 'postgres-0', namespace: 'shop' });
    const plan = await deletePodJob.plan(args, f.ctx('x1'));
    expect(plan.actions[0]).toMatchObject({ kind: 'delete', target: 'pod/shop/postgres-0', uid: old.metadata?.uid, owner: 'StatefulSet/postgres' });

    // Meanwhile someone else deletes it and the StatefulSet recreates postgres-0 with a new UID.
    await f.kube.core.deleteNamespacedPod({ name: 'postgres-0', namespace: 'shop', gracePeriodSeconds: 0 });
    const fresh = await eventually(async () => {
      const p = await f.kube.core.readNamespacedPod({ name: 'postgres-0', namespace: 'shop' }).catch(() => undefined);
      return p && p.metadata?.uid !== old.metadata?.uid ? p : undefined;
    }, { what: 'the replacement postgres-0', throwErrors: true });

    const result = await deletePodJob.execute(args, plan, f.ctx('x1'));
    expect(result.ok).toBe(true);
    expect(result.changed).toEqual([]);
    expect(result.unchanged).toEqual([`pod/shop/postgres-0: new pod with the same name (uid ${fresh.metadata?.uid}) not deleted`]);
    const still = await f.kube.core.readNamespacedPod({ name: 'postgres-0', namespace: 'shop' });
    expect(still.metadata?.uid).toBe(fresh.metadata?.uid);
    expect(still.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('deletes the approved pod, force meaning grace 0, and a rerun does nothing more', async () => {
    const victim = (await f.kube.core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=catalog' })).items[0]!;
    const name = victim.metadata!.name!;
    const args = DeletePodArgsSchema.parse({ kind: 'pod', name, namespace: 'shop', force: true, gracePeriod: 0 });
    const ctx = f.ctx('x2');
    const plan = await deletePodJob.plan(args, ctx);
    f.sandbox.resetRequests();
    const result = await deletePodJob.execute(args, plan, ctx);
    expect(result).toMatchObject({ ok: true, changed: [`pod/shop/${name} deleted (uid ${victim.metadata?.uid})`] });
    expect(await f.kube.core.readNamespacedPod({ name, namespace: 'shop' }).catch(() => 'gone')).toBe('gone');
    expect(writes(f.sandbox.requests().byVerb)).toEqual({ 'delete pods': 1 });
    const again = await deletePodJob.execute(args, plan, ctx);
    expect(again.changed).toHaveLength(1);
    expect(writes(f.sandbox.requests().byVerb)).toEqual({ 'delete pods': 1 });
    const [backup] = await ctx.backups();
    expect((backup!.objects[0] as { metadata: { name: string } }).metadata.name).toBe(name);
  });
});

describe('a worker killed between a write and its checkpoint', () => {
  it('delete pod: the resumed job says the pod was deleted (by its first attempt), not that it was already gone', async () => {
    const victim = (await f.kube.core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=catalog' })).items[0]!;
    const name = victim.metadata!.name!;
    const args = DeletePodArgsSchema.parse({ kind: 'pod', name, namespace: 'shop', force: true, gracePeriod: 0 });
    const first = f.ctx('k1');
    const plan = await deletePodJob.plan(args, first);
    const real = first.checkpoints;
    // The worker dies right after the API accepted the DELETE, before it checkpoints it.
    first.checkpoints = { get: (n) => real.get(n), set: async (n, v) => (n === 'deleted' ? Promise.reject(new Error('worker killed')) : real.set(n, v)) };
    await expect(deletePodJob.execute(args, plan, first)).rejects.toThrow();
    expect(await f.kube.core.readNamespacedPod({ name, namespace: 'shop' }).catch(() => 'gone')).toBe('gone');
    const resumed = await deletePodJob.execute(args, plan, f.ctx('k1'));
    expect(resumed).toMatchObject({ ok: true, changed: [`pod/shop/${name} deleted (uid ${victim.metadata?.uid})`], unchanged: [] });
  });

  it('cordon: the resumed job says it cordoned the node, not that it was already cordoned', async () => {
    const first = f.ctx('k2');
    const plan = await cordonJob.plan({ node: 'node01' }, first);
    // Dies right after the patch went through (a checkpoint written after it would be lost).
    const patchNode = (...a: Parameters<typeof f.kube.core.patchNode>) => f.kube.core.patchNode(...a).then(() => Promise.reject(new Error('worker killed')));
    const kube = { ...f.kube, core: new Proxy(f.kube.core, { get: (t, p, r) => (p === 'patchNode' ? patchNode : Reflect.get(t, p, r)) }) };
    await expect(cordonJob.execute({ node: 'node01' }, plan, { ...first, kube })).rejects.toThrow();
    expect(isCordoned(await f.kube.core.readNode({ name: 'node01' }))).toBe(true);
    const resumed = await cordonJob.execute({ node: 'node01' }, plan, f.ctx('k2'));
    expect(resumed).toMatchObject({ ok: true, title: 'node01 cordoned', changed: ['node/node01 cordoned'] });
    await uncordonJob.execute({ node: 'node01' }, await uncordonJob.plan({ node: 'node01' }, f.ctx('k3')), f.ctx('k3'));
  });
});

describe('cordon and uncordon', () => {
  it('cordon, then a no-op cordon that says so, then uncordon', async () => {
    const ctx = f.ctx('c1');
    const plan = await cordonJob.plan({ node: 'node03' }, ctx);
    expect(plan.actions).toEqual([{ kind: 'cordon', target: 'node/node03' }]);
    const done = await cordonJob.execute({ node: 'node03' }, plan, ctx);
    expect(done).toMatchObject({ ok: true, title: 'node03 cordoned', changed: ['node/node03 cordoned'] });
    expect(isCordoned(await f.kube.core.readNode({ name: 'node03' }))).toBe(true);

    const noop = await cordonJob.plan({ node: 'node03' }, f.ctx('c2'));
    expect(noop.actions).toEqual([]);
    expect(noop.summary).toBe('node03 is already cordoned: nothing to do');
    f.sandbox.resetRequests();
    const again = await cordonJob.execute({ node: 'node03' }, noop, f.ctx('c2'));
    expect(again).toMatchObject({ ok: true, changed: [], unchanged: ['node/node03 was already cordoned'] });
    expect(writes(f.sandbox.requests().byVerb)).toEqual({});

    const un = await uncordonJob.plan({ node: 'node03' }, f.ctx('c3'));
    const res = await uncordonJob.execute({ node: 'node03' }, un, f.ctx('c3'));
    expect(res.changed).toEqual(['node/node03 schedulable']);
    expect(isCordoned(await f.kube.core.readNode({ name: 'node03' }))).toBe(false);
  });

  it('names a missing node plainly', async () => {
    const err = await cordonJob.plan({ node: 'node09' }, f.ctx('c4')).catch((e: unknown) => e);
    expect((err as JobError).code).toBe(ErrorCode.NotFound);
    expect((err as JobError).message).toBe('Node node09 not found in cluster sandbox. Did you mean node01?');
    const far = await cordonJob.plan({ node: 'gpu-worker-7' }, f.ctx('c5')).catch((e: unknown) => e);
    expect((far as JobError).message).toBe('Node gpu-worker-7 not found in cluster sandbox. Nodes: cp01, node01, node02, node03.');
  });
});
