import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { redactText } from '../../core/text/redact.js';
import { EventKind } from '../../core/timeline-event.js';
import { noteVerb } from '../../core/verbs/index.js';
import type { BotVerb } from './bot-verb.js';
import { openIncident } from './incident-support.js';

/**
 * `/incident note TEXT`: a line on the open incident's timeline, keyed by the delivery so a retry
 * adds nothing, and said in the channel: a note is for everyone working the incident, not only
 * its author. What was typed is shown as the timeline shows it (escaped, secrets redacted).
 */
export const incidentNote: BotVerb<typeof noteVerb> = {
  verb: noteVerb,
  async run({ text }, { services, userId, channelId, triggerId }) {
    const incident = await openIncident(services, channelId);
    const at = services.clock.now();
    await services.timeline.append(incident.id, { v: 1, key: `note:${triggerId ?? `${userId}:${at}`}`, kind: EventKind.IncidentNote, at, actor: userId, text });
    await services.incidents.addParticipant(incident.id, userId);
    return { text: `:pushpin: <@${userId}> noted on \`${escapeMrkdwn(incident.id)}\`: ${escapeMrkdwn(redactText(text))}`, inChannel: true };
  },
};
