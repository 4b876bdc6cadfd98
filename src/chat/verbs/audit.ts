import { formatDuration } from '../../core/duration.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { auditVerb } from '../../core/verbs/index.js';
import type { BotVerb } from './bot-verb.js';

/** `/k8s audit [--since 1h]`: the approval audit stream, oldest first, times in UTC. */
export const audit: BotVerb<typeof auditVerb> = {
  verb: auditVerb,
  async run({ sinceMs }, { services }) {
    const now = services.clock.now();
    const entries = await services.approvals.audit(now - sinceMs, 100);
    if (!entries.length) return { text: `No approval activity in the last ${formatDuration(sinceMs)}.` };
    const lines = entries.map((e) => {
      const at = new Date(e.at).toISOString().slice(11, 19);
      return `\`${at}\` ${escapeMrkdwn(e.action)} · ${escapeMrkdwn(e.verb)} on ${escapeMrkdwn(e.cluster)}${e.user ? ` · <@${e.user}>` : ''}${e.detail ? ` · ${escapeMrkdwn(e.detail)}` : ''}`;
    });
    return { text: `*Audit, last ${formatDuration(sinceMs)}* (UTC)\n${lines.join('\n')}` };
  },
};
