/**
 * Redis Cluster hash tags: the units of work whose keys must live in one hash slot, because a
 * Lua script or MULTI touches several of them at once. Redis Cluster hashes only the part of a
 * key between the first `{` and the next `}`, so `sitrep:{req:abc}` and `sitrep:{req:abc}:lock`
 * share a slot while two requests spread over the masters. On a standalone or Sentinel Redis the
 * braces are plain characters: the same keys work unchanged.
 * (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags)
 *
 * The tag follows the prefix, so every key still starts with `<prefix>:` and an ACL such as
 * `~sitrep:*` (docs/operations.md) and `SCAN MATCH sitrep:*` still cover all of them.
 */
export const KeyUnit = {
  /** One Kubernetes cluster: its BullMQ queue, its target locks, its live workers. */
  Cluster: 'cl',
  /** One request: its record. */
  Request: 'req',
  /** One approval: its record, its audit outbox. */
  Approval: 'apr',
  /** One incident: its record, timeline stream and seen-set, the clusters it watches. */
  Incident: 'inc',
  /** The audit stream and the marks that keep each entry in it once. */
  Audit: 'audit',
} as const;
export type KeyUnit = (typeof KeyUnit)[keyof typeof KeyUnit];

/** `<prefix>:{<unit>:<id>}`, or `<prefix>:{<unit>}` without an id: the base of a unit's keys. */
export function unitKey(prefix: string, unit: KeyUnit, id?: string): string {
  return id === undefined ? `${prefix}:{${unit}}` : `${prefix}:{${unit}:${id}}`;
}
