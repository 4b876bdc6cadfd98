import { formatDuration } from '../../core/duration.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { jobsVerb } from '../../core/verbs/index.js';
import type { BotVerb } from './bot-verb.js';

/** `/k8s jobs`: the recent requests in this channel, with their state, newest first. */
export const jobs: BotVerb<typeof jobsVerb> = {
  verb: jobsVerb,
  async run(_args, { services, channelId }) {
    const now = services.clock.now();
    const recent = await services.requests.recentInChannel(channelId, 15);
    if (!recent.length) return { text: 'No sitrep requests in this channel yet. Try `/k8s get nodes`.' };
    const lines = recent.map((r) => {
      const age = formatDuration(now - r.request.receivedAt);
      return `• \`${escapeMrkdwn(`${r.request.command} ${r.request.text}`)}\` · *${r.state}* · <@${r.request.userId}> · ${age} ago`;
    });
    return { text: `*Recent requests in this channel*\n${lines.join('\n')}` };
  },
};
