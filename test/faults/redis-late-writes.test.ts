import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { RedisClient } from '../../src/core/redis-client.js';
import { ApprovalStore } from '../../src/approval/approval-store.js';
import { withRequestDeadlines } from '../../src/core/deadline.js';
import { randomId } from '../../src/core/ids.js';
import { fingerprintPlan, type Plan } from '../../src/core/plan.js';
import { JobProducer, jobIdFor } from '../../src/queue/job-producer.js';
import { QueueKeys } from '../../src/queue/keys.js';
import { RedisClock } from '../../src/queue/redis-clock.js';
import { createRedis, REQUEST_DEADLINE_MS } from '../../src/queue/redis-connection.js';
import { WorkerRegistry } from '../../src/queue/worker-registry.js';
import { eventually } from '../support/eventually.js';
import { startStack, type Stack } from '../support/stack.js';
import { clusterQueue } from '../../src/queue/cluster-queue.js';

/**
 * Writes Redis runs after the bot gave up on them (issue 15, item 2). The bot's connection gives
 * up on a command after 2 s and tells the user "Redis is not answering"; Redis, paused for writes
 * meanwhile (CLIENT PAUSE WRITE holds exactly the first write of a connection), runs the command
 * later. Each test unpauses only after the bot gave up, and asserts the late write changed nothing.
 */

let stack: Stack;
let admin: Redis;
const connections: RedisClient[] = [];
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance' });
  admin = stack.redis.client();
});
afterAll(async () => {
  await admin?.call('CLIENT', 'UNPAUSE').catch(() => {});
  for (const c of connections) c.disconnect();
  await stack?.stop();
});

/** A connection as the bot's request path has one: fail fast, give up after 2 s. */
async function requestPath(): Promise<{ redis: RedisClient; clock: RedisClock }> {
  const redis = createRedis(stack.redis.url, { failFast: true });
  connections.push(redis);
  if (redis.status !== 'ready') await new Promise((r) => redis.once('ready', r));
  const clock = await new RedisClock(redis).start();
  return { redis, clock };
}

/** Runs `fn` as a Slack request's step while Redis holds writes; resolves with its error once it gave up. */
async function givenUpWhilePaused(clock: RedisClock, fn: () => Promise<unknown>): Promise<Error> {
  await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE');
  try {
    return await withRequestDeadlines(() => clock.now(), REQUEST_DEADLINE_MS, fn).then(
      () => new Error('the write was not held'),
      (err: Error) => err,
    );
  } finally {
    await admin.call('CLIENT', 'UNPAUSE');
  }
}

function plan(): Plan {
  const base = { actions: [{ kind: 'scale' as const, target: 'deployment/shop/web', detail: 'replicas 3 -> 4' }], warnings: [] };
  return { v: 1, verb: 'scale', cluster: 'sandbox', target: 'deployment/shop/web', summary: 'Scale web to 4', skipped: [], fixed: {}, facts: {}, createdAt: Date.now(), fingerprint: fingerprintPlan(base), ...base };
}

describe('a write Redis runs after the bot gave up on it', () => {
  it('a vote is refused by Redis itself: the approval stays pending with no votes, and the same vote in time counts', async () => {
    const { redis, clock } = await requestPath();
    const approvals = new ApprovalStore(redis, { prefix: `${stack.prefix}-late`, clock });
    const ask = () => approvals.create({ requestId: randomId('req'), verb: 'scale', cluster: 'sandbox', channelId: 'C0OPS', requesterId: 'U0ALICE', requiredApprovals: 1, approvers: '*', plan: plan(), ttlMs: 60_000 });
    // A vote in time first, as on any running bot: Redis then knows the script (no NOSCRIPT round trip).
    expect((await approvals.approve((await ask()).id, 'U0BOB')).kind).toBe('approved');
    const record = await ask();

    const err = await givenUpWhilePaused(clock, () => approvals.approve(record.id, 'U0BOB'));
    expect(err.message).toMatch(/Command timed out/);
    // The next read on this connection is answered after Redis ran (and refused) the held vote.
    const after = await approvals.get(record.id);
    expect(after?.state).toBe('pending');
    expect(after?.approvals).toEqual([]);
    expect((await approvals.audit(0, 100)).filter((e) => e.approvalId === record.id).map((e) => e.action)).toEqual(['requested']);

    const again = await withRequestDeadlines(() => clock.now(), REQUEST_DEADLINE_MS, () => approvals.approve(record.id, 'U0BOB'));
    expect(again.kind).toBe('approved');
  });

  it('a job BullMQ adds after the bot gave up is never run: the worker refuses it once its release deadline passed', async () => {
    const { redis, clock } = await requestPath();
    const keys = new QueueKeys(stack.prefix);
    const producer = new JobProducer({ redis, keys, registry: new WorkerRegistry(redis, keys), clock });
    const requestId = randomId('req');
    const payload = { v: 1 as const, kind: 'read' as const, verb: 'get', requestId, cluster: 'sandbox', args: { resource: 'nodes' }, requestedBy: 'U0ALICE', channelId: 'C0OPS' };

    // The live-worker check reads; the add is the first write, held until the bot gave up.
    const err = await givenUpWhilePaused(clock, () => producer.enqueue(payload));
    expect(err.message).toMatch(/Redis is not answering/);
    const queue = clusterQueue(stack.redis.client(), keys, 'sandbox');
    const jobId = jobIdFor({ requestId, kind: 'read' });
    await eventually(async () => expect(await (await queue.getJob(jobId))?.getState()).toBe('failed'), { timeoutMs: 20_000 });
    expect((await queue.getJob(jobId))?.failedReason).toMatch(/Not run: Redis stopped answering while this was being queued/);
    const events = await stack.redis.client().xrange(keys.events, '-', '+');
    const bodies = events.map(([, f]) => JSON.parse(f[1]!)).filter((e) => e.jobId === jobId).map((e) => e.body.type);
    expect(bodies).toEqual(['failed']);
    await queue.close();
    await producer.close();
  });
});
