import type { AlertRoute } from '../core/alert-route.js';
import type { IncidentSeverity } from '../core/incident-status.js';
import { routeFor, severityFor } from './route.js';
import { subjectOf, suggestFor, type AlertSubject, type SuggestionProvider } from './suggestions.js';
import { alertTime, type WebhookPayload } from './webhook-payload.js';

/** One alert as sitrep shows and records it. Label and annotation text is as Alertmanager sent it: renderers escape it. */
export interface AlertView {
  fingerprint: string;
  status: 'firing' | 'resolved';
  /** The `alertname` label. */
  name: string;
  severity?: string;
  /** `annotations.summary`, else `description`, else the name. */
  summary: string;
  description?: string;
  labels: Record<string, string>;
  /** When it started firing, ms since the epoch. */
  startsAt: number;
  /** When it resolved (resolved alerts only), ms. */
  endsAt?: number;
  /** From annotations ending in `_url` (runbook_url, dashboard_url) and the generator (the rule's graph). */
  links: { label: string; url: string }[];
  subject: AlertSubject;
  /** Sitrep commands that fit (`/k8s describe node node02`). */
  suggestions: string[];
}

/** What to do in one channel for one notification of one Alertmanager group. */
export interface AlertDecision {
  channel: string;
  /** Alertmanager's group key: one card per group and channel, updated by every repeat. */
  groupKey: string;
  route: AlertRoute;
  /** firing while any of its alerts fires. */
  status: 'firing' | 'resolved';
  alerts: AlertView[];
  /** Alerts Alertmanager left out (max_alerts). */
  truncated: number;
  /** Set when this should open an incident in the channel (or join the one open there). */
  incident?: { title: string; severity: IncidentSeverity };
  /** The cluster the alerts concern (a `cluster` label), if they say. */
  cluster?: string;
}

function http(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

function viewOf(a: WebhookPayload['alerts'][number], providers: readonly SuggestionProvider[]): AlertView {
  const name = a.labels.alertname ?? 'alert';
  const links: AlertView['links'] = [];
  for (const [k, v] of Object.entries(a.annotations)) {
    const url = k.endsWith('_url') ? http(v) : undefined;
    if (url) links.push({ label: k.slice(0, -4).replace(/_/g, ' '), url });
  }
  const source = http(a.generatorURL);
  if (source) links.push({ label: 'source', url: source });
  const subject = subjectOf(a.labels);
  const endsAt = a.status === 'resolved' ? alertTime(a.endsAt) : undefined;
  return {
    fingerprint: a.fingerprint,
    status: a.status,
    name,
    ...(a.labels.severity ? { severity: a.labels.severity } : {}),
    summary: a.annotations.summary ?? a.annotations.description ?? a.annotations.message ?? name,
    ...(a.annotations.description && a.annotations.summary ? { description: a.annotations.description } : {}),
    labels: a.labels,
    startsAt: alertTime(a.startsAt) ?? 0,
    ...(endsAt !== undefined ? { endsAt } : {}),
    links,
    subject,
    suggestions: suggestFor(subject, providers),
  };
}

/**
 * Routes a webhook payload by the policy's `alerts:` routes: the alerts of one group that go to
 * the same channel make one decision. Alerts no route matches go nowhere (counted in `unrouted`).
 * Pure: no Redis, no Slack.
 */
export function decideAlerts(payload: WebhookPayload, routes: readonly AlertRoute[], providers: readonly SuggestionProvider[]): { decisions: AlertDecision[]; unrouted: number } {
  const byChannel = new Map<string, { route: AlertRoute; alerts: AlertView[] }>();
  let unrouted = 0;
  for (const a of payload.alerts) {
    const route = routeFor(a.labels, routes);
    if (!route) {
      unrouted++;
      continue;
    }
    let entry = byChannel.get(route.channel);
    if (!entry) byChannel.set(route.channel, (entry = { route, alerts: [] }));
    entry.alerts.push(viewOf(a, providers));
  }
  const decisions: AlertDecision[] = [];
  for (const [channel, { route, alerts }] of byChannel) {
    const firing = alerts.filter((a) => a.status === 'firing');
    const worst = firing.length ? firing.reduce((best, a) => (severityFor(route, a.labels) < severityFor(route, best.labels) ? a : best)) : undefined;
    const cluster = alerts.find((a) => a.labels.cluster)?.labels.cluster;
    decisions.push({
      channel,
      groupKey: payload.groupKey,
      route,
      status: firing.length ? 'firing' : 'resolved',
      alerts,
      truncated: payload.truncatedAlerts,
      ...(route.incident && worst ? { incident: { title: incidentTitle(worst, firing.length), severity: severityFor(route, worst.labels) } } : {}),
      ...(cluster ? { cluster } : {}),
    });
  }
  return { decisions, unrouted };
}

/** `NodeNotReady: node02 is not ready (and 2 more alerts)`, within the 150 characters a title may have. */
function incidentTitle(a: AlertView, firing: number): string {
  const more = firing > 1 ? ` (and ${firing - 1} more alert${firing > 2 ? 's' : ''})` : '';
  const base = a.summary === a.name ? a.name : `${a.name}: ${a.summary}`;
  const one = base.replace(/\s+/g, ' ').trim();
  const max = 150 - more.length;
  return `${one.length > max ? `${one.slice(0, max - 1)}…` : one}${more}`;
}
