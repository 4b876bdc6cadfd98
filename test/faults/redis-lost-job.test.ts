import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOST_LINE } from '../../src/chat/render/lost-card.js';
import { pendingAndRunning, waitForMessage, waitForUpdate } from '../support/cards.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { CAROL, messageText, startStack, type Stack } from '../support/stack.js';

/**
 * Issue 15, item 1, found by the chaos suite (`npm run chaos`, redis-restart-empty): after Redis
 * came back empty the running drain's card said "nothing more will run", and the drain went on
 * evicting until its BullMQ lock renewal failed (half of lockDurationMs, 15 s in production).
 * The worker now holds its jobs' writes while Redis is away, checks Redis's epoch marker on every
 * reconnect and heartbeat, and stops its jobs when the data is gone.
 */

let stack: Stack;
beforeAll(async () => {
  // Production's lock: a lock renewal failure must not be what stops the job.
  stack = await startStack({ scenario: 'maintenance', lockDurationMs: 30_000 });
});
afterAll(async () => {
  await stack?.stop();
});

describe('a running job when Redis comes back empty', () => {
  it('nothing more runs once Redis is gone: the drain held by a budget evicts nothing when the budget reopens while Redis is down, nor after it came back empty', async () => {
    const { drain } = await pendingAndRunning(stack, 'restart deployment/catalog -n shop', () => setMinAvailable(stack.sandbox, 'shop', 'web', 3));
    const before = stack.sandbox.evictions().length;
    await stack.redis.kill('SIGKILL');
    // The drain waits only for this budget: it must not evict while no eviction can be recorded.
    await setMinAvailable(stack.sandbox, 'shop', 'web', 2);
    await stack.redis.restart();
    await waitForUpdate(stack, drain.card.ts, new RegExp(LOST_LINE), 30_000);
    await stack.slash('get pdb -n shop', { user: CAROL });
    await waitForMessage(stack, (m) => /^Done/.test(m.text ?? '') && /get pdb/.test(messageText(m)), 40_000);
    await stack.slash('get nodes', { user: CAROL });
    await waitForMessage(stack, (m) => /^Done/.test(m.text ?? '') && /get nodes/.test(messageText(m)), 40_000);
    expect(stack.sandbox.evictions().slice(before).map((e) => `${e.namespace}/${e.name}`)).toEqual([]);
    expect(messageText(stack.slack.workspace.message('C0OPS00001', drain.card.ts)!)).toMatch(new RegExp(LOST_LINE));
  });
});
