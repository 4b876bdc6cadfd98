import { afterEach, describe, expect, it } from 'vitest';
import { createDrainJob, drainJob } from '../../jobs/drain.js';
import type { Plan } from '../../src/core/plan.js';
import { WarningCode } from '../../src/core/plan.js';
import { callOptions, mergePatch } from '../../src/k8s/request-options.js';
import { eventually } from '../support/eventually.js';
import { deploymentOn, drainArgs, startJobFixture, type JobFixture } from './support/fixture.js';

/**
 * A plan's warnings predict what the drain will meet and give advice that fits the case: a budget
 * that will certainly block (and its ways out), and how to avoid downtime for this workload.
 */

let f: JobFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const warning = (plan: Plan, code: string) => plan.warnings.find((w) => w.code === code);
const FULL = { deleteEmptyDirData: true, force: true };

describe('PDBs that will certainly block', () => {
  it('two NotReady replicas under minAvailable 2 (IfHealthyBudget): the plan predicts the block and names the ways out; AlwaysAllow lifts it', async () => {
    f = await startJobFixture('maintenance');
    // api: three replicas behind minAvailable 2; two run on node03 and tolerate its going
    // unreachable (so they stay, NotReady, instead of being evicted after five minutes).
    const tolerate = [
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    ];
    await deploymentOn(f, 'node03', { namespace: 'shop', name: 'api', replicas: 2, spec: { tolerations: tolerate } });
    // The third replica elsewhere: node03 cordoned while it is placed.
    const cordon = (unschedulable: boolean) => f!.kube.core.patchNode({ name: 'node03', body: { spec: { unschedulable } } }, callOptions({ patch: mergePatch }));
    await cordon(true);
    await f.kube.apps.patchNamespacedDeployment({ namespace: 'shop', name: 'api', body: { spec: { replicas: 3 } } }, callOptions({ patch: mergePatch }));
    await eventually(async () => (await f!.kube.core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=api' })).items.some((p) => p.spec?.nodeName !== 'node03' && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')), { what: 'a ready api pod off node03' });
    await cordon(false);
    await f.kube.policy.createNamespacedPodDisruptionBudget({ namespace: 'shop', body: { metadata: { name: 'api' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'api' } } } } });
    await eventually(async () => (await f!.kube.policy.readNamespacedPodDisruptionBudget({ namespace: 'shop', name: 'api' })).status?.currentHealthy === 3, { what: 'three healthy api pods' });
    f.sandbox.setNodeDown('node03');
    await eventually(async () => {
      const s = (await f!.kube.policy.readNamespacedPodDisruptionBudget({ namespace: 'shop', name: 'api' })).status;
      return s?.currentHealthy === 1 && s.desiredHealthy === 2;
    }, { what: 'the api budget down to 1 healthy of 2 needed' });

    const args = drainArgs('node03', { ...FULL, timeoutMs: 3000 });
    const job = createDrainJob({ retryIntervalMs: 100 });
    const plan = await job.plan(args, f.ctx('pdb1'));
    const w = warning(plan, WarningCode.PdbBlocks);
    expect(w?.message).toMatch(/PDB shop\/api \(minAvailable 2\) allows 0 disruptions now \(1 healthy, 2 needed\) and 2 of its pods on node03 need one/);
    expect(w?.message).toMatch(/unhealthyPodEvictionPolicy IfHealthyBudget \(the default\) it refuses their eviction and the drain blocks until --timeout/);
    expect(w?.message).toMatch(/Ways out: `unhealthyPodEvictionPolicy: AlwaysAllow` on the PDB .*, `--disable-eviction` .*, get its 1 missing pod Ready/);
    expect(w?.objects.filter((o) => o.startsWith('pod/shop/api-'))).toHaveLength(2);
    expect(plan.facts['allowed disruptions poddisruptionbudget/shop/api']).toBe(0);

    // The prediction holds: the eviction API refuses both until the drain gives up.
    const result = await job.execute(args, plan, f.ctx('pdb1-run'));
    expect(result.ok).toBe(false);
    expect(result.text).toMatch(/shop\/api-\S+: blocked: The disruption budget api needs 2 healthy pods and has 1 currently/);

    // unhealthyPodEvictionPolicy: AlwaysAllow lets the NotReady pods go without budget: no block predicted.
    await f.kube.policy.patchNamespacedPodDisruptionBudget({ namespace: 'shop', name: 'api', body: { spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } } }, callOptions({ patch: mergePatch }));
    await f.sandbox.idle();
    const allowed = await drainJob.plan(drainArgs('node03', FULL), f.ctx('pdb2'));
    expect(warning(allowed, WarningCode.PdbBlocks)).toBeUndefined();
  });
});

describe('downtime advice that fits the case', () => {
  it('a single-replica deployment: cordon, then scale to 2', async () => {
    f = await startJobFixture('maintenance');
    const plan = await drainJob.plan(drainArgs('node02', FULL), f.ctx('a1'));
    const w = warning(plan, WarningCode.SingleReplica)!;
    expect(w.message).toMatch(/deployment shop\/checkout has its only ready replica on node02: down ~\S+ until a replacement is Ready; to avoid it, `\/k8s cordon node02`, then `\/k8s scale deployment\/checkout --replicas 2 -n shop` and wait until the new pod is Ready on another node/i);
  });

  it('a deployment already at 2 with both replicas on the node: the next count is 3, and nothing spreads them', async () => {
    f = await startJobFixture('maintenance');
    await deploymentOn(f, 'node02', { namespace: 'shop', name: 'api', replicas: 2 });
    const plan = await drainJob.plan(drainArgs('node02', FULL), f.ctx('a2'));
    const w = warning(plan, WarningCode.SingleReplica)!;
    const api = w.message.split('. ').find((s) => /deployment shop\/api /i.test(s))!;
    expect(api).toMatch(/has all 2 ready replicas on node02/);
    expect(api).toMatch(/`\/k8s cordon node02`, then `\/k8s scale deployment\/api --replicas 3 -n shop`/);
    expect(api).toMatch(/its 2 replicas share node02 because nothing spreads them: add a topologySpreadConstraint or pod anti-affinity on kubernetes.io\/hostname/);
    expect(w.message).not.toMatch(/--replicas 2 -n shop` .*deployment\/api/);
    expect(w.message).not.toContain('Scale up first');
  });

  it('a single-replica StatefulSet: restarts in place once the old pod is gone; no scale advice', async () => {
    f = await startJobFixture('maintenance');
    const plan = await drainJob.plan(drainArgs('node03', FULL), f.ctx('a3'));
    const w = warning(plan, WarningCode.SingleReplica)!;
    const pg = w.message.split('. ').find((s) => /statefulset shop\/postgres/i.test(s))!;
    expect(pg).toMatch(/has its only ready replica on node03: down ~\S+ until a replacement is Ready; a StatefulSet pod restarts in place after the old one is gone \(same name, same volume\)/);
    expect(pg).not.toMatch(/scale statefulset|--replicas/);
  });
});
