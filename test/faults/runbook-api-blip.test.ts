import { describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { demoPolicy } from '../../src/demo/demo-policy.js';
import { current, waitForApproval, waitForUpdate } from '../support/cards.js';
import { recordEvictions } from '../support/evictions.js';
import { capturedLogger } from '../support/outputs.js';
import { ALICE, BOB, messageText, useStack } from '../support/stack.js';

/**
 * A Kubernetes API blip while a runbook's drain step runs: the step is a drain like any other
 * (its retries last until the drain's timeout), so the step ends done with every pod evicted
 * once, and the runbook carries on to its next step on the same card.
 */

// The demo's policy: Alice and Bob on call (destructive verbs need the other's approval).
const logs = capturedLogger();
const stack = useStack({ scenario: 'maintenance', policy: demoPolicy(), logger: logs.logger });

describe('a Kubernetes API blip during a runbook step', () => {
  it("node-maintenance's drain step through 3 s of reset connections after its first eviction: the step is done with every pod evicted once, and the runbook reaches its manual step", async () => {
    const evictions = recordEvictions(stack.sandbox);
    await stack.slash('runbook node-maintenance node=node01', { user: ALICE });
    const { card, approvalId } = await waitForApproval(stack, /runbook node-maintenance node=node01/);
    stack.sandbox.apiOutage({ durationMs: 3000, afterEvictions: 1, mode: 'reset' });
    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });

    const manual = await waitForUpdate(stack, card.ts, /Done: step 3|Failed/, 120_000);
    const text = messageText(current(stack, card.ts));
    expect(manual.text, text).toMatch(/^Running: runbook node-maintenance, step 3 of 6/);
    expect(text).toMatch(/:raised_hand: \*3\.\* manual: Reboot node01 now/);
    const evicted = evictions.list('node01');
    expect(evicted.length).toBeGreaterThan(1);
    expect(new Set(evicted.map((e) => e.uid)).size).toBe(evicted.length); // none evicted twice
    expect(text).toMatch(new RegExp(`:white_check_mark: \\*2\\.\\* \`drain node01[^\\n]*\\n\\s+Drained node01: ${evicted.length} pods evicted`));
    expect(text).not.toMatch(/Failed|Worker lost/);
    // The blip really hit the step: its pod watch was cut and watched again (or a call was asked again).
    const warned = logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40);
    expect(warned.some((l) => /^pod watch cut|^Kubernetes API \S+ \S+ failed \(\S+\); retrying/.test(l.msg))).toBe(true);
  });
});
