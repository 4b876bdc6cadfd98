import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { waitForApproval, waitForUpdate } from '../support/cards.js';
import { oncallPolicy } from '../support/oncall-policy.js';
import { capturedLogger } from '../support/outputs.js';
import { ALICE, BOB, messageText, startStack, type Stack } from '../support/stack.js';

/**
 * With no live worker the bot looks again for 3 s before refusing (job-producer.ts liveWorker), so
 * a worker restarting in a rollout takes the command. An approval's job must get that grace too:
 * its release deadline (the click's, 1.8 s) counts from when the job is added, not from before the
 * wait, or a worker back 2 s later finds a job it may not run.
 */

let stack: Stack;
let lines: string[];
beforeAll(async () => {
  const captured = capturedLogger();
  lines = captured.lines;
  stack = await startStack({ scenario: 'maintenance', policy: oncallPolicy(['scale']), logger: captured.logger });
});
afterAll(async () => {
  await stack?.stop();
});

describe('an approval clicked while the worker restarts', () => {
  it('runs once a worker is back within the 3 s grace, later than the click\'s 1.8 s release deadline', async () => {
    await stack.slash('scale deployment/cart --replicas 3 -n shop', { user: ALICE });
    const { card, approvalId } = await waitForApproval(stack, /scale deployment\/cart/, 60_000);
    await stack.workers[0]!.stop(1000);

    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
    await vi.waitFor(() => expect(lines.some((l) => /no live worker for the cluster yet/.test(l))).toBe(true), { timeout: 10_000, interval: 20 });
    // The scenario, not a wait for an outcome: the new worker takes 2 s to come up (a rollout).
    await new Promise((r) => setTimeout(r, 2000));
    await stack.startWorker();

    const done = await waitForUpdate(stack, card.ts, /Done|Failed|could not be queued/, 60_000);
    expect(messageText(done)).not.toMatch(/could not be queued|will not run|Not run/);
    expect(done.text ?? '').toMatch(/Done/);
  });
});
