import { describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { waitForApproval, waitForEphemeral, waitForUpdate } from '../support/cards.js';
import { eventually } from '../support/eventually.js';
import { capturedLogger } from '../support/outputs.js';
import { ALICE, BOB, messageText, useStack } from '../support/stack.js';

/**
 * The audit log (issue 12, item 5): a SIEM reads logs, not Redis. Every request, decision,
 * approval, refusal and result is one structured line with request id, user, verb, target,
 * cluster and outcome; `/k8s audit` shows refusals and results too, names as names.
 */

const logs = capturedLogger();
const stack = useStack({ scenario: 'maintenance', logger: logs.logger });

type Line = Record<string, unknown>;
const parsed = (): Line[] => logs.lines.map((l) => JSON.parse(l) as Line);
const audited = (): Line[] => parsed().filter((l) => l.audit === true);

describe('audit lines', () => {
  it('a scale from request to result, a self-approval and a second request on the same target: each step one line with who, what, where and how it ended', async () => {
    await stack.slash('scale deployment/web --replicas 4 -n shop', { user: ALICE });
    const { card, approvalId } = await waitForApproval(stack, /scale deployment\/web/);
    await stack.click(CardAction.Approve, approvalId, { user: ALICE, messageTs: card.ts });
    await waitForEphemeral(stack, ALICE, /cannot approve your own/i);
    await stack.slash('scale deployment/web --replicas 5 -n shop', { user: BOB });
    await waitForEphemeral(stack, BOB, /already has an operation pending or running/);
    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
    await waitForUpdate(stack, card.ts, /^Done|Done:/, 60_000);

    const lines = await eventually(() => {
      const l = audited().filter((e) => e.verb === 'scale');
      return l.some((e) => e.outcome === 'done') && l;
    });
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(expect.arrayContaining(['requestId', 'user', 'verb', 'target', 'cluster', 'outcome']));
      expect(l.target).toBe('deployment/shop/web');
      expect(l.cluster).toBe('sandbox');
    }
    const first = lines.find((l) => l.user === ALICE && l.outcome === 'requested')!.requestId;
    const story = lines.filter((l) => l.requestId === first).map((l) => `${l.user as string} ${l.outcome as string}`);
    expect(story).toEqual([
      `${ALICE} requested`,
      `${ALICE} planning`,
      `${ALICE} planned`,
      `${ALICE} approval-requested`,
      `${ALICE} refused`, // her own click
      `${BOB} vote`,
      `${ALICE} approved`,
      `${ALICE} started`,
      `${ALICE} done`,
    ]);
    const second = lines.find((l) => l.user === BOB && l.outcome === 'requested')!;
    expect(lines.filter((l) => l.requestId === second.requestId).map((l) => l.outcome)).toEqual(['requested', 'refused']);
    expect(lines.find((l) => l.requestId === second.requestId && l.outcome === 'refused')?.code).toBe('sitrep_target_busy');
  });

  it('/k8s audit shows the refusal and the result as well as the votes, names as mentions, nothing escaped twice', async () => {
    await stack.slash('audit --since 1h', { user: BOB });
    const reply = await waitForEphemeral(stack, BOB, /Audit, last/);
    const text = messageText(reply);
    expect(text).toMatch(/refused · scale on sandbox · <@U0BOB00001> · deployment\/shop\/web: deployment\/shop\/web in cluster sandbox already has an operation/);
    expect(text).toMatch(/done · scale on sandbox · <@U0ALICE001> · deployment\/shop\/web: Scaled/);
    expect(text).toMatch(/requested · scale on sandbox · <@U0ALICE001> · 1 approval from anyone/);
    expect(text).not.toMatch(/&amp;lt;|&amp;gt;|&lt;@U/);
  });

  it('no bot or worker line repeats a key (one component, one cluster)', () => {
    expect(logs.lines.length).toBeGreaterThan(10);
    for (const raw of logs.lines) {
      // JSON.parse keeps the last of a repeated key; the raw line shows both.
      for (const key of ['component', 'cluster', 'requestId']) expect(raw.split(`"${key}":`).length - 1, raw.slice(0, 300)).toBeLessThanOrEqual(1);
    }
  });
});
