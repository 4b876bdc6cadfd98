import type { AlertDecision, AlertView } from '../../alerts/index.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { truncate } from '../../core/text/limits.js';
import type { Incident } from '../../incident/index.js';
import { ZonedTime } from '../../incident/index.js';
import { escapeFallback } from '../../core/text/slack-fallback.js';
import { capMessage, context, header, section, type Block } from './blocks.js';

const utc = new ZonedTime('UTC');

/** A link whose label and URL are both escaped, so an annotation cannot smuggle another link in. */
function link(url: string, label: string): string {
  return `<${escapeMrkdwn(url).replace(/\|/g, '%7C')}|${escapeMrkdwn(label)}>`;
}

function alertLines(a: AlertView): string {
  const icon = a.status === 'firing' ? ':red_circle:' : ':large_green_circle:';
  const where = [a.subject.cluster && `cluster ${a.subject.cluster}`, a.subject.node && `node ${a.subject.node}`, a.subject.namespace && `namespace ${a.subject.namespace}`, a.subject.pod && `pod ${a.subject.pod}`, a.subject.workload]
    .filter(Boolean)
    .map((w) => escapeMrkdwn(w as string))
    .join(' · ');
  const since = `since ${utc.dateTime(a.startsAt)} UTC${a.endsAt ? `, resolved ${utc.dateTime(a.endsAt)} UTC` : ''}`;
  const lines = [`${icon} *${escapeMrkdwn(a.name)}*${a.severity ? ` (${escapeMrkdwn(a.severity)})` : ''}: ${escapeMrkdwn(a.summary)}`, `${where ? `${where} · ` : ''}${since}`];
  if (a.description) lines.push(`_${escapeMrkdwn(truncate(a.description, 500))}_`);
  if (a.links.length) lines.push(a.links.map((l) => link(l.url, l.label)).join(' · '));
  return lines.join('\n');
}

/**
 * The card of one Alertmanager group in one channel: what fired, where, since when, links from
 * annotations (runbook_url, dashboard_url, the rule's source), the sitrep commands that fit, and
 * the incident it opened or joined. Edited in place by every later notification of the group.
 */
export function alertCard(d: AlertDecision, incident: Incident | undefined, opened: boolean): { text: string; blocks: Block[] } {
  const firing = d.alerts.filter((a) => a.status === 'firing').length;
  const resolved = d.alerts.length - firing;
  const names = [...new Set(d.alerts.map((a) => a.name))].join(', ');
  const title = d.status === 'firing' ? `:rotating_light: Firing: ${names}` : `:white_check_mark: Resolved: ${names}`;
  const blocks: Block[] = [header(truncate(title, 150))];
  for (const a of d.alerts.slice(0, 20)) blocks.push(section(alertLines(a)));
  const more = d.alerts.length - 20 + d.truncated;
  if (more > 0) blocks.push(context(`_${more} more alert${more === 1 ? '' : 's'} in this group are not shown._`));
  const suggestions = [...new Set(d.alerts.filter((a) => a.status === 'firing').flatMap((a) => a.suggestions))].slice(0, 6);
  if (suggestions.length) blocks.push(section(`*Try:* ${suggestions.map((s) => `\`${escapeMrkdwn(s)}\``).join('  ')}`));
  if (incident) {
    blocks.push(context(`${opened ? 'Opened' : 'On'} incident \`${escapeMrkdwn(incident.id)}\` (SEV${incident.severity}); alerts and the cluster's events go on its timeline.`));
  }
  const text = `${d.status === 'firing' ? 'Firing' : 'Resolved'}: ${names} (${firing} firing, ${resolved} resolved)`;
  // The fallback text is mrkdwn too (notifications, screen readers): alert names are escaped there as well.
  return { text: escapeFallback(truncate(text, 3000)), blocks: capMessage(blocks).blocks };
}
