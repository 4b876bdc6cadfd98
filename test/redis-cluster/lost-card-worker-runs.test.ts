import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOST_LINE } from '../../src/chat/render/lost-card.js';
import { KeyUnit, unitKey } from '../../src/core/key-tags.js';
import { waitForUpdate } from '../support/cards.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { eventually } from '../support/eventually.js';
import { heldDrain } from '../support/held-drain.js';
import { startRedisCluster, wipePrefixOn, type TestRedisCluster } from '../support/redis-cluster.js';
import { startStack, type SharedRedis, type Stack } from '../support/stack.js';

/**
 * On a Redis Cluster one master can lose its data alone. When it is the master of a running
 * drain's request record but not of its job lock, the card says the request was lost and nothing
 * more will run; the worker still holds the lock. Nothing more may run after that line.
 */

let cluster: TestRedisCluster;
let stack: Stack<TestRedisCluster>;
beforeAll(async () => {
  cluster = await startRedisCluster();
  stack = await startStack({ redis: cluster, scenario: 'maintenance', lockDurationMs: 30_000 });
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  await cluster?.stop();
});

describe('the master of a running request\'s record loses its data alone (Redis Cluster)', () => {
  it('once the card says nothing more will run, the drain evicts nothing more', async () => {
    const drain = await heldDrain(stack as unknown as Stack<SharedRedis>);
    const requestId = (await stack.bot.services.approvals.get(drain.approvalId))!.requestId;
    const victim = await cluster.masterOf(unitKey(stack.prefix, KeyUnit.Request, requestId));
    // Whether or not it also holds the job lock (the prefix decides), nothing more may run.
    await wipePrefixOn(victim, stack.prefix);
    await waitForUpdate(stack, drain.card.ts, new RegExp(LOST_LINE), 30_000);
    const before = stack.sandbox.evictions().length;
    // The budget reopens: a drain still running evicts the web pod now.
    await setMinAvailable(stack.sandbox, 'shop', 'web', 2);
    // Either the web pod is evicted (the drain ran on) or the job stopped on the worker.
    await eventually(() => stack.sandbox.evictions().length > before || stack.workers[0]!.runner.activeJobs === 0, { what: 'the drain evicting or stopped', timeoutMs: 20_000 });
    expect(stack.sandbox.evictions().slice(before).map((e) => `${e.namespace}/${e.name}`)).toEqual([]);
  }, 120_000);
});
