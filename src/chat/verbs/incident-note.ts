import { EventKind } from '../../core/timeline-event.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { redactText } from '../../core/text/redact.js';
import { noteVerb } from '../../core/verbs/index.js';
import type { BotVerb } from './bot-verb.js';
import { openIncident } from './incident-support.js';

/** `/incident note TEXT`: a line on the open incident's timeline, keyed by the delivery so a retry adds nothing. */
export const incidentNote: BotVerb<typeof noteVerb> = {
  verb: noteVerb,
  async run({ text }, { services, userId, channelId, triggerId }) {
    const incident = await openIncident(services, channelId);
    const at = services.clock.now();
    await services.timeline.append(incident.id, { v: 1, key: `note:${triggerId ?? `${userId}:${at}`}`, kind: EventKind.IncidentNote, at, actor: userId, text });
    await services.incidents.addParticipant(incident.id, userId);
    // Echoed as it was stored: secrets hidden, escaped so a quoted `<!channel>` stays text.
    return { text: `:pushpin: Noted on \`${incident.id}\`: ${escapeMrkdwn(redactText(text))}` };
  },
};
