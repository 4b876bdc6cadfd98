import { helpText } from '../../commands/help.js';
import { ErrorCode, IncidentError } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import { EventKind } from '../core/timeline-event.js';
import { buildPostmortem, renderPostmortem, type Incident, type IncidentSeverity, type IncidentStatus } from '../incident/index.js';
import type { BotServices } from './bot-services.js';
import type { BotReply, BotVerbInput } from './k8s-bot-verbs.js';
import { incidentCard } from './render/incident-card.js';
import { summarizeForSlack } from './render/postmortem-summary.js';
import { renderTimeline } from './render/timeline-text.js';
import type { Block } from './render/blocks.js';

/** Timelines longer than this go up as a file instead of a message. */
const INLINE_TIMELINE_CHARS = 2800;

async function openIncident(services: BotServices, channelId: string): Promise<Incident> {
  const incident = await services.incidents.openIn(channelId);
  if (!incident) {
    throw new IncidentError(ErrorCode.NoIncident, 'No open incident in this channel.', { hint: 'Start one with `/incident start TITLE [--sev 1-4]`.' });
  }
  return incident;
}

/** Re-renders the pinned card after any change. A failed edit is logged: the timeline has the truth. */
async function refreshCard(services: BotServices, incident: Incident): Promise<void> {
  if (!incident.cardTs) return;
  const card = incidentCard(incident, services.clock.now());
  await services.client.chat.update({ channel: incident.channelId, ts: incident.cardTs, text: card.text, blocks: card.blocks }).catch((err) => services.logger.warn({ err }, 'incident card update failed'));
}

async function resolveUserName(services: BotServices, name: string): Promise<string> {
  try {
    const res = await services.client.users.list({ limit: 500 });
    const found = (res.members ?? []).find((m) => m.name === name || m.profile?.display_name === name || m.real_name === name);
    if (found?.id) return found.id;
  } catch {
    // users.list needs users:read; fall through to the clear message below.
  }
  throw new IncidentError(ErrorCode.BadArgs, `Cannot find a user named @${name}.`, { hint: 'Mention them so Slack autocompletes the name: `/incident commander @name`.' });
}

async function resolveChannelName(services: BotServices, name: string): Promise<string> {
  try {
    const res = await services.client.conversations.list({ limit: 1000, exclude_archived: true });
    const found = (res.channels ?? []).find((c) => c.name === name);
    if (found?.id) return found.id;
  } catch {
    // conversations.list may be missing a scope; fall through.
  }
  throw new IncidentError(ErrorCode.BadArgs, `Cannot find channel #${name}.`, { hint: 'Pick it from Slack\'s autocomplete so it is sent as a link, and invite sitrep there.' });
}

/**
 * Every `/incident` verb. Each change is a timeline event and refreshes the pinned card; the
 * incident store makes "one open incident per channel" atomic across bot replicas.
 */
export async function runIncidentVerb(services: BotServices, input: BotVerbInput & { triggerId?: string }): Promise<BotReply> {
  const { incidents, timeline, clock, client } = services;
  const a = input.args;
  switch (input.verb) {
    case 'help':
      return { text: helpText('/incident', typeof a.verb === 'string' ? a.verb : undefined) };
    case 'start': {
      const incident = await incidents.start({ channelId: input.channelId, title: String(a.title), severity: (a.sev as IncidentSeverity) ?? 3, startedBy: input.userId, channelOnly: Boolean(a.channelOnly) });
      const card = incidentCard(incident, clock.now());
      try {
        const posted = await client.chat.postMessage({ channel: input.channelId, text: card.text, blocks: card.blocks });
        if (posted.ts) {
          await incidents.update(incident.id, { cardTs: posted.ts }, input.userId);
          await client.pins.add({ channel: input.channelId, timestamp: posted.ts }).catch((err) => services.logger.warn({ err }, 'pinning the incident card failed'));
        }
      } catch (err) {
        services.logger.warn({ err }, 'posting the incident card failed');
        return { text: `Incident \`${incident.id}\` is open, but its card could not be posted (${(err as Error).message}). The timeline is recording.` };
      }
      return { text: `:rotating_light: Incident \`${incident.id}\` opened. Every \`/k8s\` command in this channel now goes on its timeline.` };
    }
    case 'note': {
      const incident = await openIncident(services, input.channelId);
      const at = clock.now();
      await timeline.append(incident.id, { v: 1, key: `note:${input.triggerId ?? `${input.userId}:${at}`}`, kind: EventKind.IncidentNote, at, actor: input.userId, text: String(a.text) });
      await incidents.addParticipant(incident.id, input.userId);
      return { text: `:pushpin: Noted on \`${incident.id}\`: ${String(a.text)}` };
    }
    case 'sev':
    case 'status':
    case 'commander': {
      const incident = await openIncident(services, input.channelId);
      if (input.verb === 'status' && a.status === 'resolved') return runIncidentVerb(services, { ...input, verb: 'resolve', args: {} });
      const change =
        input.verb === 'sev'
          ? { severity: a.sev as IncidentSeverity }
          : input.verb === 'status'
            ? { status: a.status as IncidentStatus }
            : { commanderId: typeof a.userId === 'string' ? a.userId : await resolveUserName(services, String(a.userName)) };
      const updated = await incidents.update(incident.id, change, input.userId);
      await incidents.addParticipant(incident.id, input.userId);
      await refreshCard(services, updated);
      const what = input.verb === 'sev' ? `Severity is now SEV${updated.severity}` : input.verb === 'status' ? `Status is now *${updated.status}*` : `<@${updated.commanderId}> is now the incident commander`;
      return { text: `${what} (\`${incident.id}\`).`, inChannel: true };
    }
    case 'resolve': {
      const incident = await openIncident(services, input.channelId);
      const resolved = await incidents.resolve(incident.id, input.userId, typeof a.summary === 'string' ? a.summary : undefined);
      await refreshCard(services, resolved);
      const ttr = resolved.resolvedAt ? formatDuration(resolved.resolvedAt - resolved.startedAt) : '?';
      const ttm = resolved.mitigatedAt ? formatDuration(resolved.mitigatedAt - resolved.startedAt) : ttr;
      return { text: `:white_check_mark: \`${resolved.id}\` resolved after ${ttr} (mitigated after ${ttm}). Write it up with \`/incident postmortem\`.`, inChannel: true };
    }
    case 'timeline': {
      const incident = (await incidents.openIn(input.channelId)) ?? (await incidents.list({ channelId: input.channelId, limit: 1 }))[0];
      if (!incident) throw new IncidentError(ErrorCode.NoIncident, 'No incident in this channel yet.', { hint: 'Start one with `/incident start TITLE`.' });
      const events = await timeline.read(incident.id);
      const text = renderTimeline(events, { incident, timeZone: typeof a.tz === 'string' ? a.tz : 'UTC' });
      if (text.length <= INLINE_TIMELINE_CHARS) return { text, inChannel: true };
      await client.filesUploadV2({ channel_id: input.channelId, filename: `${incident.id}-timeline.md`, title: `Timeline of ${incident.title}`, content: text, initial_comment: `Timeline of \`${incident.id}\` so far (${events.length} events).` });
      return { text: `The timeline (${events.length} events) is posted as a file.` };
    }
    case 'postmortem': {
      const incident = (await incidents.openIn(input.channelId)) ?? (await incidents.list({ channelId: input.channelId, limit: 1 }))[0];
      if (!incident) throw new IncidentError(ErrorCode.NoIncident, 'No incident in this channel to write up.', { hint: 'Postmortems are written from an incident\'s timeline: `/incident start TITLE` first.' });
      const target = typeof a.channelId === 'string' ? a.channelId : typeof a.channelName === 'string' ? await resolveChannelName(services, a.channelName) : input.channelId;
      const [events, backups] = await Promise.all([timeline.read(incident.id), collectBackups(services, incident.id)]);
      const timeZone = typeof a.tz === 'string' ? a.tz : 'UTC';
      const format = a.format === 'json' ? 'json' : 'md';
      const pmInput = { incident, events, timeZone, backups: backups.map((b) => ({ requestId: b.requestId, name: b.name, objects: b.objects.length })) };
      const content = renderPostmortem({ ...pmInput, format });
      const summary = summarizeForSlack(buildPostmortem(pmInput));
      const posted = await client.chat.postMessage({ channel: target, text: summary.text, blocks: summary.blocks as Block[] });
      await client.filesUploadV2({ channel_id: target, thread_ts: posted.ts as string, filename: `postmortem-${incident.id}.${format}`, title: `Postmortem: ${incident.title}`, content });
      if (a.backups && backups.length) {
        await client.filesUploadV2({ channel_id: target, thread_ts: posted.ts as string, filename: `backups-${incident.id}.json`, title: `Backups taken during ${incident.id}`, content: JSON.stringify(backups, null, 2) });
      }
      return { text: target === input.channelId ? `Postmortem of \`${incident.id}\` posted.` : `Postmortem of \`${incident.id}\` posted in <#${target}>.` };
    }
    case 'list': {
      const list = await incidents.list({ open: Boolean(a.open), limit: 20 });
      if (!list.length) return { text: a.open ? 'No open incidents.' : 'No incidents yet.' };
      const now = clock.now();
      return {
        text: list
          .map((i) => `• \`${i.id}\` SEV${i.severity} *${i.title}* · ${i.status} · <#${i.channelId}> · ${i.resolvedAt ? `resolved after ${formatDuration(i.resolvedAt - i.startedAt)}` : `open ${formatDuration(now - i.startedAt)}`}`)
          .join('\n'),
      };
    }
    default:
      return { text: `Unknown incident verb ${input.verb}. Try \`/incident help\`.` };
  }
}

/** Backups saved by jobs of requests recorded on this incident's timeline. */
async function collectBackups(services: BotServices, incidentId: string): Promise<{ requestId: string; name: string; objects: unknown[] }[]> {
  const events = await services.timeline.read(incidentId);
  const requestIds = [...new Set(events.map((e) => e.requestId).filter((id): id is string => Boolean(id)))];
  const lists = await Promise.all(requestIds.map(async (requestId) => (await services.backups.list(requestId)).map((b) => ({ requestId, name: b.name, objects: b.objects }))));
  return lists.flat();
}
