import type { TimelineEvent } from '../../core/timeline-event.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { redactText } from '../../core/text/redact.js';
import { entrySource, inTimeOrder, plainText, ZonedTime, type Incident } from '../../incident/index.js';

/** Cluster and alert lines are marked, so they read apart from what people did. */
const SOURCE_MARK: Readonly<Record<string, string>> = { cluster: ':gear: ', alert: ':rotating_light: ', person: '', sitrep: '' };
import { mentionOrName } from './people.js';

export interface RenderTimelineOptions {
  /** IANA zone for the times. @defaultValue 'UTC' */
  timeZone?: string;
  incident: Incident;
  /** Display names by Slack user id. Without one a person shows as `<@U…>`. */
  names?: Readonly<Record<string, string>>;
  /** Channel names by id, for `<#C…>` inside texts. */
  channels?: Readonly<Record<string, string>>;
  /**
   * Show only the last `limit` events, with a line saying how many came before.
   * @defaultValue undefined (all events)
   */
  limit?: number;
}

/**
 * The timeline as Slack mrkdwn for `/incident timeline`: a heading naming the zone, a date line
 * whenever the day changes, then one line per event: `` `14:03:05` <@U1> what happened ``, with
 * `:gear:` before the cluster's own events and `:rotating_light:` before alerts.
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
    // Decoded once from Slack's form (names for mentions), then escaped once for Slack.
    const what = escapeMrkdwn(plainText(redactText(e.text || e.kind), { users: options.names, channels: options.channels }).replace(/\s*[\r\n]+\s*/g, ' ').trim());
    const mark = SOURCE_MARK[entrySource(e.actor, e.kind)];
    lines.push(`\`${zone.time(e.at)}\` ${mark}${mentionOrName(e.actor, options.names)} ${what}`);
  }
  return lines.join('\n');
}
