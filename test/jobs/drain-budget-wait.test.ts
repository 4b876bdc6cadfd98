import { afterEach, describe, expect, it } from 'vitest';
import { createDrainJob } from '../../jobs/drain.js';
import { createKubeClients, loadKubeConfig } from '../../src/k8s/kube-clients.js';
import type { KObject } from '../../src/sandbox/index.js';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.js';
import { deploymentOn, drainArgs, podsOn, startJobFixture, type JobFixture } from './support/fixture.js';

let f: JobFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const FULL = { deleteEmptyDirData: true, force: true };

/** Three `api` pods on node02 behind a PDB of maxUnavailable 1: they can only leave one at a time. */
async function chain(fixture: JobFixture): Promise<void> {
  await deploymentOn(fixture, 'node02', { namespace: 'shop', name: 'api', replicas: 3 });
  await fixture.kube.policy.createNamespacedPodDisruptionBudget({ namespace: 'shop', body: { metadata: { name: 'api' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'api' } } } } });
  await fixture.sandbox.idle();
}

/** The worker's ClusterRole as it was before drains watched budgets: list only. */
const withoutBudgetWatch = (o: KObject): KObject =>
  o.kind !== 'ClusterRole'
    ? o
    : { ...o, rules: (o.rules as { resources: string[]; verbs: string[] }[]).map((r) => (r.resources.includes('poddisruptionbudgets') ? { ...r, verbs: r.verbs.filter((v) => v !== 'watch') } : r)) };

describe('drain: evictions refused by a PodDisruptionBudget', () => {
  it('are asked again as soon as the budget allows one, not after the retry interval', async () => {
    f = await startJobFixture('maintenance');
    await chain(f);
    // An interval far longer than the test may run: only the budget's own news can move the drain on.
    const job = createDrainJob({ retryIntervalMs: 10 * 60_000 });
    const ctx = f.ctx('budget-wait');
    const args = drainArgs('node02', FULL);
    const plan = await job.plan(args, ctx);
    f.sandbox.resetRequests();
    const result = await job.execute(args, plan, ctx);
    expect(result.ok).toBe(true);
    expect(result.changed.filter((c) => c.includes('/api-'))).toHaveLength(3);
    expect((await podsOn(f.kube, 'node02')).filter((p) => p.metadata?.labels?.app === 'api')).toEqual([]);
    const requests = f.sandbox.requests().byVerb;
    expect(requests['watch poddisruptionbudgets']).toBe(1);
    // Each retry waits for a new budget status: 3 + 2 + 1 asks for the chain, a few more at most, never a spin.
    const evictions = requests['create pods/eviction'] ?? 0;
    expect(evictions).toBeGreaterThan(plan.actions.filter((a) => a.kind === 'evict').length);
    expect(evictions).toBeLessThan(plan.actions.filter((a) => a.kind === 'evict').length + 10);
  }, 60_000);

  it('still finish at the retry interval when the worker may not watch budgets (a ClusterRole from before the upgrade)', async () => {
    f = await startJobFixture('maintenance');
    await chain(f);
    const kube = createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath: await leastPrivilegeKubeconfig(f.sandbox, withoutBudgetWatch) }));
    const job = createDrainJob({ retryIntervalMs: 200 });
    const ctx = f.ctx('budget-no-watch', { kube });
    const args = drainArgs('node02', FULL);
    const plan = await job.plan(args, ctx);
    const result = await job.execute(args, plan, ctx);
    expect(result.ok).toBe(true);
    expect(result.changed.filter((c) => c.includes('/api-'))).toHaveLength(3);
    expect((await podsOn(f.kube, 'node02')).filter((p) => p.metadata?.labels?.app === 'api')).toEqual([]);
  }, 60_000);
});
