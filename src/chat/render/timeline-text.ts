import type { TimelineEvent } from '../../core/timeline-event.js';
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
}

/**
 * The timeline as Slack mrkdwn for `/incident timeline`: a heading naming the zone, a date line
 * whenever the day changes, then one line per event: `` `14:03:05` <@U1> what happened ``.
 */
export function renderTimeline(events: readonly TimelineEvent[], options: RenderTimelineOptions): string {
  const zone = new ZonedTime(options.timeZone ?? 'UTC');
  const { incident } = options;
  const sorted = inTimeOrder(events);
  const limit = options.limit;
  const shown = limit !== undefined && limit >= 0 && sorted.length > limit ? sorted.slice(sorted.length - limit) : sorted;
  const lastAt = sorted.length ? sorted[sorted.length - 1]!.at : incident.startedAt;

  const lines: string[] = [
    `*${escapeMrkdwn(incident.id)}: ${escapeMrkdwn(incident.title)}* · timeline, times in ${escapeMrkdwn(zone.zoneLabel(incident.startedAt, lastAt))}`,
  ];
  if (shown.length < sorted.length) lines.push(`_…${sorted.length - shown.length} earlier events; the postmortem has them all._`);
  if (sorted.length === 0) lines.push('_Nothing recorded yet._');
  let day = '';
  for (const e of shown) {
    const d = zone.date(e.at);
    if (d !== day) {
      day = d;
      lines.push(`*${d}*`);
    }
    // One line each, and not too long: the postmortem has every event in full.
    const what = escapeMrkdwn(truncate((e.text || e.kind).replace(/\s*[\r\n]+\s*/g, ' ').trim(), MAX_EVENT_CHARS));
    lines.push(`\`${zone.time(e.at)}\` ${mentionOrName(e.actor, options.names)} ${what}`);
  }
  return lines.join('\n');
}
