import { describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { LOST_LINE } from '../../src/chat/render/lost-card.js';
import { current, pendingAndRunning, waitForUpdate } from '../support/cards.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { BOB, messageText, useStack } from '../support/stack.js';

/**
 * Redis crashing and coming back with its data (AOF, appendfsync always; issue 15, item 1): a
 * pending approval and a running drain carry on as if nothing happened, and nothing says "lost".
 */

const stack = useStack({ scenario: 'maintenance', aof: true });



describe('Redis crashes and comes back with its data', () => {
  it('a pending approval and a running drain survive a SIGKILL of Redis: the approval still counts, the drain finishes, no pod is evicted twice', async () => {
    const { pending, drain } = await pendingAndRunning(stack, 'scale deployment/web --replicas 4 -n shop', () => setMinAvailable(stack.sandbox, 'shop', 'web', 3));

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
