import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { EventKind } from '../../src/core/timeline-event.js';
import { current, waitForApproval, waitForMessage, waitForUpdate } from '../support/cards.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { eventually } from '../support/eventually.js';
import { recordEvictions } from '../support/evictions.js';
import { ALICE, BOB, messageText, OPS, startStack, type Stack } from '../support/stack.js';
import { CHILD_LOST_AFTER_MS, childWorkerEnv, startWorkerChild, type WorkerChild } from '../support/worker-child.js';

/**
 * A worker silent past the lost threshold but not past its lock (SITREP_JOB_LOCK set above
 * SITREP_JOB_LOST_AFTER: a long GC pause, a frozen container, Redis out of reach for a while):
 * the card says the worker was lost, and then the worker wakes and carries on with the job itself,
 * since no other worker could take it. The card must drop the lost line once it beats again, not
 * keep saying "resuming on another" until the job ends.
 */

let stack: Stack;
let worker: WorkerChild | undefined;

beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance', worker: false, jobLostAfterMs: CHILD_LOST_AFTER_MS });
});
afterAll(async () => {
  worker?.proc.kill('SIGCONT');
  worker?.proc.kill('SIGKILL');
  await stack?.stop();
});

describe('a worker silent for a while, then back with its job', () => {
  it('the card says the worker was lost, then drops the line when it beats again; the timeline says it is back; the drain ends Done on it', async () => {
    const evictions = recordEvictions(stack.sandbox);
    // Its lock (20 s) outlasts the freeze: no other worker could take the job, and none is running.
    worker = await startWorkerChild({ ...childWorkerEnv(stack), LOCK_MS: '20000', STALLED_MS: '10000' });
    await stack.slash('start "node02 drain under a silent worker" --sev 3', { command: '/incident', user: ALICE });
    await waitForMessage(stack, /node02 drain under a silent worker/);
    const incident = await eventually(() => stack.bot.services.incidents.openIn(OPS), { what: 'the incident' });

    await setMinAvailable(stack.sandbox, 'shop', 'web', 3);
    await stack.slash('drain node02 --delete-emptydir-data --force', { user: ALICE });
    const { card, approvalId } = await waitForApproval(stack, /drain node02/);
    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
    await waitForUpdate(stack, card.ts, /:raised_hand:/, 60_000);

    worker.proc.kill('SIGSTOP');
    const lost = await waitForUpdate(stack, card.ts, /Worker lost, resuming on another/, 30_000);
    expect(messageText(lost)).toContain(worker.workerId);
    worker.proc.kill('SIGCONT');
    const back = await waitForUpdate(stack, card.ts, /^(?![\s\S]*Worker lost)[\s\S]*:raised_hand:/, 30_000);
    expect(back.text).toMatch(/^Running: /);

    await setMinAvailable(stack.sandbox, 'shop', 'web', 2);
    const done = await waitForUpdate(stack, card.ts, /^(Done|Failed)/, 90_000);
    expect(done.text, messageText(current(stack, card.ts))).toMatch(/^Done/);
    expect(messageText(current(stack, card.ts))).not.toMatch(/Worker lost/);
    const byUid = evictions.list('node02');
    expect(new Set(byUid.map((e) => e.uid)).size).toBe(byUid.length);

    const events = await stack.bot.services.timeline.read(incident.id);
    const lines = events.filter((e) => e.kind === EventKind.JobProgress && e.text.includes(worker!.workerId)).map((e) => e.text);
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^Worker ${worker.workerId} lost: no heartbeat for`)),
      expect.stringMatching(new RegExp(`^Worker ${worker.workerId} is back after \\S+ without a heartbeat; it carries on with the job$`)),
    ]);
  });
});
