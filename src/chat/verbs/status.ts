import { formatDuration } from '../../core/duration.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { statusVerb } from '../../core/verbs/index.js';
import type { BotVerb } from './bot-verb.js';

/** `/k8s status`: each cluster, whether a worker serves it, its queue, and the policy in force. */
export const status: BotVerb<typeof statusVerb> = {
  verb: statusVerb,
  async run(_args, { services }) {
    const now = services.clock.now();
    const clusters = await services.registry.clusters();
    const rows = await Promise.all(
      clusters.map(async (c) => {
        const [workers, depth] = await Promise.all([services.registry.live(c, now), services.producer.depth(c)]);
        const state = workers.length ? `:large_green_circle: ${workers.length} worker(s)` : ':red_circle: no live worker';
        const seen = workers.length ? `\n    ${workers.map((w) => `\`${escapeMrkdwn(w.id)}\` seen ${formatDuration(now - w.lastSeen)} ago`).join(', ')}` : '';
        return `• *${escapeMrkdwn(c)}*${c === services.defaultCluster ? ' (default)' : ''}: ${state} · queue ${depth.waiting} waiting, ${depth.active} running${depth.failed ? `, ${depth.failed} failed` : ''}${seen}`;
      }),
    );
    return {
      text: [
        '*sitrep status*',
        rows.length ? rows.join('\n') : `No cluster has had a worker yet. Start one: \`sitrep worker --cluster ${services.defaultCluster}\`.`,
        // describe() starts with "Policy: NAME."; a heading here would say Policy twice.
        services.policy.describe(),
      ].join('\n'),
    };
  },
};
