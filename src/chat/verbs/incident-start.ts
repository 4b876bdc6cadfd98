import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { startVerb } from '../../core/verbs/index.js';
import type { IncidentSeverity } from '../../incident/index.js';
import { incidentCard } from '../render/incident-card.js';
import type { BotVerb } from './bot-verb.js';

/** `/incident start TITLE [--sev N]`: opens the channel's incident and pins its card. */
export const incidentStart: BotVerb<typeof startVerb> = {
  verb: startVerb,
  async run(args, { services, userId, channelId }) {
    const { incidents, client, clock } = services;
    const incident = await incidents.start({ channelId, title: args.title, severity: args.sev as IncidentSeverity, startedBy: userId, channelOnly: args.channelOnly });
    const card = incidentCard(incident, clock.now());
    try {
      const posted = await client.chat.postMessage({ channel: channelId, text: card.text, blocks: card.blocks });
      if (posted.ts) {
        await incidents.update(incident.id, { cardTs: posted.ts }, userId);
        await client.pins.add({ channel: channelId, timestamp: posted.ts }).catch((err) => services.logger.warn({ err }, 'pinning the incident card failed'));
      }
    } catch (err) {
      services.logger.warn({ err }, 'posting the incident card failed');
      return { text: `Incident \`${incident.id}\` is open, but its card could not be posted (${escapeMrkdwn((err as Error).message)}). The timeline is recording.` };
    }
    return { text: `:rotating_light: Incident \`${incident.id}\` opened. Every \`/k8s\` command in this channel now goes on its timeline.` };
  },
};
