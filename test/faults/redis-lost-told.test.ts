import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOST_LINE } from '../../src/chat/render/lost-card.js';
import { waitForApproval, waitForUpdate } from '../support/cards.js';
import { ALICE, messageText, startStack, type Stack } from '../support/stack.js';

/**
 * Redis comes back empty and the first try to tell a lost card fails: Slack refuses the edit
 * (5xx through every retry). The loss must stay to be told: the bot tries again at its next sweep
 * until the card says so. It used to learn the new marker on the first try and forget the loss,
 * and the card kept "Approval needed" for good (the same as a Redis Cluster still settling at the
 * first try: test/redis-cluster/cluster-failover.test.ts failed that way under load).
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance', slackTimeoutMs: 2000 });
});
afterAll(async () => {
  await stack?.stop();
});

describe('a lost card Slack would not edit at first', () => {
  it('is told at a later sweep: the card ends "lost when Redis restarted"', async () => {
    await stack.slash('restart deployment/catalog -n shop', { user: ALICE });
    const { card } = await waitForApproval(stack, /restart deployment\/catalog/);
    // Every send of the first try (the call and its 5 retries) fails; the next sweep's succeeds.
    stack.slack.failNext('chat.update', { status: 503 }, 6);
    await stack.redis.client().flushall();
    const lost = await waitForUpdate(stack, card.ts, new RegExp(LOST_LINE), 60_000);
    expect(messageText(lost)).toMatch(/nothing more will run/);
    expect(stack.slack.calls('chat.update').filter((c) => c.status === 503)).toHaveLength(6);
  });
});
