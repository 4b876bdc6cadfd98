/**
 * Redis hung (issue 15, item 2): SIGSTOP for a few seconds, then SIGCONT. A slash command and an
 * Approve click sent meanwhile must each be answered "Redis is not answering" within 3 s, and once
 * Redis resumes nothing they asked for may run (the late writes were refused by the Lua deadline).
 */
import { OPS } from '../../bench/process-stack.js';
import { visibleText } from '../../src/console/index.js';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { buttonValue } from '../../test/support/cards.js';
import { assertNone, type Fault } from '../fault.js';
import { ephemeralTo, firstLine, newRequestWorks, requestApproval } from '../requests.js';
import { APPROVER, REQUESTER } from '../world.js';

const CAROL = 'U0CAROL001';
const DAVE = 'U0DAVE0001';
/** Issue 15: within 3 s the user hears why. */
const TOLD_WITHIN_MS = 3000;

export const redisHang: Fault = {
  name: 'redis-hang',
  title: 'Redis hang (SIGSTOP 4-6 s, SIGCONT)',
  checks: 'a command and an Approve click during the hang each told "Redis is not answering" within 3 s; after SIGCONT neither ran (no card, node not cordoned, approval still open); a new request ends Done',
  trials: 10,
  timeoutMs: 120_000,
  async trial(t) {
    const w = await t.world({ pods: 120 });
    const pending = await requestApproval(w, REQUESTER, 'cordon node-002');
    const hangMs = 4000 + (t.index % 3) * 1000;
    const problems: string[] = [];
    w.redis.signal('SIGSTOP');
    const stoppedAt = Date.now();
    try {
      const [command, click] = await Promise.all([
        (async () => {
          const told = ephemeralTo(w, CAROL, /Redis is not answering/, 10_000);
          await w.stack.slash('cordon node-003', { user: CAROL });
          return told;
        })(),
        (async () => {
          const told = ephemeralTo(w, APPROVER, /Redis is not answering/, 10_000);
          await w.stack.click(CardAction.Approve, pending.approvalId, { user: APPROVER, messageTs: pending.ts });
          return told;
        })(),
      ]);
      for (const [what, r] of [['/k8s cordon node-003', command], ['the Approve click', click]] as const) {
        if ('missing' in r) problems.push(`${what} during the hang was not told "Redis is not answering" (${r.missing})`);
        else if (r.ms > TOLD_WITHIN_MS) problems.push(`${what} was told "Redis is not answering" after ${(r.ms / 1000).toFixed(1)} s, not within 3 s`);
        else if (/Internal error|Stream isn't writeable/.test(r.text)) problems.push(`${what} was told: ${firstLine(r.text)}`);
      }
      const rest = hangMs - (Date.now() - stoppedAt);
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    } finally {
      w.redis.signal('SIGCONT');
    }
    // After the resume: a new request runs end to end, by which time anything late would have too.
    const broken = await newRequestWorks(w, DAVE);
    if (broken) problems.push(broken);
    if (w.sandbox.store.get('nodes', undefined, 'node-002')?.spec?.unschedulable) problems.push('the approval refused during the hang ran: node-002 is cordoned');
    if (w.sandbox.store.get('nodes', undefined, 'node-003')?.spec?.unschedulable) problems.push('the command refused during the hang ran: node-003 is cordoned');
    const carolCards = w.stack.slack.workspace.messages(OPS).filter((m) => Number(m.ts) * 1000 >= stoppedAt - 1000 && /requested by <@U0CAROL001>/.test(visibleText(m)));
    if (carolCards.length) problems.push(`the command refused during the hang got a card: ${firstLine(visibleText(carolCards[0]!))}`);
    const now = w.stack.cards.versions(OPS, pending.ts).at(-1);
    if (!now || buttonValue(now.message, CardAction.Approve) === undefined) problems.push(`the pending card no longer waits for approval: ${firstLine(now?.text ?? '')}`);
    assertNone(problems);
  },
};
