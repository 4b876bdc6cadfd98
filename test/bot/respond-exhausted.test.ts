import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { buttonValue, waitForMessage } from '../support/cards.js';
import { oncallPolicy } from '../support/oncall-policy.js';
import { capturedLogger } from '../support/outputs.js';
import { ALICE, messageText, OPS, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let lines: string[];
beforeAll(async () => {
  const captured = capturedLogger();
  lines = captured.lines;
  stack = await startStack({ scenario: 'maintenance', policy: oncallPolicy(['drain']), logger: captured.logger });
});
afterAll(async () => {
  await stack?.stop();
});

/** Resolves once the bot logged that it could not tell the user, `count` times in all. */
function untold(count: number) {
  return vi.waitFor(() => expect(lines.filter((l) => /could not tell the user/.test(l)).length).toBeGreaterThanOrEqual(count), { timeout: 30_000, interval: 50 });
}

function ephemeralTexts(): string[] {
  return stack.slack.workspace.ephemerals(OPS, ALICE).map(messageText);
}

describe('a private reply Slack refuses 5 times is given up quietly, not reported as the command failing', () => {
  it('a slash command: 5 sends, one warning without a stack, no ":x: Internal error" sent after', async () => {
    const before = stack.slack.calls('response_url').length;
    stack.slack.failNext('response_url', { status: 503 }, 5);
    await stack.slash('get nodes --cluster nope', { user: ALICE });
    await untold(1);
    // A second reply would follow the warning at once; the next command's reply comes after it.
    await stack.slash('get nodes --cluster nope2', { user: ALICE });
    await stack.slack.waitFor(() => (ephemeralTexts().some((t) => /nope2/.test(t)) ? true : undefined), { timeoutMs: 20_000 });
    expect(stack.slack.calls('response_url').slice(before).map((c) => c.status)).toEqual([503, 503, 503, 503, 503, 200]);
    expect(ephemeralTexts().filter((t) => /Internal error/.test(t))).toEqual([]);
    expect(lines.filter((l) => /command failed/.test(l))).toEqual([]);
    expect(lines.filter((l) => /could not tell the user/.test(l)).every((l) => !/"stack"/.test(l))).toBe(true);
  });

  it('a click: the click that worked is not answered ":x: Internal error" once its reply could not be sent', async () => {
    await stack.slash('drain node02 --delete-emptydir-data --force', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /drain node02/.test(messageText(m)));
    const before = stack.slack.calls('response_url').length;
    stack.slack.failNext('response_url', { status: 503 }, 5);
    await stack.click(CardAction.Approve, buttonValue(card, CardAction.Approve)!, { user: ALICE, messageTs: card.ts });
    await untold(2);
    await stack.slash('get nodes --cluster nope3', { user: ALICE });
    await stack.slack.waitFor(() => (ephemeralTexts().some((t) => /nope3/.test(t)) ? true : undefined), { timeoutMs: 20_000 });
    expect(stack.slack.calls('response_url').slice(before).map((c) => c.status)).toEqual([503, 503, 503, 503, 503, 200]);
    expect(ephemeralTexts().filter((t) => /Internal error/.test(t))).toEqual([]);
    expect(lines.filter((l) => /button click failed/.test(l))).toEqual([]);
  });
});
