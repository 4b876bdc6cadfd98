import { describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { buttonValue, waitForMessage, waitForUpdate } from '../support/cards.js';
import { ALICE, BOB, messageText, useStack } from '../support/stack.js';

const stack = useStack({ scenario: 'maintenance' });

describe('what is approved is the plan that was shown', () => {
  it('a drain whose node gained a pod after approval stops untouched and asks again, showing what changed', async () => {
    await stack.slash('drain node01 --force --delete-emptydir-data', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /drain node01/.test(messageText(m)));
    const before = (await stack.core.readNode({ name: 'node01' })).spec?.unschedulable;

    // The cluster moves on while the card waits: a new pod lands on node01.
    await stack.core.createNamespacedPod({ namespace: 'shop', body: { metadata: { name: 'late-arrival' }, spec: { nodeName: 'node01', containers: [{ name: 'sh', image: 'busybox:1.36' }] } } });
    await stack.sandbox.idle();

    await stack.click(CardAction.Approve, buttonValue(card, CardAction.Approve)!, { user: BOB, messageTs: card.ts });
    const stopped = await waitForUpdate(stack, card.ts, /Failed/, 60_000);
    expect(messageText(stopped)).toMatch(/drift|changed/i);
    // Nothing on the node was touched by the stopped execution.
    expect((await stack.core.readNode({ name: 'node01' })).spec?.unschedulable).toBe(before);
    expect((await stack.core.readNamespacedPod({ name: 'late-arrival', namespace: 'shop' })).metadata?.deletionTimestamp).toBeUndefined();

    const again = await waitForMessage(stack, (m) => m.ts !== card.ts && /Approval needed/.test(m.text ?? '') && /drain node01/.test(messageText(m)));
    const text = messageText(again);
    expect(text).toMatch(/changed since the last approval/);
    expect(text).toMatch(/\+ evict pod\/shop\/late-arrival/);
  });
});
