/**
 * Slack rate-limits and fails (issue 15, Done when: "Slack 429/5xx storms"): the stand-in answers
 * a burst of Web API and response_url calls with 429 (Retry-After 1 s), 500 and 503 while three
 * people work at once: two reads, and a cordon that is approved in the middle of the burst.
 * Every request must end with the right final card, posted once.
 */
import { OPS } from '../../bench/process-stack.js';
import { AnyMethod, type Fault as SlackFault } from '../../src/console/fault-injector.js';
import { visibleText } from '../../src/console/index.js';
import { assertNone, type Fault } from '../fault.js';
import { approve, ephemeralTo, FINISHED, firstLine, requestApproval } from '../requests.js';
import { APPROVER, REQUESTER, type World } from '../world.js';

const CAROL = 'U0CAROL001';
const DAVE = 'U0DAVE0001';

/** Trial i's burst: 429s with Retry-After and 5xx, more of them trial by trial, in a varying order. */
export function burstOf(i: number): { fault: SlackFault; times: number }[] {
  const limited = { fault: { status: 429, retryAfter: 1 } as SlackFault, times: 2 + (i % 3) };
  const errors = [{ fault: { status: 500 } as SlackFault, times: 1 + (i % 2) }, { fault: { status: 503 } as SlackFault, times: 2 }];
  return i % 2 ? [...errors, limited] : [limited, ...errors];
}

/** A read of `user` and what its Done card must show. */
async function read(w: World, user: string, text: string, shows: RegExp): Promise<string | undefined> {
  const since = Date.now();
  const { status } = await w.stack.slash(text, { user });
  if (status !== 200) return `/k8s ${text} answered HTTP ${status}`;
  const card = await w.stack.cards.nextCard(user, since, 60_000).catch(() => undefined);
  if (!card) return `/k8s ${text} got no card`;
  const end = await w.stack.cards.until(OPS, card.ts, (v) => FINISHED.test(v.text), 60_000).catch((err: Error) => err);
  if (end instanceof Error) return `/k8s ${text} never finished: ${end.message}`;
  if (!/^Done\b/m.test(end.text) || !shows.test(end.text)) return `/k8s ${text} ended "${firstLine(end.text)}"`;
  return undefined;
}

export const slackStorm: Fault = {
  name: 'slack-storm',
  title: 'Slack 429/5xx storm',
  checks: 'two reads and an approved cordon sent into a burst of 429 (Retry-After) and 500/503 each end Done with the right content; one message per request; node-003 cordoned (Bob clicks Approve again when nothing happened in 15 s or he was told "not counted", at most 3 times)',
  trials: 5,
  timeoutMs: 120_000,
  async trial(t) {
    const w = await t.world({ pods: 120 });
    const problems: string[] = [];
    const reclicks: string[] = [];
    const cordon = requestApproval(w, REQUESTER, 'cordon node-003', 60_000);
    for (const b of burstOf(t.index)) w.stack.slack.failNext(AnyMethod, b.fault, b.times);
    const reads = Promise.all([read(w, CAROL, 'get nodes', /node-002/), read(w, DAVE, 'get pods -n team-a', /svc-001-/)]);
    const card = await cordon;
    // More of the storm as the click comes in.
    for (const b of burstOf(t.index + 1)) w.stack.slack.failNext(AnyMethod, b.fault, b.times);
    // Bob clicks again when nothing happened for 15 s, or he was told his approval was not
    // counted (sitrep could not check his account through Slack), as a person would; the storm
    // must not cost more than three clicks.
    for (let click = 1; click <= 3; click++) {
      const refused = ephemeralTo(w, APPROVER, /not counted/, 15_000);
      await approve(w, card);
      const moved = await w.stack.cards.until(OPS, card.ts, (v) => /Running|Done|Failed/.test(firstLine(v.text)), 15_000).then(() => true, () => false);
      if (moved) break;
      const told = await refused;
      reclicks.push('missing' in told ? 'nothing happened' : 'told "not counted"');
      if (click === 3) problems.push(`Bob's approval did not take in 3 clicks (${reclicks.join(', ')})`);
    }
    const end = await w.stack.cards.until(OPS, card.ts, (v) => FINISHED.test(v.text), 60_000).catch((err: Error) => err);
    if (end instanceof Error) problems.push(`the approved cordon never finished: ${end.message}`);
    else if (!/^Done\b/m.test(end.text)) problems.push(`the approved cordon ended "${firstLine(end.text)}"`);
    if (!w.sandbox.store.get('nodes', undefined, 'node-003')?.spec?.unschedulable) problems.push('node-003 is not cordoned');
    for (const p of await reads) if (p) problems.push(p);
    for (const user of [REQUESTER, CAROL, DAVE]) {
      const n = w.stack.slack.workspace.messages(OPS).filter((m) => !(m.thread_ts && m.thread_ts !== m.ts) && new RegExp(`requested by <@${user}>`).test(visibleText(m))).length;
      if (n !== 1) problems.push(`${user}'s request was posted ${n} times`);
    }
    if (reclicks.length) console.log(`chaos: slack-storm trial ${t.index + 1}: Bob clicked Approve ${reclicks.length + 1} times (${reclicks.join(', ')})`);
    assertNone(problems);
  },
};
