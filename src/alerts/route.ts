import type { AlertRoute } from '../core/alert-route.js';
import type { IncidentSeverity } from '../core/incident-status.js';

function globMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

/** The first route whose every `match` pattern matches the alert's labels (a missing label matches only `*`). */
export function routeFor(labels: Readonly<Record<string, string>>, routes: readonly AlertRoute[]): AlertRoute | undefined {
  return routes.find((r) => Object.entries(r.match).every(([label, pattern]) => pattern === '*' || (labels[label] !== undefined && globMatches(pattern, labels[label]!))));
}

/** Incident severity of an alert: the route's `sev`, else from its `severity` label. */
export function severityFor(route: AlertRoute, labels: Readonly<Record<string, string>>): IncidentSeverity {
  if (route.sev !== undefined) return route.sev as IncidentSeverity;
  const s = (labels.severity ?? '').toLowerCase();
  if (s === 'critical' || s === 'page' || s === 'sev1') return 1;
  if (s === 'error' || s === 'high' || s === 'major' || s === 'sev2') return 2;
  if (s === 'warning' || s === 'warn' || s === 'medium' || s === 'sev3') return 3;
  return 4;
}
