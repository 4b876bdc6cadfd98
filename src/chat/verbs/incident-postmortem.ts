import { ErrorCode, IncidentError } from '../../core/errors.js';
import { toSafeJson } from '../../core/text/json.js';
import { cleanPlainText } from '../../core/text/slack-plain.js';
import { postmortemVerb } from '../../core/verbs/index.js';
import { buildPostmortem, postmortemFile, svgToPng, timelineChartSvg } from '../../incident/index.js';
import type { Block } from '../render/blocks.js';
import { summarizeForSlack } from '../render/postmortem-summary.js';
import type { BotVerb } from './bot-verb.js';
import { collectBackups, latestIncident, namesFor, resolveChannelName } from './incident-support.js';

/**
 * `/incident postmortem [#channel] [--format md|json] [--tz ZONE] [--backups]`: a summary message
 * with the file, and the timeline chart as a PNG, in its thread. People and channels by name.
 */
export const incidentPostmortem: BotVerb<typeof postmortemVerb> = {
  verb: postmortemVerb,
  async run(args, { services, channelId }) {
    const { client, timeline } = services;
    const incident = await latestIncident(services, channelId);
    if (!incident) throw new IncidentError(ErrorCode.NoIncident, 'No incident in this channel to write up.', { hint: "Postmortems are written from an incident's timeline: `/incident start TITLE` first." });
    const target = args.channelId ?? (args.channelName ? await resolveChannelName(services, args.channelName) : channelId);
    const [events, backups] = await Promise.all([timeline.read(incident.id), collectBackups(services, incident.id)]);
    const { names, channels } = await namesFor(services, incident, events);
    const pm = buildPostmortem({ incident, events, timeZone: args.tz ?? 'UTC', names, channels, backups: backups.map((b) => ({ requestId: b.requestId, name: b.name, objects: b.objects.length })) });
    const chartName = `postmortem-${incident.id}.png`;
    // The chart is worth having, never worth losing the postmortem over: a failure is said, not thrown.
    const chart = await svgToPng(timelineChartSvg(pm)).catch((err: Error) => {
      services.logger.warn({ err }, 'timeline chart not drawn');
      return err;
    });
    const content = postmortemFile(pm, args.format, chart instanceof Error ? undefined : chartName);
    const summary = summarizeForSlack(pm);
    const posted = await client.chat.postMessage({ channel: target, text: summary.text, blocks: summary.blocks as Block[] });
    const thread = posted.ts as string;
    await client.filesUploadV2({ channel_id: target, thread_ts: thread, filename: `postmortem-${incident.id}.${args.format}`, title: cleanPlainText(`Postmortem: ${incident.title}`), content });
    if (!(chart instanceof Error)) {
      await client.filesUploadV2({ channel_id: target, thread_ts: thread, filename: chartName, title: cleanPlainText(`Timeline of ${incident.id}`), file: chart.png, alt_text: `Timeline of ${incident.id}: alerts, cluster events, people, approvals and actions on one time axis` });
    }
    if (args.backups && backups.length) {
      await client.filesUploadV2({ channel_id: target, thread_ts: thread, filename: `backups-${incident.id}.json`, title: `Backups taken during ${incident.id}`, content: `${toSafeJson(backups, 2)}\n` });
    }
    const where = target === channelId ? '' : ` in <#${target}>`;
    const chartNote = chart instanceof Error ? ` The timeline chart could not be drawn (${chart.message}).` : '';
    return { text: `Postmortem of \`${incident.id}\` posted${where}.${chartNote}` };
  },
};
