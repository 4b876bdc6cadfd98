/**
 * Worker SIGKILLed mid-drain (issue 15, item 5): two workers; once the drain has evicted some
 * pods, the worker running it is killed with SIGKILL. BullMQ's stalled-job check hands the job to
 * the other worker when the dead one's lock lapses; the card says so meanwhile.
 */
import { OPS } from '../../bench/process-stack.js';
import { assertNone, type Fault } from '../fault.js';
import { approve, drainProblems, evictionsReach, finished, requestDrain } from '../requests.js';
import { executionStarts, workerProcess } from '../executions.js';
import { JOB_HEARTBEAT_MS, JOB_LOST_AFTER_MS } from '../../src/queue/job-beats.js';

/** What the card says while the job waits for another worker (branch worker-loss). */
export const WORKER_LOST = /worker lost, resuming on another/i;

export const workerKill: Fault = {
  name: 'worker-kill',
  title: 'worker SIGKILL mid-drain',
  checks: 'Done on the other worker; no pod evicted twice (sandbox, by UID); card count = sandbox evictions; card said "worker lost, resuming on another" unless another worker resumed it within 12 s (lost after 10 s, looked for every 2 s)',
  trials: 20,
  timeoutMs: 180_000,
  async trial(t) {
    const w = await t.world({ workers: 2, pods: 60 });
    const card = await requestDrain(w);
    await approve(w, card);
    // Some pods are evicted, most are not: the kill lands mid-drain.
    await evictionsReach(w, 5 + (t.index % 10));
    const first = (await executionStarts(w, card.requestId))[0]?.workerId;
    const victim = first ? workerProcess(w, first) : undefined;
    if (!victim) throw new Error(`no worker process runs the drain (started by ${first ?? 'nobody'})`);
    victim.proc.proc.kill('SIGKILL');
    await victim.proc.exited;
    const killedAt = Date.now();
    const final = await finished(w, card, 150_000);
    const problems = drainProblems(w, final);
    const resumed = (await executionStarts(w, card.requestId)).find((s) => s.workerId !== first);
    if (!resumed) problems.push('no other worker started the drain after the kill');
    const meanwhile = w.stack.cards.versions(OPS, card.ts).filter((v) => v.at >= killedAt);
    // The card says so once the job's beat is JOB_LOST_AFTER_MS old (the bot looks every
    // JOB_HEARTBEAT_MS), unless another worker took the job up before that (docs/operations.md,
    // When a worker dies): then there is nothing to say.
    const lostDue = !resumed || resumed.at - killedAt >= JOB_LOST_AFTER_MS + JOB_HEARTBEAT_MS;
    if (lostDue && !meanwhile.some((v) => WORKER_LOST.test(v.text))) problems.push(`the card never said "worker lost, resuming on another"${resumed ? ` (resumed ${((resumed.at - killedAt) / 1000).toFixed(1)} s after the kill)` : ''}`);
    assertNone(problems);
  },
};
