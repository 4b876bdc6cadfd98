import { formatDuration } from '../core/duration.js';
import type { BotServices } from './bot-services.js';
import { escapeMrkdwn } from '../core/text/mrkdwn.js';

export interface BotVerbInput {
  verb: string;
  args: Record<string, unknown>;
  userId: string;
  channelId: string;
}

/** A reply from a bot-side verb: posted in the channel, or shown only to the caller. */
export interface BotReply {
  text: string;
  blocks?: unknown[];
  inChannel?: boolean;
}

/** `/k8s jobs`, `/k8s status` and `/k8s audit`: answered from Redis, no cluster involved. */
export async function runK8sBotVerb(services: BotServices, input: BotVerbInput): Promise<BotReply> {
  const now = services.clock.now();
  switch (input.verb) {
    case 'jobs': {
      const recent = await services.requests.recentInChannel(input.channelId, 15);
      if (!recent.length) return { text: 'No sitrep requests in this channel yet. Try `/k8s get nodes`.' };
      const lines = recent.map((r) => {
        const age = formatDuration(now - r.request.receivedAt);
        return `• \`${escapeMrkdwn(`${r.request.command} ${r.request.text}`)}\` · *${r.state}* · <@${r.request.userId}> · ${age} ago`;
      });
      return { text: `*Recent requests in this channel*\n${lines.join('\n')}` };
    }
    case 'status': {
      const clusters = await services.registry.clusters();
      const rows = await Promise.all(
        clusters.map(async (c) => {
          const [workers, depth] = await Promise.all([services.registry.live(c, now), services.producer.depth(c)]);
          const state = workers.length ? `:large_green_circle: ${workers.length} worker(s)` : ':red_circle: no live worker';
          return `• *${escapeMrkdwn(c)}*${c === services.defaultCluster ? ' (default)' : ''}: ${state} · queue ${depth.waiting} waiting, ${depth.active} running${depth.failed ? `, ${depth.failed} failed` : ''}${workers.length ? `\n    ${workers.map((w) => `\`${escapeMrkdwn(w.id)}\` seen ${formatDuration(now - w.lastSeen)} ago`).join(', ')}` : ''}`;
        }),
      );
      const policy = services.policy.describe();
      return {
        text: [`*sitrep status*`, rows.length ? rows.join('\n') : `No cluster has had a worker yet. Start one: \`sitrep worker --cluster ${services.defaultCluster}\`.`, `*Policy:* ${policy}`].join('\n'),
      };
    }
    case 'audit': {
      const since = Number(input.args.sinceMs ?? 3_600_000);
      const entries = await services.approvals.audit(now - since, 100);
      if (!entries.length) return { text: `No approval activity in the last ${formatDuration(since)}.` };
      const lines = entries.map((e) => {
        const fields = e as unknown as Record<string, unknown>;
        const at = new Date(Number(fields.at)).toISOString().slice(11, 19);
        return `\`${at}\` ${escapeMrkdwn(String(fields.action))} · ${escapeMrkdwn(String(fields.verb ?? ''))} on ${escapeMrkdwn(String(fields.cluster ?? ''))}${fields.user ? ` · <@${String(fields.user)}>` : ''}${fields.detail ? ` · ${escapeMrkdwn(String(fields.detail))}` : ''}`;
      });
      return { text: `*Audit, last ${formatDuration(since)}* (UTC)\n${lines.join('\n')}` };
    }
    default:
      return { text: `\`${input.verb}\` is not handled by the bot.` };
  }
}
