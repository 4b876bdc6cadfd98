import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventKind } from '../../src/core/timeline-event.js';
import { current, waitForUpdate } from '../support/cards.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { recordEvictions } from '../support/evictions.js';
import { heldDrain, openIncident } from '../support/held-drain.js';
import { messageText, startStack, type Stack } from '../support/stack.js';
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
    const incident = await openIncident(stack, 'node02 drain under a silent worker');
    const { card } = await heldDrain(stack);

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
