/**
 * Whenever output is cut, nothing is lost: the whole goes up as a file in the message's thread and
 * the message says what was cut; no message is refused for being too long (the Slack stand-in
 * answers `msg_blocks_too_long` as Slack does); an approver can read every line of a large plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerProcess } from '../../src/worker/worker-process.js';
import { SlackLimits } from '../../src/core/text/limits.js';
import { blocksTextLength } from '../../src/console/block-kit-validation.js';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { buttonValue, waitForMessage, waitForUpdate } from '../support/cards.js';
import { startLogProxy } from '../support/log-proxy.js';
import { ALICE, BOB, messageText, OPS, startStack, TEST_JOB_KEY, type Stack } from '../support/stack.js';

const LINES = Array.from({ length: 5 }, (_, i) => `line${i + 1}:${String(i + 1).repeat(1990)}:end${i + 1}`);

let stack: Stack;
let proxy: Awaited<ReturnType<typeof startLogProxy>>;
let worker: Awaited<ReturnType<typeof startWorkerProcess>>;
beforeAll(async () => {
  stack = await startStack({ scenario: 'large', worker: false });
  proxy = await startLogProxy(stack.workerKubeconfigPath, { 'longlines-0': `${LINES.join('\n')}\n` });
  worker = await startWorkerProcess({ cluster: 'sandbox', kubeconfigPath: proxy.kubeconfigPath, redisUrl: stack.redis.url, prefix: stack.prefix, logger: stack.logger, lockDurationMs: 5000, jobKeys: [TEST_JOB_KEY] });
});
afterAll(async () => {
  await worker?.stop(1000).catch(() => {});
  await proxy?.close();
  await stack?.stop();
});

function threadFiles(ts: string) {
  return stack.slack.workspace.replies(OPS, ts).flatMap((m) => (m.files ?? []).map((f) => stack.slack.workspace.file(f.id)!));
}

describe('long output', () => {
  it('7a. five 2,000-character log lines: every line shown in part, the fence closed, the cut said, the whole log in the thread', async () => {
    await stack.slash('logs longlines-0 -n team-a', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /^Done/.test(m.text ?? '') && /longlines-0/.test(m.text ?? ''));
    const text = messageText(card);
    for (let i = 1; i <= 5; i++) expect(text).toContain(`line${i}:`);
    const code = (card.blocks as { text?: { text?: string } }[]).map((b) => b.text?.text ?? '').find((t) => t.startsWith('```'))!;
    expect(code.endsWith('```')).toBe(true);
    expect(text).toMatch(/5 long lines cut to \d+ characters\. The whole output is in the thread/);
    const file = await stack.slack.waitFor(() => threadFiles(card.ts).find((f) => f.name === 'longlines-0.log' && f.content), { timeoutMs: 20_000 });
    expect(file.content!.toString('utf8')).toBe(`${LINES.join('\n')}\n`);
  });

  it('7b. a drain of a 100-pod node of the large scenario: the card fits Slack at every stage, says what it shortened, and the whole plan, then the whole result, are in the thread', async () => {
    await stack.slash('drain node-001', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /node-001/.test(messageText(m)), 60_000);
    expect(blocksTextLength(card.blocks ?? [])).toBeLessThanOrEqual(SlackLimits.messageBlocksText);
    expect(messageText(card)).toMatch(/more groups/);
    expect(messageText(card)).toMatch(/the whole plan is in the thread/);
    expect(stack.slack.calls().filter((c) => c.error === 'msg_blocks_too_long')).toEqual([]);
    const file = await stack.slack.waitFor(() => threadFiles(card.ts).find((f) => /^plan-drain-/.test(f.name ?? '') && f.content), { timeoutMs: 20_000 });
    const plan = file.content!.toString('utf8');
    const pods = (await stack.core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node-001' })).items.filter((p) => !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet'));
    expect(pods.length).toBeGreaterThan(90);
    for (const p of pods) expect(plan).toContain(`pod/${p.metadata!.namespace}/${p.metadata!.name}`);

    await stack.click(CardAction.Approve, buttonValue(card, CardAction.Approve)!, { user: BOB, messageTs: card.ts });
    const done = await waitForUpdate(stack, card.ts, /^(Done|Failed)/, 90_000);
    expect(blocksTextLength(done.blocks ?? [])).toBeLessThanOrEqual(SlackLimits.messageBlocksText);
    expect(messageText(done)).toMatch(/more \(see thread\)/);
    const result = await stack.slack.waitFor(() => threadFiles(card.ts).find((f) => /^drain-/.test(f.name ?? '') && f.content), { timeoutMs: 20_000 });
    for (const p of pods) expect(result.content!.toString('utf8')).toContain(`${p.metadata!.name}`);
    expect(stack.slack.calls().filter((c) => c.error === 'msg_blocks_too_long')).toEqual([]);
  });
});
