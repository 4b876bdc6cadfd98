/** Actors that are not people: the bot, Alertmanager, and prefixes for workers and clusters. */
const MACHINE_ACTORS = new Set(['sitrep', 'alertmanager']);

/**
 * A human on the timeline, as opposed to the bot (`sitrep`), a worker (`worker:<id>`), a
 * cluster's own events (`cluster:<name>`) or an alert (`alertmanager`).
 */
export function isPerson(actor: string): boolean {
  return !MACHINE_ACTORS.has(actor) && !actor.startsWith('worker:') && !actor.startsWith('cluster:');
}

/** Where a timeline entry came from, as the timeline and postmortem mark it. */
export const EntrySource = { Person: 'person', Cluster: 'cluster', Alert: 'alert', Sitrep: 'sitrep' } as const;
export type EntrySource = (typeof EntrySource)[keyof typeof EntrySource];

export function entrySource(actor: string, kind: string): EntrySource {
  if (kind.startsWith('alert.') || actor === 'alertmanager') return EntrySource.Alert;
  if (actor.startsWith('cluster:') || kind.startsWith('cluster.')) return EntrySource.Cluster;
  return isPerson(actor) ? EntrySource.Person : EntrySource.Sitrep;
}

/**
 * How an actor reads in a file: a name from the map when given (users.info), else the actor as
 * is (`U0ALICE`, `sitrep`, `worker:eu-1`), `cluster prod` for a cluster, `Alertmanager` for alerts.
 * Never Slack's `<@U…>`: a file is read outside Slack, where that is noise.
 */
export function actorLabel(actor: string, names?: Readonly<Record<string, string>>): string {
  const name = names?.[actor];
  if (name) return name;
  if (actor.startsWith('cluster:')) return `cluster ${actor.slice('cluster:'.length)}`;
  if (actor === 'alertmanager') return 'Alertmanager';
  return actor;
}
