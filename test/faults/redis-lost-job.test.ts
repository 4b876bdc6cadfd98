import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOST_LINE } from '../../src/chat/render/lost-card.js';
import { pendingAndRunning, waitForMessage, waitForUpdate } from '../support/cards.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { CAROL, messageText, startStack, type Stack } from '../support/stack.js';

/**
 * Issue 15, item 1, the chaos suite's Redis restart (`npm run chaos`, redis-restart-empty) in
 * short: Redis down under a running drain, then back empty. While it is down the drain sends no
 * eviction (each waits for the worker's ownership check, JobContext.assertOwned); once it is back
 * empty the drain stops, so its card's "nothing more will run" holds; and the very next command is
 * taken, since the worker registers again as soon as it reconnects (before, it was refused "No
 * live worker" until the worker's next heartbeat, 5 s later).
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
