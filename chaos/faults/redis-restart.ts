/**
 * Redis restarted under a running drain and a pending approval (issue 15, item 1 and the AOF
 * promise): empty (a restart without persistence, as a failover to an empty replica), or from
 * its AOF written with `appendfsync always` after a SIGKILL.
 */
import { OPS } from '../../bench/process-stack.js';
import type { CardVersion } from '../../bench/card-watch.js';
import { LOST_LINE } from '../../src/chat/render/lost-card.js';
import { assertNone, type Fault, type TrialContext } from '../fault.js';
import { approvedCordonProblems, approve, drainProblems, evictionsReach, finished, firstLine, newRequestWorks, requestApproval, requestDrain, FINISHED, type ApprovalCard } from '../requests.js';
import type { World } from '../world.js';

/** Carol's request that waits for approval while Redis restarts. */
const CAROL = 'U0CAROL001';
const PENDING = 'cordon node-002';
/** Dave's request after the restart: new requests must work. */
const DAVE = 'U0DAVE0001';

/** A drain running (some pods evicted) and another request waiting for approval. */
async function inFlight(t: TrialContext, aof: boolean): Promise<{ w: World; drain: ApprovalCard; pending: ApprovalCard }> {
  const w = await t.world({ pods: 100, redisAof: aof });
  const pending = await requestApproval(w, CAROL, PENDING);
  const drain = await requestDrain(w);
  await approve(w, drain);
  await evictionsReach(w, 5 + (t.index % 10));
  return { w, drain, pending };
}

const lost = new RegExp(LOST_LINE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

export const redisRestartEmpty: Fault = {
  name: 'redis-restart-empty',
  title: 'Redis restart, empty',
  checks: 'running and pending cards end "lost when Redis restarted; nothing more will run"; no eviction after that; a new request ends Done',
  trials: 5,
  timeoutMs: 150_000,
  async trial(t) {
    const { w, drain, pending } = await inFlight(t, false);
    await w.redis.restart();
    const problems: string[] = [];
    const ends: CardVersion[] = [];
    for (const [what, card] of [['running drain', drain], ['pending approval', pending]] as const) {
      const end = await w.stack.cards.until(OPS, card.ts, (v) => lost.test(v.text) || FINISHED.test(v.text), 60_000).catch((err: Error) => err);
      if (end instanceof Error) problems.push(`the ${what}'s card never said it was lost: ${end.message}`);
      else if (!lost.test(end.text)) problems.push(`the ${what}'s card ended "${firstLine(end.text)}" without the lost line`);
      else ends.push(end);
    }
    const broken = await newRequestWorks(w, DAVE);
    if (broken) problems.push(broken);
    // The new request took seconds: any eviction the lost drain still asked for would show by now.
    // Requests sent before the card said so may arrive a little after; those are not "more".
    const saidLost = Math.min(...ends.map((v) => v.at));
    const after = w.sandbox.evictions().filter((e) => e.sentBy > saidLost);
    if (after.length) problems.push(`${after.length} pods evicted after the card said nothing more will run (the first sent ${after[0]!.sentBy - saidLost} ms after)`);
    for (const card of [drain, pending]) {
      const last = w.stack.cards.versions(OPS, card.ts).at(-1);
      if (last && !lost.test(last.text)) problems.push(`a lost card changed again afterwards: "${firstLine(last.text)}"`);
    }
    if (w.sandbox.store.get('nodes', undefined, 'node-002')?.spec?.unschedulable) problems.push('the lost pending cordon of node-002 ran');
    assertNone(problems);
  },
};

export const redisRestartAof: Fault = {
  name: 'redis-restart-aof',
  title: 'Redis SIGKILL + restart from AOF (appendfsync always)',
  checks: 'the pending approval counts when clicked after the restart and runs; the running drain ends Done; no pod evicted twice; card count = sandbox evictions',
  trials: 5,
  timeoutMs: 180_000,
  async trial(t) {
    const { w, drain, pending } = await inFlight(t, true);
    await w.redis.kill({ signal: 'SIGKILL' });
    await w.redis.restart();
    const problems = await approvedCordonProblems(w, pending, 'the restart');
    const final = await finished(w, drain, 120_000);
    problems.push(...drainProblems(w, final));
    assertNone(problems);
  },
};
