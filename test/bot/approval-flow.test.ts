import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreV1Api } from '@kubernetes/client-node';
import { Policy } from '../../src/approval/index.js';
import { sendBlockAction } from '../../src/console/index.js';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { sealNow } from '../../src/requests/decisions.js';
import { buttonValue, current, waitForEphemeral, waitForMessage, waitForUpdate } from '../support/cards.js';
import { ALICE, BOB, CAROL, DAVE, messageText, OPS, startStack, type Stack } from '../support/stack.js';

const POLICY = `
groups:
  oncall: [U0ALICE001, U0BOB00001, U0CAROL001]
rules:
  - verbs: [get, describe, logs, top, jobs, status, help, audit]
    allow: ["*"]
  - verbs: [cordon, uncordon]
    allow: [oncall]
  - verbs: [drain, delete, scale, restart]
    allow: [oncall]
    approvals: 1
    approvers: [oncall]
approvalTtl: 15m
`;

let stack: Stack;
let core: CoreV1Api;
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance', policy: Policy.fromText(POLICY, 'test-policy.yaml') });
  core = stack.core;
});
afterAll(async () => {
  await stack?.stop();
});

async function podsOn(node: string) {
  const pods = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
  return pods.items;
}

async function executeJobsFor(requestId: string): Promise<number> {
  return (await stack.jobs()).filter((j) => j.requestId === requestId && j.kind === 'execute').length;
}

describe('two-person approval end to end', () => {
  it('Alice requests a drain, cannot approve it herself, Bob approves, node02 drains, the card shows each step', async () => {
    const before = await podsOn('node02');
    expect(before.some((p) => !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet') && !p.metadata?.annotations?.['kubernetes.io/config.mirror'])).toBe(true);

    await stack.slash('drain node02 --delete-emptydir-data --force', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /drain node02/.test(messageText(m)));
    const text = messageText(card);
    expect(text).toContain('Warnings');
    expect(text).toMatch(/approval from/i);
    const approvalId = buttonValue(card, CardAction.Approve)!;
    expect(approvalId).toMatch(/^apr_/);

    // The requester never counts as an approver.
    await stack.click(CardAction.Approve, approvalId, { user: ALICE, messageTs: card.ts });
    const own = await waitForEphemeral(stack, ALICE, /cannot approve your own request/i);
    expect(messageText(own)).toMatch(/a second person must approve it\. Ask someone in .*oncall.*; nothing runs until then/);
    // Someone outside the approvers is told who can approve.
    await stack.click(CardAction.Approve, approvalId, { user: DAVE, messageTs: card.ts });
    const refusal = await waitForEphemeral(stack, DAVE, /oncall|approve/i);
    expect(messageText(refusal)).toMatch(/oncall/);
    expect(messageText(current(stack, card.ts))).toMatch(/Approval needed/);

    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
    const done = await waitForUpdate(stack, card.ts, /Done/, 60_000);
    const doneText = messageText(done);
    expect(doneText).toContain(`approved by <@${BOB}>`);
    expect(doneText).toMatch(/Changed/);

    const after = await podsOn('node02');
    const leftover = after.filter((p) => !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet') && !p.metadata?.annotations?.['kubernetes.io/config.mirror']);
    expect(leftover.map((p) => p.metadata?.name)).toEqual([]);
    const node = await core.readNode({ name: 'node02' });
    expect(node.spec?.unschedulable).toBe(true);

    // A late click gets "already ended" and changes nothing.
    await stack.click(CardAction.Approve, approvalId, { user: CAROL, messageTs: card.ts });
    await waitForEphemeral(stack, CAROL, /already ended/i);
  });

  it('Reject ends the request; the card says who rejected and nothing changes', async () => {
    await stack.slash('restart deployment/web -n shop', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /restart deployment\/web/.test(messageText(m)));
    const approvalId = buttonValue(card, CardAction.Reject)!;
    await stack.click(CardAction.Reject, approvalId, { user: BOB, messageTs: card.ts });
    const ended = await waitForUpdate(stack, card.ts, /Rejected/);
    expect(messageText(ended)).toContain(`<@${BOB}>`);
    expect(buttonValue(ended, CardAction.Approve)).toBeUndefined();
  });

  it('a forged click (bad signature) or an unknown id changes nothing', async () => {
    await stack.slash('scale deployment/web -n shop --replicas 4', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /scale deployment\/web/.test(messageText(m)));
    const approvalId = buttonValue(card, CardAction.Approve)!;
    const forged = await sendBlockAction(stack.bot.url, 'wrong-secret', {
      userId: BOB,
      channelId: OPS,
      messageTs: card.ts,
      actionId: CardAction.Approve,
      value: approvalId,
      responseUrl: stack.slack.responseUrlFor(OPS, BOB, { messageTs: card.ts }),
    });
    expect(forged.status).toBe(401);
    await stack.click(CardAction.Approve, 'apr_AAAAAAAAAAAAAAAA', { user: BOB, messageTs: card.ts });
    await waitForEphemeral(stack, BOB, /unknown|no longer|not found/i);
    expect(messageText(current(stack, card.ts))).toMatch(/Approval needed/);
    const requestId = (await stack.bot.services.approvals.get(approvalId))!.requestId;
    expect(await executeJobsFor(requestId)).toBe(0);
    // Ends it, freeing deployment/web for the next test (one operation per target at a time).
    await stack.click(CardAction.Cancel, approvalId, { user: ALICE, messageTs: card.ts });
    await waitForUpdate(stack, card.ts, /cancelled/i);
  });

  it('50 concurrent approve clicks from different approvers and repeats enqueue the job exactly once', async () => {
    await stack.slash('scale deployment/web -n shop --replicas 5', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /--replicas 5/.test(messageText(m)));
    const approvalId = buttonValue(card, CardAction.Approve)!;
    const clickers = [BOB, CAROL, ALICE, DAVE];
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => stack.click(CardAction.Approve, approvalId, { user: clickers[i % clickers.length], messageTs: card.ts })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    await waitForUpdate(stack, card.ts, /Done/, 60_000);
    const requestId = (await stack.bot.services.approvals.get(approvalId))!.requestId;
    expect(await executeJobsFor(requestId)).toBe(1);
  });

  it('a verb that needs no approval waits for its requester to press Run; others cannot', async () => {
    await stack.slash('cordon node03', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Confirm to run/.test(messageText(m)) && /cordon node03/.test(messageText(m)));
    const requestId = buttonValue(card, CardAction.Confirm)!;
    await stack.click(CardAction.Confirm, requestId, { user: BOB, messageTs: card.ts });
    await waitForEphemeral(stack, BOB, /Only <@U0ALICE001>/);
    expect((await core.readNode({ name: 'node03' })).spec?.unschedulable).toBeFalsy();
    await stack.click(CardAction.Confirm, requestId, { user: ALICE, messageTs: card.ts });
    await waitForUpdate(stack, card.ts, /Done/);
    expect((await core.readNode({ name: 'node03' })).spec?.unschedulable).toBe(true);
  });

  it('--dry-run shows the plan, asks nobody and writes nothing to the cluster', async () => {
    stack.sandbox.resetRequests();
    await stack.slash('drain node01 --delete-emptydir-data --force --dry-run', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Dry run/.test(m.text ?? '') && /drain node01/.test(messageText(m)));
    expect(buttonValue(card, CardAction.Approve)).toBeUndefined();
    expect(messageText(card)).toMatch(/Plan:/);
    const writes = Object.entries(stack.sandbox.requests().byVerb).filter(([k]) => /^(create|update|patch|delete)/.test(k));
    expect(writes).toEqual([]);
    expect((await core.readNode({ name: 'node01' })).spec?.unschedulable).toBeFalsy();
  });

  it('a pending approval survives a restart of the bot; the audit trail shows every step', async () => {
    await stack.slash('restart deployment/checkout -n shop', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /restart deployment\/checkout/.test(messageText(m)));
    const approvalId = buttonValue(card, CardAction.Approve)!;
    await stack.restartBot();
    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
    await waitForUpdate(stack, card.ts, /Done/, 60_000);

    await stack.slash('audit --since 1h', { user: CAROL });
    const audit = await stack.slack.waitFor(() => stack.slack.calls('response_url').find((c) => /Audit/.test(JSON.stringify(c.args))), { timeoutMs: 15_000 });
    const text = JSON.stringify(audit.args);
    for (const action of ['requested', 'approved', 'refused', 'rejected']) expect(text).toContain(action);
    expect(text).toContain(BOB);
  });

  it('if the bot died between the deciding approval and queueing the job, the next click queues it', async () => {
    await stack.slash('scale deployment/checkout -n shop --replicas 2', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /scale deployment\/checkout/.test(messageText(m)));
    const approvalId = buttonValue(card, CardAction.Approve)!;
    // The deciding click was taken and sealed, but nothing queued the job (as if the bot crashed there).
    const outcome = await stack.bot.services.approvals.approve(approvalId, BOB);
    if (outcome.kind !== 'approved') throw new Error(`expected approved, got ${outcome.kind}`);
    await sealNow(stack.bot.services.lifecycle.deps, outcome.record.requestId, outcome.record.planFingerprint, { approvalId });
    await stack.click(CardAction.Approve, approvalId, { user: CAROL, messageTs: card.ts });
    await waitForUpdate(stack, card.ts, /Done/, 60_000);
    const requestId = (await stack.bot.services.approvals.get(approvalId))!.requestId;
    expect(await executeJobsFor(requestId)).toBe(1);
  });

  it('an approval marked approved in Redis behind sitrep\'s back (no sealed click) runs nothing, whoever clicks next', async () => {
    await stack.slash('scale deployment/checkout -n shop --replicas 3', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /replicas 3/.test(messageText(m)));
    const approvalId = buttonValue(card, CardAction.Approve)!;
    // Someone with write access to Redis flips the record, votes and all; the requester then clicks her own card.
    await stack.redis.client().hset(stack.bot.services.approvals.key(approvalId), 'state', 'approved', 'approvals', JSON.stringify([{ userId: BOB, at: Date.now() }]));
    await stack.click(CardAction.Approve, approvalId, { user: ALICE, messageTs: card.ts });
    const failed = await waitForUpdate(stack, card.ts, /Failed/, 30_000);
    expect(messageText(failed)).toMatch(/no sealed record of the approval this plan needs/);
    const requestId = (await stack.bot.services.approvals.get(approvalId))!.requestId;
    expect(await executeJobsFor(requestId)).toBe(0);
  });

  it('someone outside the policy cannot even request a drain', async () => {
    const res = await stack.slash('drain node01 --timeout 5m', { user: DAVE });
    expect(res.status).toBe(200);
    await waitForEphemeral(stack, DAVE, /drain/);
    const msgs = stack.slack.workspace.messages(OPS).filter((m) => /drain node01 --timeout 5m/.test(messageText(m)));
    expect(msgs).toHaveLength(0);
  });
});
