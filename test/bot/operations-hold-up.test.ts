import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/console/index.js';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { buttonValue, waitForMessage, waitForUpdate } from '../support/cards.js';
import { ALICE, BOB, messageText, startStack, type Stack } from '../support/stack.js';

/**
 * Cases from public bug reports of people who run Kubernetes, each through the whole bot (real
 * Redis, Bolt over signed HTTP, the Slack stand-in, the sandbox), asserting what a user reads.
 */

/** The card of a command once planned (or failed), matched by the command in its context line. */
function cardFor(stack: Stack, command: string, state: RegExp): Promise<SlackMessage> {
  return waitForMessage(stack, (m) => state.test(m.text ?? '') && messageText(m).includes(`\`/k8s ${command}\``));
}

/** The text of a message's blocks only (what Slack shows), without the notification fallback. */
const blockText = (m: SlackMessage) => messageText({ blocks: m.blocks ?? [] });

/** The `*Will change (N)*` (or `Would change, if overridden`) section of a card: its count and lines. */
function changeList(m: SlackMessage): { count: number; lines: string[] } {
  const text = blockText(m);
  const match = /\*(?:Will change|Would change, if overridden) \((\d+)\)\*\n((?:• .*\n?)+)/.exec(text);
  if (!match) throw new Error(`no change list in:\n${text}`);
  return { count: Number(match[1]), lines: match[2]!.trim().split('\n') };
}

describe('maintenance: what the cards say', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ scenario: 'maintenance' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a dry run shows the same lists as the approval card', async () => {
    await stack.slash('drain node01 --dry-run', { user: ALICE });
    const dry = await cardFor(stack, 'drain node01 --dry-run', /Done/);
    await stack.slash('drain node01', { user: ALICE });
    const real = await cardFor(stack, 'drain node01', /Approval needed/);
    const shown = changeList(dry);
    expect(shown.count).toBe(5);
    expect(shown).toEqual(changeList(real));
    expect(blockText(dry)).toMatch(/Left alone: .*DaemonSet-managed/);
    await stack.click(CardAction.Cancel, buttonValue(real, CardAction.Cancel)!, { user: ALICE, messageTs: real.ts });
    await waitForUpdate(stack, real.ts, /Cancelled/i);
  });

  it('a refusal lists the whole overridden plan, says what each override flag adds, and gives its reason once', async () => {
    await stack.slash('drain node02', { user: ALICE });
    const refused = await cardFor(stack, 'drain node02', /Refused/);
    const text = blockText(refused);
    const reason = 'cannot delete Pods with local storage (use --delete-emptydir-data to override)';
    expect(text.split(reason)).toHaveLength(2);
    expect(text).toMatch(/`--delete-emptydir-data` adds `pod\/shop\/cache-\S+`; `--force` adds `pod\/shop\/debug-shell`/);
    const would = changeList(refused);

    await stack.slash('drain node02 --delete-emptydir-data --force', { user: ALICE });
    const overridden = await cardFor(stack, 'drain node02 --delete-emptydir-data --force', /Approval needed/);
    expect(would).toEqual(changeList(overridden));
    expect(would.count).toBe(5);
    // The approval card shows each governing budget now, so the approver sees whether it can stall.
    expect(blockText(overridden)).toMatch(/allowed disruptions poddisruptionbudget\/shop\/web: \*1\*/);
    await stack.click(CardAction.Cancel, buttonValue(overridden, CardAction.Cancel)!, { user: ALICE, messageTs: overridden.ts });
    await waitForUpdate(stack, overridden.ts, /Cancelled/i);
  });

  it('deleting a mirror (static) pod is refused with what to do instead, never "Done"', async () => {
    await stack.slash('delete pod kube-apiserver-cp01 -n kube-system', { user: ALICE });
    const card = await cardFor(stack, 'delete pod kube-apiserver-cp01 -n kube-system', /Refused|Approval needed|Done/);
    const text = blockText(card);
    expect(card.text).toMatch(/^Refused/);
    expect(text).toMatch(/mirror of a static pod that the kubelet on cp01 runs from a manifest file there/);
    expect(text).toMatch(/neither stops nor restarts the static pod/);
    expect(text).toMatch(/move its manifest out of that folder on cp01 and back/);
    expect(text).not.toMatch(/Scale up first|Downtime/);
    expect(buttonValue(card, CardAction.Approve)).toBeUndefined();
  });

  it('a missing pod is an error naming what exists nearby, not "Done · Nothing to do"', async () => {
    await stack.slash('delete pod nope-123 -n shop', { user: ALICE });
    const card = await cardFor(stack, 'delete pod nope-123 -n shop', /Failed|Done/);
    const text = messageText(card);
    expect(text).not.toMatch(/Done|Nothing to do/);
    expect(text).toMatch(/Failed.*Pod nope-123 not found in namespace shop\. Pods in shop: cache-\S+, cart-\S+/);
  });

  it('logs without -n says that a pod of that name is in another namespace', async () => {
    const web = (await stack.core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web' })).items[0]!.metadata!.name!;
    await stack.slash(`logs ${web}`, { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Failed|Done/.test(m.text ?? '') && messageText(m).includes(`/k8s logs ${web}\``));
    const text = messageText(card);
    expect(text).toMatch(new RegExp(`Pod ${web} not found in namespace default\\. A pod of that name is in namespace shop\\.`));
    expect(text).toContain('Add `-n shop` to the command.');
  });
});

describe('notready-rwo: a drain that cannot empty a dead node says so', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ scenario: 'notready-rwo' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('--skip-wait-for-delete-timeout on NotReady node03: the plan keeps the Multi-Attach warning, the result lists the stuck pods and why', async () => {
    const command = 'drain node03 --skip-wait-for-delete-timeout 60 --timeout 1m';
    await stack.slash(command, { user: ALICE });
    const card = await cardFor(stack, command, /Approval needed/);
    const plan = blockText(card);
    expect(plan).toMatch(/Multi-Attach risk: db\/postgres-0/);
    expect(plan).not.toMatch(/Use --skip-wait-for-delete-timeout/);
    await stack.click(CardAction.Approve, buttonValue(card, CardAction.Approve)!, { user: BOB, messageTs: card.ts });
    const done = await waitForUpdate(stack, card.ts, /Done|Failed/, 60_000);
    const text = messageText(done);
    expect(text).not.toMatch(/empty of workload pods|Drained node03/);
    expect(text).toMatch(/Drain of node03 incomplete: 3 pods still on node03/);
    expect(text).toMatch(/db\/postgres-0: not waited for \(--skip-wait-for-delete-timeout 60\); Terminating for .*ReadWriteOnce PVC data-postgres-0/);
    expect(text).toMatch(/`\/k8s fence node03`/);
  });
});
