import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWaitJob } from '../../jobs/wait.js';
import { ErrorCode } from '../../src/core/errors.js';
import { WaitArgsSchema, type WaitArgs } from '../../src/core/verbs/index.js';
import { eventually } from '../support/eventually.js';
import { startJobFixture, writes, type JobFixture } from './support/fixture.js';

/**
 * A runbook's wait step against the sandbox: its plan records the baseline (the boot ID, the
 * workloads on a node) and whether the condition holds now; its execution waits until it holds
 * or the timeout, counted from the first start, runs out. It never writes to the cluster.
 */
let f: JobFixture;
const wait = createWaitJob({ pollMs: 50 });
const args = (condition: Record<string, unknown>, timeoutMs = 20_000): WaitArgs => WaitArgsSchema.parse({ condition, timeoutMs });

beforeAll(async () => {
  f = await startJobFixture('maintenance');
});
afterAll(() => f?.close());

describe('wait step', () => {
  it('node-ready with a new boot ID holds only after the node rebooted, not while it is Ready in the boot seen at approval', async () => {
    const a = args({ kind: 'node-ready', node: 'node03', newBootId: true });
    const plan = await wait.plan(a, f.ctx('w-plan'));
    expect(plan.actions).toEqual([]);
    expect(plan.fixed).toMatchObject({ holds: false, bootID: expect.any(String) });
    expect(plan.summary).toMatch(/now: node03 is Ready, boot [0-9a-f]{8} \(same as before\)/);
    f.sandbox.resetRequests();
    const ctx = f.ctx('w-exec');
    const running = wait.execute(a, plan, ctx);
    // Ready in the same boot is not enough: it keeps waiting, and says why.
    await eventually(() => ctx.progressLog.some((p) => /node03 is Ready, boot [0-9a-f]{8} \(same as before\)/.test(p.message)), { what: 'the wait to report the same boot' });
    await f.sandbox.rebootNode('node03');
    const result = await running;
    expect(result).toMatchObject({ ok: true, title: expect.stringMatching(/node03 is Ready, boot [0-9a-f]{8} \(new\)/) });
    expect(writes(f.sandbox.requests().byVerb)).toEqual({});
  });

  it('times out with a coded, not-ok result naming what it last saw; a resumed wait keeps its first deadline', async () => {
    const a = args({ kind: 'node-not-ready', node: 'node01' }, 1000);
    const plan = await wait.plan(a, f.ctx('t-plan'));
    expect(plan.fixed.holds).toBe(false);
    const started = Date.now();
    const result = await wait.execute(a, plan, f.ctx('t-exec'));
    expect(result).toMatchObject({ ok: false, code: ErrorCode.WaitTimeout, title: expect.stringMatching(/^Timed out after 1s waiting for node01 NotReady; last seen: node01 is Ready/) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    // The same job resumed (same checkpoints) is already past its deadline: it ends at once.
    const again = Date.now();
    expect((await wait.execute(a, plan, f.ctx('t-exec'))).code).toBe(ErrorCode.WaitTimeout);
    expect(Date.now() - again).toBeLessThan(900);
  });

  it('pods-gone, deployment-available and pdb-allows-disruptions read what they name; a missing object is a refusal', async () => {
    expect((await wait.plan(args({ kind: 'pods-gone', node: 'node02' }), f.ctx('p1'))).summary).toMatch(/pods? left on node02/);
    expect((await wait.plan(args({ kind: 'deployment-available', name: 'web', namespace: 'shop' }), f.ctx('p2'))).fixed).toMatchObject({ holds: true, seen: '3/3 available, 3 updated' });
    expect((await wait.plan(args({ kind: 'pdb-allows-disruptions', name: 'web', namespace: 'shop' }), f.ctx('p3'))).fixed).toMatchObject({ holds: true, seen: '1 disruption allowed' });
    expect((await wait.plan(args({ kind: 'pdb-allows-disruptions', name: 'nope', namespace: 'shop' }), f.ctx('p4'))).refusal?.message).toMatch(/does not exist/);
    expect((await wait.plan(args({ kind: 'node-ready', node: 'node09' }), f.ctx('p5'))).refusal?.message).toMatch(/node\/node09 does not exist in cluster sandbox/);
  });

  it('replacements-ready remembers the workloads on the node at approval and holds once they are Ready elsewhere', async () => {
    const a = args({ kind: 'replacements-ready', node: 'node02' });
    const plan = await wait.plan(a, f.ctx('r-plan'));
    expect(String(plan.fixed.workloads).split(',').sort()).toEqual(['Deployment/shop/cache', 'Deployment/shop/checkout', 'Deployment/shop/web']);
    expect(plan.fixed.holds).toBe(false);
    const { drainJob } = await import('../../jobs/drain.js');
    const { drainArgs } = await import('./support/fixture.js');
    const d = drainArgs('node02', { deleteEmptyDirData: true, force: true });
    await drainJob.execute(d, await drainJob.plan(d, f.ctx('r-drain-plan')), f.ctx('r-drain'));
    const result = await wait.execute(a, plan, f.ctx('r-exec'));
    expect(result).toMatchObject({ ok: true, title: 'all 3 workload(s) that were on node02 are Ready elsewhere' });
  });
});
