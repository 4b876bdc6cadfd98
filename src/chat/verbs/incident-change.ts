import type { Incident } from '../../incident/index.js';
import type { BotReply, BotVerbContext } from './bot-verb.js';
import { openIncident, refreshCard } from './incident-support.js';

/**
 * The shared step of `sev`, `status` and `commander`: change the open incident, note who did it,
 * refresh the pinned card, and say what it is now, in the channel.
 */
export async function changeIncident(
  { services, userId, channelId }: BotVerbContext,
  change: (incident: Incident) => Promise<Parameters<BotVerbContext['services']['incidents']['update']>[1]>,
  says: (updated: Incident) => string,
): Promise<BotReply> {
  const incident = await openIncident(services, channelId);
  const updated = await services.incidents.update(incident.id, await change(incident), userId);
  await services.incidents.addParticipant(incident.id, userId);
  await refreshCard(services, updated);
  return { text: `${says(updated)} (\`${incident.id}\`).`, inChannel: true };
}
