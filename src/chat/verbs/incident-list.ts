import { formatDuration } from '../../core/duration.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { listVerb } from '../../core/verbs/index.js';
import type { BotVerb } from './bot-verb.js';

/** `/incident list [--open]`: the latest incidents of every channel. */
export const incidentList: BotVerb<typeof listVerb> = {
  verb: listVerb,
  async run({ open }, { services }) {
    const list = await services.incidents.list({ open, limit: 20 });
    if (!list.length) return { text: open ? 'No open incidents.' : 'No incidents yet.' };
    const now = services.clock.now();
    return {
      text: list
        .map((i) => `• \`${i.id}\` SEV${i.severity} *${escapeMrkdwn(i.title)}* · ${i.status} · <#${i.channelId}> · ${i.resolvedAt ? `resolved after ${formatDuration(i.resolvedAt - i.startedAt)}` : `open ${formatDuration(now - i.startedAt)}`}`)
        .join('\n'),
    };
  },
};
