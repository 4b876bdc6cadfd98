/**
 * Timeline text as plain text for people to read: what people typed is already plain (the chat
 * layer decodes Slack's markup once, at intake: core/text/slack-markup.ts), but sitrep's own lines
 * name people with Slack's `<@U…>` (and channels with `<#C…>`), which become `@Name` and `#name`
 * here; a stored `<https://x|label>` becomes `label (https://x)`. Nothing is decoded twice, so
 * "bob & co" never comes out as `&amp;amp;`.
 */

const TOKEN = /<([@#!])([A-Za-z0-9^_.-]+)(?:\|([^>]*))?>|<((?:https?|mailto):[^|>\s]+)(?:\|([^>]*))?>/g;

export interface Names {
  users?: Readonly<Record<string, string>>;
  channels?: Readonly<Record<string, string>>;
}

/** Plain text of a Slack-formatted string, with people and channels by name where known. */
export function plainText(text: string, names: Names = {}): string {
  if (!text.includes('<')) return text;
  return text.replace(TOKEN, (_m, sigil: string | undefined, id: string | undefined, label: string | undefined, url: string | undefined, urlLabel: string | undefined) => {
      if (url) return urlLabel && urlLabel !== url ? `${urlLabel} (${url})` : url;
      if (sigil === '@') return `@${names.users?.[id!] ?? label ?? id}`;
      if (sigil === '#') return `#${names.channels?.[id!] ?? label ?? id}`;
      // <!here>, <!channel>, <!subteam^S1|@sre>
      return label ? label : `@${id}`;
    });
}

/** Slack user and channel ids a text mentions, so the caller can look their names up. */
export function mentionedIds(text: string, into: { users: Set<string>; channels: Set<string> }): void {
  for (const m of text.matchAll(/<([@#])([A-Z0-9]+)(?:\|[^>]*)?>/g)) (m[1] === '@' ? into.users : into.channels).add(m[2]!);
}

/**
 * Every Slack user and channel id an incident's files would show: actors, the incident's people
 * and channel, and mentions inside texts. Machine actors (`sitrep`, `cluster:…`) are not ids.
 */
export function idsToName(incident: { channelId: string; commanderId: string; startedBy: string; participants: readonly string[]; title: string; summary?: string }, events: readonly { actor: string; text: string }[]): { users: Set<string>; channels: Set<string> } {
  const ids = { users: new Set<string>(), channels: new Set<string>([incident.channelId]) };
  const person = (id: string) => {
    if (/^[UW][A-Z0-9]{2,}$/.test(id)) ids.users.add(id);
  };
  for (const id of [incident.commanderId, incident.startedBy, ...incident.participants]) person(id);
  mentionedIds(incident.title, ids);
  if (incident.summary) mentionedIds(incident.summary, ids);
  for (const e of events) {
    person(e.actor);
    mentionedIds(e.text, ids);
  }
  return ids;
}
