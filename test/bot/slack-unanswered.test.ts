import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForMessage, waitForUpdate } from '../support/cards.js';
import { messageText, OPS, startStack, type Stack } from '../support/stack.js';

/**
 * A Slack call that is never answered (a partition that drops packets; the stand-in's `hang`
 * fault). The bot edits one card at a time (chat/message-poster.ts): without a timeout on each
 * call, one edit left hanging held its card forever, and the card stopped moving while the job
 * went on. Each call now gives up after the bot's Slack timeout and is retried.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance', slackTimeoutMs: 1000 });
});
afterAll(async () => {
  await stack?.stop();
});

describe('a Slack call that is never answered', () => {
  it('an edit left hanging is abandoned after the timeout and sent again: the card still ends Done', async () => {
    // The card is posted (chat.postMessage), then every state is an edit: the first edit hangs.
    stack.slack.failNext('chat.update', { hang: true });
    await stack.slash('get pods -n shop -l app=web');
    const card = await waitForMessage(stack, (m) => /app=web/.test(messageText(m)));
    await waitForUpdate(stack, card.ts, /Done/, 30_000);
    expect(stack.slack.calls('chat.update').filter((c) => c.error === 'hang')).toHaveLength(1);
    expect(messageText(stack.slack.workspace.message(OPS, card.ts)!)).toMatch(/web-/);
  });
});
