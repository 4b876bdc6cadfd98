import type { TimelineEvent } from '../../core/timeline-event.js';
import { escapeMarkdown } from '../../core/text/markdown.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { truncate } from '../../core/text/limits.js';
import { actorLabel, entrySource, inTimeOrder, plainText, ZonedTime, type Incident } from '../../incident/index.js';
import { mentionOrName } from './people.js';

/** Cluster and alert lines are marked, so they read apart from what people did. */
const SOURCE_MARK: Readonly<Record<string, Readonly<Record<'mrkdwn' | 'markdown', string>>>> = {
  cluster: { mrkdwn: ':gear: ', markdown: '(cluster) ' },
  alert: { mrkdwn: ':rotating_light: ', markdown: '(alert) ' },
  person: { mrkdwn: '', markdown: '' },
  sitrep: { mrkdwn: '', markdown: '' },
};

/** Characters of one event's text shown in Slack. */
const MAX_EVENT_CHARS = 500;

export interface RenderTimelineOptions {
  /** IANA zone for the times. @defaultValue 'UTC' */
  timeZone?: string;
  incident: Incident;
  /** Display names by Slack user id. Without one a person shows as `<@U…>` in a message, as the id in a file. */
  names?: Readonly<Record<string, string>>;
  /** Channel names by id, for `<#C…>` inside texts. */
  channels?: Readonly<Record<string, string>>;
  /**
   * Show only the last `limit` events, with a line saying how many came before.
   * @defaultValue undefined (all events)
   */
  limit?: number;
  /**
   * `mrkdwn` for a Slack message (each event cut to a line of readable length), `markdown` for the
   * file uploaded when the timeline is too long for one (every event whole, escaped as Markdown).
   * @defaultValue 'mrkdwn'
   */
  format?: 'mrkdwn' | 'markdown';
}

/**
 * The timeline for `/incident timeline`: a heading naming the zone, a date line whenever the day
 * changes, then one line per event: `` `14:03:05` <@U1> what happened ``, with `:gear:` before the
 * cluster's own events and `:rotating_light:` before alerts. sitrep's own mentions inside a text
 * become names (plainText), then the text is escaped once, with the one function of the output
 * format (mrkdwn or Markdown).
 */
export function renderTimeline(events: readonly TimelineEvent[], options: RenderTimelineOptions): string {
  const zone = new ZonedTime(options.timeZone ?? 'UTC');
  const { incident } = options;
  const sorted = inTimeOrder(events);
  const limit = options.limit;
  const shown = limit !== undefined && limit >= 0 && sorted.length > limit ? sorted.slice(sorted.length - limit) : sorted;
  const lastAt = sorted.length ? sorted[sorted.length - 1]!.at : incident.startedAt;
  const markdown = options.format === 'markdown';
  const escape = markdown ? escapeMarkdown : escapeMrkdwn;
  // A file is read outside Slack: names as the postmortem writes them (actorLabel), never `<@U…>`.
  const person = (actor: string) => (markdown ? escape(actorLabel(actor, options.names)) : mentionOrName(actor, options.names));

  const lines: string[] = [
    `*${escape(incident.id)}: ${escape(incident.title)}* · timeline, times in ${escape(zone.zoneLabel(incident.startedAt, lastAt))}`,
  ];
  if (shown.length < sorted.length) lines.push(`_…${sorted.length - shown.length} earlier events; the postmortem has them all._`);
  if (sorted.length === 0) lines.push('_Nothing recorded yet._');
  let day = '';
  for (const e of shown) {
    const d = zone.date(e.at);
    if (d !== day) {
      day = d;
      lines.push(markdown ? `\n*${d}*\n` : `*${d}*`);
    }
    // One line each; in a message not too long either (the file and the postmortem have it whole).
    const one = plainText(e.text || e.kind, { users: options.names, channels: options.channels }).replace(/\s*[\r\n]+\s*/g, ' ').trim();
    const what = escape(markdown ? one : truncate(one, MAX_EVENT_CHARS));
    const mark = SOURCE_MARK[entrySource(e.actor, e.kind)]![markdown ? 'markdown' : 'mrkdwn'];
    lines.push(`${markdown ? '- ' : ''}\`${zone.time(e.at)}\` ${mark}${person(e.actor)} ${what}`);
  }
  return lines.join('\n');
}
