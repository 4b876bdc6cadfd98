import { CardAction } from '../../src/chat/render/operation-card.js';
import type { SlackMessage } from '../../src/console/index.js';
import type { SlackApiServer } from '../../src/console/index.js';
import { messageText, OPS } from './stack.js';

/** The value of a button with this action id in a message's blocks, if there is one. */
export function buttonValue(message: { blocks?: unknown[] }, actionId: string): string | undefined {
  for (const block of (message.blocks ?? []) as { type: string; elements?: { action_id?: string; value?: string }[] }[]) {
    if (block.type !== 'actions') continue;
    const b = block.elements?.find((e) => e.action_id === actionId);
    if (b) return b.value;
  }
  return undefined;
}

/** Waits for a message in #ops whose text and blocks match. */
export function waitForMessage(stack: { slack: SlackApiServer }, match: RegExp | ((m: SlackMessage) => boolean), timeoutMs = 30_000, channel = OPS): Promise<SlackMessage> {
  const test = typeof match === 'function' ? match : (m: SlackMessage) => match.test(messageText(m));
  return stack.slack.waitFor(() => stack.slack.workspace.messages(channel).find(test), { timeoutMs });
}

/** The current state of one message (it is edited in place). */
export function current(stack: { slack: SlackApiServer }, ts: string, channel = OPS): SlackMessage {
  const m = stack.slack.workspace.message(channel, ts);
  if (!m) throw new Error(`message ${ts} is gone`);
  return m;
}

/** Waits until the message with this ts matches. */
export function waitForUpdate(stack: { slack: SlackApiServer }, ts: string, match: RegExp, timeoutMs = 30_000, channel = OPS): Promise<SlackMessage> {
  return stack.slack.waitFor(() => {
    const m = stack.slack.workspace.message(channel, ts);
    return m && match.test(messageText(m)) ? m : undefined;
  }, { timeoutMs });
}

/** Waits for an ephemeral message to a user that matches. */
export function waitForEphemeral(stack: { slack: SlackApiServer }, user: string, match: RegExp, timeoutMs = 15_000, channel = OPS) {
  return stack.slack.waitFor(() => stack.slack.workspace.ephemerals(channel, user).find((e) => match.test(messageText(e))), { timeoutMs });
}

/** Waits for an approval card whose text matches, and returns it with its Approve button's value. */
export async function waitForApproval(stack: { slack: SlackApiServer }, text: RegExp, timeoutMs = 30_000): Promise<{ card: SlackMessage; approvalId: string }> {
  const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && text.test(messageText(m)), timeoutMs);
  return { card, approvalId: buttonValue(card, CardAction.Approve)! };
}

/**
 * Two requests in flight, as a fault test needs them: `pendingCommand` waiting for approval, and a
 * drain of node02 approved by Bob and running, held by the web PDB (minAvailable raised to 3, so
 * its progress shows the pod a budget is holding back). Lower the budget again to let it finish.
 */
export async function pendingAndRunning(
  stack: { slack: SlackApiServer; slash(text: string, o?: { user?: string }): Promise<unknown>; click(a: string, v: string, o: { user: string; messageTs: string }): Promise<unknown> },
  pendingCommand: string,
  holdDrain: () => Promise<void>,
): Promise<{ pending: { card: SlackMessage; approvalId: string }; drain: { card: SlackMessage; approvalId: string } }> {
  await stack.slash(pendingCommand, { user: 'U0ALICE001' });
  const pending = await waitForApproval(stack, new RegExp(pendingCommand.split(' -')[0]!.replace(/[/.]/g, '\\$&')));
  await holdDrain();
  await stack.slash('drain node02 --delete-emptydir-data --force', { user: 'U0ALICE001' });
  const drain = await waitForApproval(stack, /drain node02/);
  await stack.click(CardAction.Approve, drain.approvalId, { user: 'U0BOB00001', messageTs: drain.card.ts });
  await waitForUpdate(stack, drain.card.ts, /:raised_hand:/, 60_000);
  return { pending, drain };
}

/**
 * The text of the first file uploaded to the stand-in whose name matches, waiting for its content
 * (up to 20 s). `after`: skip the first N files uploaded so far (a later upload of the same name).
 */
export async function uploadedFile(stack: { slack: SlackApiServer }, name: RegExp, after = 0): Promise<string> {
  const file = await stack.slack.waitFor(() => {
    const f = stack.slack.workspace.allFiles().slice(after).find((x) => name.test(x.name ?? ''));
    return f && stack.slack.workspace.file(f.id)?.content ? stack.slack.workspace.file(f.id) : undefined;
  }, { timeoutMs: 20_000 });
  return file.content!.toString('utf8');
}
