import { afterEach, describe, expect, it } from 'vitest';
import { createDrainJob } from '../../jobs/drain.js';
import { capturedLogger } from '../support/outputs.js';
import { eventually } from '../support/eventually.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { deploymentOn, drainArgs, podsOn, startJobFixture, type JobFixture } from './support/fixture.js';

let f: JobFixture | undefined;
afterEach(async () => {
  f?.redis.server.signal('SIGCONT');
  await f?.close();
  f = undefined;
});

/**
 * A drain that stops moving says in the worker's log what it waits on (jobs/support/stall-watch.ts):
 * a card stuck at "Running" is the operator's first sign, and the log must tell a stuck dependency
 * from a PodDisruptionBudget doing its job. Here a budget holds the pods, then Redis hangs (SIGSTOP)
 * as the budget lets them go.
 */
describe('drain: the stall report', () => {
  it('names a PodDisruptionBudget while one holds the pods, then Redis while Redis hangs; the drain finishes once both let go', async () => {
    f = await startJobFixture('maintenance');
    await deploymentOn(f, 'node02', { namespace: 'shop', name: 'api', replicas: 3 });
    // minAvailable = replicas: no api pod may leave until the budget is lowered.
    await f.kube.policy.createNamespacedPodDisruptionBudget({ namespace: 'shop', body: { metadata: { name: 'api' }, spec: { minAvailable: 3, selector: { matchLabels: { app: 'api' } } } } });
    await f.sandbox.idle();
    const { logger, lines } = capturedLogger();
    const stalls = () => lines.map((l) => JSON.parse(l) as { level: number; msg: string; waiting?: Record<string, number> }).filter((l) => /no progress/.test(l.msg));
    const ctx = f.ctx('stall', { log: logger });
    const job = createDrainJob({ stallReportMs: 200, retryIntervalMs: 60_000 });
    const args = drainArgs('node02', { deleteEmptyDirData: true, force: true });
    const plan = await job.plan(args, ctx);
    const running = job.execute(args, plan, ctx);

    // Once the other pods are gone, only the budget holds the drain.
    const held = await eventually(() => stalls().find((l) => JSON.stringify(l.waiting) === '{"for a disruption budget":3}'), { what: 'a stall report naming only the budget', timeoutMs: 20_000 });
    expect(held.level).toBe(40);
    expect(held.msg).toMatch(/^drain of node02 \(evicting\): no progress for \d+ms; \d+\/\d+ pods gone; pods waiting: 3 for a disruption budget$/);

    // Redis hangs, then the budget lets the pods go: each must record its intent in Redis first.
    f.redis.server.signal('SIGSTOP');
    await setMinAvailable(f.sandbox, 'shop', 'api', 0);
    const stuck = await eventually(() => stalls().find((l) => (l.waiting?.['on Redis'] ?? 0) > 0), { what: 'a stall report naming Redis', timeoutMs: 20_000 });
    expect(stuck.msg).toMatch(/pods waiting: .*\d+ on Redis/);

    f.redis.server.signal('SIGCONT');
    const result = await running;
    expect(result.ok).toBe(true);
    expect((await podsOn(f.kube, 'node02')).filter((p) => p.metadata?.labels?.app === 'api')).toEqual([]);
  }, 60_000);
});
