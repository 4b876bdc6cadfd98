/** A human on the timeline, as opposed to the bot (`sitrep`) or a worker (`worker:<id>`). */
export function isPerson(actor: string): boolean {
  return actor !== 'sitrep' && !actor.startsWith('worker:');
}

/**
 * How an actor reads: a name from the map when given, else `<@U…>` as Slack renders a mention,
 * else the actor as is (`sitrep`, `worker:eu-1`).
 */
export function actorLabel(actor: string, names?: Readonly<Record<string, string>>): string {
  const name = names?.[actor];
  if (name) return name;
  return /^[UW][A-Z0-9]+$/.test(actor) ? `<@${actor}>` : actor;
}
