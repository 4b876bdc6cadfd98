import { formatDuration } from '../../core/duration.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { auditVerb } from '../../core/verbs/index.js';
import type { BotVerb } from './bot-verb.js';

const USER_MENTION = /<@([UW][A-Z0-9]{2,})>/g;

/**
 * An audit entry's detail as mrkdwn: escaped once, except the user mentions sitrep itself wrote
 * into it (who may approve, who ended it), which stay mentions so Slack shows names, not ids.
 */
function detailMrkdwn(detail: string): string {
  let out = '';
  let last = 0;
  for (const m of detail.matchAll(USER_MENTION)) {
    out += `${escapeMrkdwn(detail.slice(last, m.index))}<@${m[1]}>`;
    last = m.index + m[0].length;
  }
  return out + escapeMrkdwn(detail.slice(last));
}

/**
 * `/k8s audit [--since 1h]`: the audit stream, oldest first, times in UTC: requests asked for
 * approval, votes, refusals (of commands, clicks and forged executions), rejections, expiries and
 * the results of operations.
 */
export const audit: BotVerb<typeof auditVerb> = {
  verb: auditVerb,
  async run({ sinceMs }, { services }) {
    const now = services.clock.now();
    const entries = await services.approvals.audit(now - sinceMs, 100);
    if (!entries.length) return { text: `No audited activity in the last ${formatDuration(sinceMs)}.` };
    const lines = entries.map((e) => {
      const at = new Date(e.at).toISOString().slice(11, 19);
      const where = e.cluster ? ` on ${escapeMrkdwn(e.cluster)}` : '';
      return `\`${at}\` ${escapeMrkdwn(e.action)} · ${escapeMrkdwn(e.verb)}${where}${/^[UW][A-Z0-9]{2,}$/.test(e.user) ? ` · <@${e.user}>` : e.user ? ` · ${escapeMrkdwn(e.user)}` : ''}${e.detail ? ` · ${detailMrkdwn(e.detail)}` : ''}`;
    });
    return { text: `*Audit, last ${formatDuration(sinceMs)}* (UTC)\n${lines.join('\n')}` };
  },
};
