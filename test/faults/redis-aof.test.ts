import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { LOST_LINE } from '../../src/chat/render/lost-card.js';
import { current, waitForApproval, waitForUpdate } from '../support/cards.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { ALICE, BOB, messageText, startStack, type Stack } from '../support/stack.js';

/**
 * Redis crashing and coming back with its data (AOF, appendfsync always; issue 15, item 1): a
 * pending approval and a running drain carry on as if nothing happened, and nothing says "lost".
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance', aof: true });
});
afterAll(async () => {
  await stack?.stop();
});



describe('Redis crashes and comes back with its data', () => {
  it('a pending approval and a running drain survive a SIGKILL of Redis: the approval still counts, the drain finishes, no pod is evicted twice', async () => {
    await stack.slash('scale deployment/web --replicas 4 -n shop', { user: ALICE });
    const pending = await waitForApproval(stack, /scale deployment\/web/);
    await setMinAvailable(stack.sandbox, 'shop', 'web', 3);
    await stack.slash('drain node02 --delete-emptydir-data --force', { user: ALICE });
    const drain = await waitForApproval(stack, /drain node02/);
    await stack.click(CardAction.Approve, drain.approvalId, { user: BOB, messageTs: drain.card.ts });
    await waitForUpdate(stack, drain.card.ts, /:raised_hand:/, 60_000);

    await stack.redis.kill('SIGKILL');
    await stack.redis.restart();

    await setMinAvailable(stack.sandbox, 'shop', 'web', 2);
    const done = await waitForUpdate(stack, drain.card.ts, /Done|Failed/, 90_000);
    expect(done.text).toMatch(/^Done/);
    const evicted = messageText(done).match(/pod\/shop\/[a-z0-9-]+ evicted/g) ?? [];
    expect(new Set(evicted).size).toBe(evicted.length);

    await stack.click(CardAction.Approve, pending.approvalId, { user: BOB, messageTs: pending.card.ts });
    await waitForUpdate(stack, pending.card.ts, /Done/, 60_000);
    for (const card of [pending.card, drain.card]) expect(messageText(current(stack, card.ts))).not.toContain(LOST_LINE);
  });
});
