import type { TimelineEvent } from '../../core/timeline-event.js';
import { escapeMarkdown } from '../../core/text/markdown.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { truncate } from '../../core/text/limits.js';
import { inTimeOrder, ZonedTime, type Incident } from '../../incident/index.js';
import { mentionOrName } from './people.js';

/** Characters of one event's text shown in Slack. */
const MAX_EVENT_CHARS = 500;

export interface RenderTimelineOptions {
  /** IANA zone for the times. @defaultValue 'UTC' */
  timeZone?: string;
  incident: Incident;
  /** Display names by Slack user id. Without one a person shows as `<@U…>`. */
  names?: Readonly<Record<string, string>>;
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
 * changes, then one line per event: `` `14:03:05` <@U1> what happened ``. Quoted text is escaped
 * with the one function of the output format (mrkdwn or Markdown).
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
  const person = (actor: string) => (markdown ? (options.names?.[actor] ? escape(options.names[actor]!) : mentionOrName(actor)) : mentionOrName(actor, options.names));

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
    const one = (e.text || e.kind).replace(/\s*[\r\n]+\s*/g, ' ').trim();
    const what = escape(markdown ? one : truncate(one, MAX_EVENT_CHARS));
    lines.push(`${markdown ? '- ' : ''}\`${zone.time(e.at)}\` ${person(e.actor)} ${what}`);
  }
  return lines.join('\n');
}
