import { ErrorCode, IncidentError } from '../../core/errors.js';
import type { TimelineEvent } from '../../core/timeline-event.js';
import { idsToName, type Incident } from '../../incident/index.js';
import type { BotServices } from '../bot-services.js';
import { incidentCard } from '../render/incident-card.js';

/** The incident open in `channelId`, or an error telling the user how to start one. */
export async function openIncident(services: BotServices, channelId: string): Promise<Incident> {
  const incident = await services.incidents.openIn(channelId);
  if (!incident) {
    throw new IncidentError(ErrorCode.NoIncident, 'No open incident in this channel.', { hint: 'Start one with `/incident start TITLE [--sev 1-4]`.' });
  }
  return incident;
}

/** The open incident, else the channel's latest one (a resolved incident can still be written up). */
export async function latestIncident(services: BotServices, channelId: string): Promise<Incident | undefined> {
  return (await services.incidents.openIn(channelId)) ?? (await services.incidents.list({ channelId, limit: 1 }))[0];
}

/** Re-renders the pinned card after any change. A failed edit is logged: the timeline has the truth. */
export async function refreshCard(services: BotServices, incident: Incident): Promise<void> {
  if (!incident.cardTs) return;
  const card = incidentCard(incident, services.clock.now());
  await services.client.chat.update({ channel: incident.channelId, ts: incident.cardTs, text: card.text, blocks: card.blocks }).catch((err) => services.logger.warn({ err }, 'incident card update failed'));
}

/**
 * Posts and pins the card of a newly opened incident and remembers its ts. Throws when the post
 * fails (the incident stays open and its timeline records); a failed pin is only logged.
 */
export async function postIncidentCard(services: BotServices, incident: Incident, actor: string): Promise<void> {
  const card = incidentCard(incident, services.clock.now());
  const posted = await services.client.chat.postMessage({ channel: incident.channelId, text: card.text, blocks: card.blocks });
  if (!posted.ts) return;
  await services.incidents.update(incident.id, { cardTs: posted.ts }, actor);
  await services.client.pins.add({ channel: incident.channelId, timestamp: posted.ts }).catch((err) => services.logger.warn({ err }, 'pinning the incident card failed'));
}

/** A Slack user id for a name typed as plain `@name` (Slack did not escape it to an id). */
export async function resolveUserName(services: BotServices, name: string): Promise<string> {
  try {
    const res = await services.client.users.list({ limit: 500 });
    const found = (res.members ?? []).find((m) => m.name === name || m.profile?.display_name === name || m.real_name === name);
    if (found?.id) return found.id;
  } catch {
    // users.list needs users:read; fall through to the clear message below.
  }
  throw new IncidentError(ErrorCode.BadArgs, `Cannot find a user named @${name}.`, { hint: 'Mention them so Slack autocompletes the name: `/incident commander @name`.' });
}

/** A Slack channel id for a name typed as plain `#name`. */
export async function resolveChannelName(services: BotServices, name: string): Promise<string> {
  try {
    const res = await services.client.conversations.list({ limit: 1000, exclude_archived: true });
    const found = (res.channels ?? []).find((c) => c.name === name);
    if (found?.id) return found.id;
  } catch {
    // conversations.list may be missing a scope; fall through.
  }
  throw new IncidentError(ErrorCode.BadArgs, `Cannot find channel #${name}.`, { hint: "Pick it from Slack's autocomplete so it is sent as a link, and invite sitrep there." });
}

/** Names for every person and channel the incident's files would show (cached users.info / conversations.info). */
export async function namesFor(services: BotServices, incident: Incident, events: readonly TimelineEvent[]): Promise<{ names: Record<string, string>; channels: Record<string, string> }> {
  const ids = idsToName(incident, events);
  const [names, channels] = await Promise.all([services.names.userNames(ids.users), services.names.channelNames(ids.channels)]);
  return { names, channels };
}

/** Backups saved by jobs of requests recorded on this incident's timeline. */
export async function collectBackups(services: BotServices, incidentId: string): Promise<{ requestId: string; name: string; objects: unknown[] }[]> {
  const events = await services.timeline.read(incidentId);
  const requestIds = [...new Set(events.map((e) => e.requestId).filter((id): id is string => Boolean(id)))];
  const lists = await Promise.all(requestIds.map(async (requestId) => (await services.backups.list(requestId)).map((b) => ({ requestId, name: b.name, objects: b.objects }))));
  return lists.flat();
}
