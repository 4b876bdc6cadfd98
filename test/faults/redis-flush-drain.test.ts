import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { LOST_LINE } from '../../src/chat/render/lost-card.js';
import { ErrorCode } from '../../src/core/errors.js';
import { current, waitForApproval, waitForUpdate } from '../support/cards.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { eventually } from '../support/eventually.js';
import { recordEvictions } from '../support/evictions.js';
import { capturedLogger } from '../support/outputs.js';
import { ALICE, BOB, messageText, startStack, type Stack } from '../support/stack.js';

/**
 * Redis emptied (FLUSHALL) while a drain is mid-way: the user's card says the request was lost
 * and "nothing more will run", and that is true: the worker, whose job Redis no longer holds,
 * evicts nothing more, even once the budget that held it back allows it.
 */

let stack: Stack;
const log = capturedLogger();
beforeAll(async () => {
  // BullMQ's own lock renewal would notice the flush only 15 s later (half the lock): what stops
  // the drain sooner is its ownership check before each eviction.
  stack = await startStack({ scenario: 'maintenance', lockDurationMs: 30_000, logger: log.logger });
});
afterAll(async () => {
  await stack?.stop();
});

describe('Redis emptied mid-drain', () => {
  it('the card says lost and nothing more will run, and no eviction is accepted after the flush', async () => {
    const evictions = recordEvictions(stack.sandbox);
    // The web PDB allows no disruption: the drain evicts the other three pods and waits on web's.
    await setMinAvailable(stack.sandbox, 'shop', 'web', 3);
    await stack.slash('drain node02 --delete-emptydir-data --force', { user: ALICE });
    const { card, approvalId } = await waitForApproval(stack, /drain node02/);
    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
    await waitForUpdate(stack, card.ts, /:raised_hand:/, 60_000);
    await eventually(() => evictions.list('node02').length === 3, { what: 'checkout, cache and debug-shell evicted', describe: () => JSON.stringify(evictions.list()) });
    const web = (await stack.core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node02' })).items.find((p) => p.metadata?.name?.startsWith('web-'))!;

    await stack.redis.client().flushall();
    const flushedAt = Date.now();
    const lost = await waitForUpdate(stack, card.ts, new RegExp(LOST_LINE), 30_000);
    expect(messageText(lost)).toMatch(/nothing more will run/);

    // The budget now allows web's eviction: a worker that kept going would evict it at once.
    await setMinAvailable(stack.sandbox, 'shop', 'web', 2);
    await eventually(() => log.lines.some((l) => l.includes(ErrorCode.JobLost)) || evictions.list().some((e) => e.at > flushedAt), {
      what: 'the worker to stop, or to evict after the flush',
      timeoutMs: 30_000,
    });
    expect(evictions.list().filter((e) => e.at > flushedAt)).toEqual([]);
    expect((await stack.core.readNamespacedPod({ name: web.metadata!.name!, namespace: 'shop' })).metadata?.uid).toBe(web.metadata?.uid);
    // What the worker did after is coherent with the card: it stopped and reported nothing more.
    expect(messageText(current(stack, card.ts))).toMatch(new RegExp(LOST_LINE));
  });
});
