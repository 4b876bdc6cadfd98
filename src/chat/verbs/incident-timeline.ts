import { ErrorCode, IncidentError } from '../../core/errors.js';
import { cleanPlainText } from '../../core/text/slack-plain.js';
import { timelineVerb } from '../../core/verbs/index.js';
import { renderTimeline } from '../render/timeline-text.js';
import type { BotVerb } from './bot-verb.js';
import { latestIncident, namesFor } from './incident-support.js';

/** Timelines longer than this go up as a file instead of a message. */
const INLINE_TIMELINE_CHARS = 2800;

/** `/incident timeline [--tz ZONE]`: the timeline so far, in the channel or as a file. */
export const incidentTimeline: BotVerb<typeof timelineVerb> = {
  verb: timelineVerb,
  async run({ tz }, { services, channelId }) {
    const incident = await latestIncident(services, channelId);
    if (!incident) throw new IncidentError(ErrorCode.NoIncident, 'No incident in this channel yet.', { hint: 'Start one with `/incident start TITLE`.' });
    const events = await services.timeline.read(incident.id);
    const { names, channels } = await namesFor(services, incident, events);
    const text = renderTimeline(events, { incident, timeZone: tz ?? 'UTC', names, channels });
    if (text.length <= INLINE_TIMELINE_CHARS) return { text, inChannel: true };
    const whole = renderTimeline(events, { incident, timeZone: tz ?? 'UTC', names, channels, format: 'markdown' });
    await services.client.filesUploadV2({ channel_id: channelId, filename: `${incident.id}-timeline.md`, title: cleanPlainText(`Timeline of ${incident.title}`), content: whole, initial_comment: `Timeline of \`${incident.id}\` so far (${events.length} events).` });
    return { text: `The timeline (${events.length} events) is posted as a file.` };
  },
};
