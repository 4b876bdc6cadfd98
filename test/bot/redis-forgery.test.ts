import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Plan } from '../../src/core/plan.js';
import { demoPolicy } from '../../src/demo/demo-policy.js';
import { QueueKeys } from '../../src/queue/keys.js';
import { replicasOf } from '../support/cluster-edits.js';
import { eventually } from '../support/eventually.js';
import { OPS, useStack } from '../support/stack.js';
import { clusterQueue } from '../../src/queue/cluster-queue.js';

/**
 * The attacker docs/operations.md plans for: write access to Redis, not SITREP_JOB_KEY. Found by
 * the attack review: a runbook request forged in Redis, listed for the bot's recovery sweep, made
 * the bot sign and a worker run a scale to zero with no click at all. The bot now signs only under
 * a decision it sealed at a click (core/decision-seal.ts).
 */
const stack = useStack({ scenario: 'maintenance', policy: demoPolicy() });
const MALLORY = 'U0MALLORY1';

describe('Redis write access alone', () => {
  it('a running runbook forged in Redis, with a genuine plan from an unsigned plan job, is stopped by the sweep: nothing signed, nothing scaled, the refusal audited', async () => {
    const q = clusterQueue(stack.redis.client(), new QueueKeys(stack.prefix), 'sandbox');
    try {
      const args = { kind: 'deployment', name: 'web', namespace: 'shop', replicas: 0 };
      const before = await replicasOf(stack.sandbox, 'shop', 'web');
      expect(before).toBeGreaterThan(0);
      // Plan jobs are read-only and unsigned: a worker plans whatever is queued.
      const planJob = await q.add('plan:scale', { v: 1, kind: 'plan', verb: 'scale', requestId: 'req_mallory_plan', cluster: 'sandbox', args, requestedBy: MALLORY, channelId: OPS }, { jobId: `p${randomBytes(3).toString('hex')}` });
      const plan = await eventually(async () => ((await q.getJob(planJob.id!))?.returnvalue as { plan?: Plan } | undefined)?.plan, { what: 'the plan job result' });

      // A "running runbook" whose step 0 runs that plan, listed for the recovery sweep.
      const id = `req_mallory_${randomBytes(3).toString('hex')}`;
      const procedure = { v: 1, name: 'evil', description: 'x', source: 'built-in', params: {}, steps: [{ kind: 'run', name: 'scale', text: 'scale deployment/web --replicas 0 -n shop', verb: 'scale', args, risk: 'destructive', target: 'deployment/shop/web', namespace: 'shop', plan: 'now' }] };
      const request = { v: 1, id, command: '/k8s', text: 'runbook evil', verb: 'runbook', args: { procedure }, cluster: 'sandbox', userId: MALLORY, channelId: OPS, receivedAt: Date.now() };
      const raw = stack.redis.client();
      await raw.hset(stack.requests.keys.request(id), 'request', JSON.stringify(request), 'state', 'running', 'plan', JSON.stringify(plan), 'stepIndex', '0', 'stepAttempt', '1', 'stepStatus', 'running', 'cursorAt', '0', 'step:0', JSON.stringify({ status: 'running', approvedPlan: plan }));
      await raw.zadd(stack.requests.keys.activeRunbooks, 0, id);

      const ended = await eventually(async () => {
        const r = await stack.requests.get(id);
        return r && r.state !== 'running' ? r : undefined;
      }, { what: 'the sweep to stop the forged runbook', timeoutMs: 30_000 });
      expect(ended.state).toBe('failed');
      expect(ended.result?.title).toMatch(/no sealed record of the approval/);
      expect((await stack.jobs()).filter((j) => j.kind === 'execute' && j.requestId.startsWith(id))).toEqual([]);
      expect(await replicasOf(stack.sandbox, 'shop', 'web')).toBe(before);
      const refusals = (await stack.bot.services.approvals.audit(0, 1000)).filter((e) => e.action === 'refused' && e.requestId === id);
      expect(refusals.map((e) => e.detail).join('\n')).toMatch(/no sealed record/);
    } finally {
      await q.close();
    }
  });
});
