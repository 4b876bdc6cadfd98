import type { Incident } from '../../incident/index.js';
import { formatDuration } from '../../core/duration.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { escapeFallback } from '../../core/text/slack-fallback.js';
import { context, fields, header, type Block } from './blocks.js';

const STATUS_ICON: Record<string, string> = {
  investigating: ':mag:',
  identified: ':dart:',
  monitoring: ':eyes:',
  resolved: ':white_check_mark:',
};

/**
 * The pinned summary card of an incident, kept current as severity, commander and status change.
 * The title is plain text in the header (a `plain_text` field: shown as typed, never parsed) and
 * escaped everywhere else.
 */
export function incidentCard(incident: Incident, now: number): { text: string; blocks: Block[] } {
  const started = new Date(incident.startedAt).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const open = incident.status !== 'resolved';
  const pairs: [string, string][] = [
    ['Severity', `SEV${incident.severity}`],
    ['Status', `${STATUS_ICON[incident.status] ?? ''} ${incident.status}`],
    ['Commander', `<@${incident.commanderId}>`],
    ['Started', started],
  ];
  if (incident.mitigatedAt) pairs.push(['Mitigated after', formatDuration(incident.mitigatedAt - incident.startedAt)]);
  if (incident.resolvedAt) pairs.push(['Resolved after', formatDuration(incident.resolvedAt - incident.startedAt)]);
  const blocks: Block[] = [
    header(`${open ? ':rotating_light:' : ':white_check_mark:'} SEV${incident.severity} · ${incident.title}`),
    fields(pairs),
  ];
  if (incident.summary) blocks.push(context(`*Summary:* ${escapeMrkdwn(incident.summary)}`));
  blocks.push(
    context(
      open
        ? `\`${incident.id}\` · open for ${formatDuration(now - incident.startedAt)} · sitrep records every /k8s command here · \`/incident note\`, \`/incident status\`, \`/incident resolve\``
        : `\`${incident.id}\` · resolved · \`/incident postmortem\` writes the report`,
    ),
  );
  return { text: `SEV${incident.severity} ${escapeFallback(incident.title)} (${incident.status})`, blocks };
}
