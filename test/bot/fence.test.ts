import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/console/index.js';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { buttonValue, waitForMessage, waitForUpdate } from '../support/cards.js';
import { ALICE, BOB, messageText, startStack, type Stack } from '../support/stack.js';

/**
 * Seed 003 end to end: node03 is dead (NotReady, silent 15 minutes), its pods stuck Terminating on
 * ReadWriteOnce volumes their replacements wait for. `/k8s fence node03` through the whole bot,
 * approved by someone who confirms the machine is off; then `/k8s unfence node03` once it is back.
 * The worker runs under deploy/kubernetes/rbac.yaml's ClusterRole.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ scenario: 'notready-rwo' });
});
afterAll(async () => {
  await stack?.stop();
});

/** The card of exactly this command once it left planning. */
function cardFor(command: string, state: RegExp, except: string[] = []): Promise<SlackMessage> {
  return waitForMessage(stack, (m) => !except.includes(m.ts) && state.test(m.text ?? '') && messageText(m).includes(`\`/k8s ${command}\` · requested by`));
}

/** The Approve button's confirm dialog, as Slack shows it before the click goes through. */
function approveConfirm(m: SlackMessage): { title?: { text: string }; text?: { text: string } } | undefined {
  for (const b of (m.blocks ?? []) as { type: string; elements?: { action_id?: string; confirm?: { title?: { text: string }; text?: { text: string } } }[] }[]) {
    const approve = b.elements?.find((e) => e.action_id === CardAction.Approve);
    if (approve) return approve.confirm;
  }
  return undefined;
}

describe('/k8s fence and unfence (seed 003)', () => {
  it('/k8s help lists fence and unfence among the destructive verbs', async () => {
    const res = await stack.slash('help', { user: ALICE });
    const help = (res.json as { text: string }).text;
    expect(help).toContain('*Destructive (needs approval)*');
    expect(help).toContain('/k8s fence NODE');
    expect(help).toContain('/k8s unfence NODE');
  });

  it('refuses to fence a healthy node: it heartbeated seconds ago', async () => {
    await stack.slash('fence node01', { user: ALICE });
    const card = await cardFor('fence node01', /Refused|Approval needed/);
    const text = messageText(card);
    expect(card.text).toMatch(/^Refused: node01 heartbeated within 5m/);
    expect(text).toContain('Add `--ignore-heartbeat` to override');
    expect(buttonValue(card, CardAction.Approve)).toBeUndefined();
    const node = await stack.core.readNode({ name: 'node01' });
    expect(node.spec?.taints ?? []).not.toContainEqual(expect.objectContaining({ key: 'node.kubernetes.io/out-of-service' }));
  });

  it('fences node03: the card shows its state, what goes and what waits; the approver confirms it is off; replacements come up', async () => {
    await stack.slash('fence node03', { user: ALICE });
    const card = await cardFor('fence node03', /Approval needed/);
    const text = messageText(card);
    expect(text).toMatch(/Fence node03 \(Ready=Unknown, last heartbeat 15m( \d+s)? ago, from its Lease kube-node-lease\/node03\)/);
    expect(text).toMatch(/delete · StatefulSet\/postgres\* \(1\): `pod\/db\/postgres-0`/);
    expect(text).toMatch(/\*detach\* \(2\)/);
    expect(text).toMatch(/Volumes detached from node03: PVC db\/data-postgres-0 held by db\/postgres-0; PVC default\/sleep-data held by default\/sleep-\S+; default\/sleep-\S+ \(ContainerCreating\) waits for it/);
    expect(text).toMatch(/Fencing is only safe if node03 is powered off/);
    const confirm = approveConfirm(card);
    expect(confirm?.text?.text).toMatch(/^Only approve if node03 is powered off/);

    await stack.click(CardAction.Approve, buttonValue(card, CardAction.Approve)!, { user: BOB, messageTs: card.ts });
    const done = await waitForUpdate(stack, card.ts, /Done|Failed/, 60_000);
    const result = messageText(done);
    expect(result).toMatch(/Done\* · Fenced node03: 3 pods force-deleted, 2 volumes detached, 3 workloads Ready again/);
    expect(result).toMatch(/statefulset db\/postgres: postgres-0 Ready on node0[12]/);
    expect(result).toContain('`/k8s unfence node03`');
    const postgres = await stack.core.readNamespacedPod({ namespace: 'db', name: 'postgres-0' });
    expect(postgres.spec?.nodeName).not.toBe('node03');
    expect(postgres.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('unfence is refused while node03 is still NotReady, and lifts the taint once it rebooted', async () => {
    await stack.slash('unfence node03', { user: ALICE });
    const refused = await cardFor('unfence node03', /Refused|Approval needed/);
    expect(refused.text).toMatch(/^Refused: node03 is still NotReady \(Ready=Unknown\): it is not back/);

    await stack.sandbox.rebootNode('node03', { downMs: 200 });
    await stack.slash('unfence node03', { user: ALICE });
    const card = await cardFor('unfence node03', /Approval needed/, [refused.ts]);
    expect(messageText(card)).toMatch(/Put node03 back in service \(Ready=True, boot [0-9a-f-]+\)/);
    await stack.click(CardAction.Approve, buttonValue(card, CardAction.Approve)!, { user: BOB, messageTs: card.ts });
    const done = await waitForUpdate(stack, card.ts, /Done|Failed/, 30_000);
    expect(messageText(done)).toMatch(/Done\* · node03 is back in service/);
    const node = await stack.core.readNode({ name: 'node03' });
    expect(node.spec?.taints ?? []).not.toContainEqual(expect.objectContaining({ key: 'node.kubernetes.io/out-of-service' }));
  });
});
