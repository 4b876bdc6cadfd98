import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { startVerb } from '../../core/verbs/index.js';
import type { IncidentSeverity } from '../../incident/index.js';
import type { BotVerb } from './bot-verb.js';
import { postIncidentCard } from './incident-support.js';

/** `/incident start TITLE [--sev N]`: opens the channel's incident and pins its card. */
export const incidentStart: BotVerb<typeof startVerb> = {
  verb: startVerb,
  async run(args, { services, userId, channelId }) {
    const { incidents } = services;
    const incident = await incidents.start({ channelId, title: args.title, severity: args.sev as IncidentSeverity, startedBy: userId, channelOnly: args.channelOnly });
    // The default cluster's events go on the timeline from now; clusters named by commands join later.
    await incidents.watchCluster(incident.id, services.defaultCluster, incident.startedAt).catch((err) => services.logger.warn({ err }, 'could not ask for the cluster events'));
    try {
      await postIncidentCard(services, incident, userId);
    } catch (err) {
      services.logger.warn({ err }, 'posting the incident card failed');
      return { text: `Incident \`${incident.id}\` is open, but its card could not be posted (${escapeMrkdwn((err as Error).message)}). The timeline is recording.` };
    }
    return { text: `:rotating_light: Incident \`${incident.id}\` opened. Every \`/k8s\` command in this channel now goes on its timeline.` };
  },
};
