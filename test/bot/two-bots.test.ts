import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/chat/bot.js';
import { sendBlockAction, sendSlashCommand } from '../../src/console/index.js';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { buttonValue, waitForMessage, waitForUpdate } from '../support/cards.js';
import { ALICE, BOB, CAROL, DAVE, messageText, OPS, SIGNING_SECRET, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let second: Bot;
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance' });
  second = await stack.startBotReplica();
});
afterAll(async () => {
  await stack?.stop();
});

describe('two bot replicas on one Redis', () => {
  it('every request gets exactly one message, which ends Done, whichever replica relays its events', async () => {
    const texts = Array.from({ length: 8 }, (_, i) => `get pods -n shop -l replica-test!=r${i}`);
    await Promise.all(
      texts.map((text, i) => {
        const url = i % 2 ? second.url : stack.bot.url;
        return sendSlashCommand(url, SIGNING_SECRET, { command: '/k8s', text, userId: ALICE, channelId: OPS, responseUrl: stack.slack.responseUrlFor(OPS, ALICE) });
      }),
    );
    for (const text of texts) {
      const card = await waitForMessage(stack, (m) => messageText(m).includes(text));
      await waitForUpdate(stack, card.ts, /^Done|Done ·/);
      const posts = stack.slack.calls('chat.postMessage').filter((c) => JSON.stringify(c.args).includes(text));
      expect(posts, text).toHaveLength(1);
    }
  });

  it('approve clicks spread over both replicas enqueue the execution exactly once', async () => {
    await stack.slash('scale deployment/cart -n shop --replicas 3', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /deployment\/cart/.test(messageText(m)));
    const approvalId = buttonValue(card, CardAction.Approve)!;
    const users = [BOB, CAROL, DAVE];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        sendBlockAction(i % 2 ? second.url : stack.bot.url, SIGNING_SECRET, {
          userId: users[i % users.length],
          channelId: OPS,
          messageTs: card.ts,
          actionId: CardAction.Approve,
          value: approvalId,
          responseUrl: stack.slack.responseUrlFor(OPS, users[i % users.length], { messageTs: card.ts }),
        }),
      ),
    );
    await waitForUpdate(stack, card.ts, /Done/, 60_000);
    const requestId = (await stack.bot.services.approvals.get(approvalId))!.requestId;
    expect((await stack.jobs()).filter((j) => j.requestId === requestId && j.kind === 'execute')).toHaveLength(1);
  });
});
