import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventKind } from '../../src/core/timeline-event.js';
import { QueueKeys } from '../../src/queue/keys.js';
import { current, waitForUpdate } from '../support/cards.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { eventually } from '../support/eventually.js';
import { recordEvictions } from '../support/evictions.js';
import { heldDrain, openIncident } from '../support/held-drain.js';
import { messageText, startStack, type Stack } from '../support/stack.js';
import { CHILD_LOST_AFTER_MS, childWorkerEnv, startWorkerChild, type WorkerChild } from '../support/worker-child.js';

/**
 * A worker frozen (SIGSTOP) past the lost threshold while another takes its job, then thawed
 * (SIGCONT): the thawed one must stop at its next destructive step (JobContext.assertOwned) and
 * report nothing, so no pod is evicted twice and the card ends on the live worker's result. The
 * heartbeat set also holds members that are not beats, and one of a request that does not exist:
 * the bot's sweep must skip them, not stop.
 */

let stack: Stack;
const children: WorkerChild[] = [];

beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance', worker: false, jobLostAfterMs: CHILD_LOST_AFTER_MS });
});
afterAll(async () => {
  for (const c of children) {
    c.proc.kill('SIGCONT');
    c.proc.kill('SIGKILL');
  }
  await stack?.stop();
});

describe('a worker frozen past the lost threshold, then thawed while another runs its job', () => {
  it('the thawed worker evicts nothing more; the card ends Done with no "worker lost" line, and the timeline has one result; garbage in the heartbeat set does not stop the sweep', async () => {
    const redis = stack.redis.client();
    const beatsKey = new QueueKeys(stack.prefix).jobBeats;
    const garbage = ['not json', '42', '["only-one"]', '[1,2]', JSON.stringify(['req-that-never-was', 'w-ghost'])];
    await redis.zadd(beatsKey, ...garbage.flatMap((m) => [0, m]));

    const evictions = recordEvictions(stack.sandbox);
    const frozen = await startWorkerChild(childWorkerEnv(stack));
    children.push(frozen);
    const incident = await openIncident(stack, 'node02 drain under a frozen worker');
    // The web PDB allows no disruption: the drain evicts the other pods and waits on web's.
    const { card } = await heldDrain(stack);
    await eventually(() => evictions.list('node02').length >= 2, { what: 'the pods without a budget evicted', describe: () => JSON.stringify(evictions.list()) });

    frozen.proc.kill('SIGSTOP');
    const lost = await waitForUpdate(stack, card.ts, /Worker lost, resuming on another/, 30_000);
    expect(messageText(lost)).toContain(frozen.workerId);
    // The sweep removed what was not a beat, and the beat of a request that does not exist.
    const left = await redis.zrange(beatsKey, 0, -1);
    expect(left.filter((m) => garbage.includes(m))).toEqual([]);

    const live = await startWorkerChild(childWorkerEnv(stack));
    children.push(live);
    await waitForUpdate(stack, card.ts, /^(?![\s\S]*Worker lost)[\s\S]*:raised_hand:/, 30_000);
    // Thawed while the live worker runs the job: it wakes in the middle of its budget wait.
    frozen.proc.kill('SIGCONT');
    await setMinAvailable(stack.sandbox, 'shop', 'web', 2);

    const done = await waitForUpdate(stack, card.ts, /^(Done|Failed)/, 90_000);
    const text = messageText(current(stack, card.ts));
    expect(done.text, text).toMatch(/^Done/);
    expect(text).not.toMatch(/Worker lost/);
    const byCluster = evictions.list('node02');
    expect(new Set(byCluster.map((e) => e.uid)).size).toBe(byCluster.length); // none evicted twice
    expect(byCluster.map((e) => e.pod).filter((p) => p.startsWith('shop/web-'))).toHaveLength(1);
    expect(done.text).toMatch(new RegExp(`Drained node02: ${byCluster.length} pods evicted`));
    // Let the thawed worker finish whatever it was doing, then read what it left behind.
    await eventually(async () => (await redis.zrange(beatsKey, 0, -1)).every((m) => !m.includes(frozen.workerId)), { what: "the thawed worker's beats gone", timeoutMs: 20_000 });
    expect(messageText(current(stack, card.ts))).toBe(text);
    const finished = (await stack.bot.services.timeline.read(incident.id)).filter((e) => e.kind === EventKind.JobFinished);
    expect(finished.map((e) => e.text)).toEqual([expect.stringMatching(/^Finished: Drained node02: \d+ pods evicted/)]);
    redis.disconnect();
  }, 180_000);
});
