import { ErrorCode, IncidentError } from '../../core/errors.js';
import { toSafeJson } from '../../core/text/json.js';
import { cleanPlainText } from '../../core/text/slack-plain.js';
import { postmortemVerb } from '../../core/verbs/index.js';
import { buildPostmortem, renderPostmortem } from '../../incident/index.js';
import type { Block } from '../render/blocks.js';
import { summarizeForSlack } from '../render/postmortem-summary.js';
import type { BotVerb } from './bot-verb.js';
import { collectBackups, latestIncident, resolveChannelName } from './incident-support.js';

/** `/incident postmortem [#channel] [--format md|json] [--tz ZONE] [--backups]`: a summary message with the file in its thread. */
export const incidentPostmortem: BotVerb<typeof postmortemVerb> = {
  verb: postmortemVerb,
  async run(args, { services, channelId }) {
    const { client, timeline } = services;
    const incident = await latestIncident(services, channelId);
    if (!incident) throw new IncidentError(ErrorCode.NoIncident, 'No incident in this channel to write up.', { hint: "Postmortems are written from an incident's timeline: `/incident start TITLE` first." });
    const target = args.channelId ?? (args.channelName ? await resolveChannelName(services, args.channelName) : channelId);
    const [events, backups] = await Promise.all([timeline.read(incident.id), collectBackups(services, incident.id)]);
    const pmInput = { incident, events, timeZone: args.tz ?? 'UTC', backups: backups.map((b) => ({ requestId: b.requestId, name: b.name, objects: b.objects.length })) };
    const content = renderPostmortem({ ...pmInput, format: args.format });
    const summary = summarizeForSlack(buildPostmortem(pmInput));
    const posted = await client.chat.postMessage({ channel: target, text: summary.text, blocks: summary.blocks as Block[] });
    await client.filesUploadV2({ channel_id: target, thread_ts: posted.ts as string, filename: `postmortem-${incident.id}.${args.format}`, title: cleanPlainText(`Postmortem: ${incident.title}`), content });
    if (args.backups && backups.length) {
      await client.filesUploadV2({ channel_id: target, thread_ts: posted.ts as string, filename: `backups-${incident.id}.json`, title: `Backups taken during ${incident.id}`, content: `${toSafeJson(backups, 2)}\n` });
    }
    return { text: target === channelId ? `Postmortem of \`${incident.id}\` posted.` : `Postmortem of \`${incident.id}\` posted in <#${target}>.` };
  },
};
