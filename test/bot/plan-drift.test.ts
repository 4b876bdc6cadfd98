import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreV1Api } from '@kubernetes/client-node';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { buttonValue, waitForMessage, waitForUpdate } from '../support/cards.js';
import { ALICE, BOB, messageText, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let core: CoreV1Api;
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance' });
  core = stack.core;
});
afterAll(async () => {
  await stack?.stop();
});

describe('what is approved is the plan that was shown', () => {
  it('a drain whose node gained a pod after approval stops untouched and asks again, showing what changed', async () => {
    await stack.slash('drain node01 --force --delete-emptydir-data', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /drain node01/.test(messageText(m)));
    const before = (await core.readNode({ name: 'node01' })).spec?.unschedulable;

    // The cluster moves on while the card waits: a new pod lands on node01.
    await core.createNamespacedPod({ namespace: 'shop', body: { metadata: { name: 'late-arrival' }, spec: { nodeName: 'node01', containers: [{ name: 'sh', image: 'busybox:1.36' }] } } });
    await stack.sandbox.idle();

    await stack.click(CardAction.Approve, buttonValue(card, CardAction.Approve)!, { user: BOB, messageTs: card.ts });
    const stopped = await waitForUpdate(stack, card.ts, /Failed/, 60_000);
    expect(messageText(stopped)).toMatch(/drift|changed/i);
    // Nothing on the node was touched by the stopped execution.
    expect((await core.readNode({ name: 'node01' })).spec?.unschedulable).toBe(before);
    expect((await core.readNamespacedPod({ name: 'late-arrival', namespace: 'shop' })).metadata?.deletionTimestamp).toBeUndefined();

    const again = await waitForMessage(stack, (m) => m.ts !== card.ts && /Approval needed/.test(m.text ?? '') && /drain node01/.test(messageText(m)));
    const text = messageText(again);
    expect(text).toMatch(/changed since the last approval/);
    expect(text).toMatch(/\+ evict pod\/shop\/late-arrival/);
  });
});
