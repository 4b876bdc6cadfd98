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

/**
 * The name a key written before hash tags (sitrep 0.1 up to this layout) has now, or undefined for
 * a key whose name did not change. Keys of BullMQ queues (`<prefix>:k8s-<cluster>:…`) are not
 * renamed: drain the queues before upgrading (docs/operations.md, Upgrading).
 */
export function taggedName(prefix: string, key: string): string | undefined {
  if (!key.startsWith(`${prefix}:`)) return undefined;
  const rest = key.slice(prefix.length + 1);
  let m: RegExpExecArray | null;
  if ((m = /^request:([^:{}]+)$/.exec(rest))) return unitKey(prefix, KeyUnit.Request, m[1]);
  if ((m = /^approval:(apr_[A-Za-z0-9_-]{16})$/.exec(rest))) return unitKey(prefix, KeyUnit.Approval, m[1]);
  if ((m = /^incident:([^:{}]+)((?::timeline(?::keys)?|:clusters)?)$/.exec(rest))) return `${unitKey(prefix, KeyUnit.Incident, m[1])}${m[2]}`;
  if ((m = /^target-lock:([a-z0-9-]+):(.+)$/.exec(rest))) return `${unitKey(prefix, KeyUnit.Cluster, m[1])}:target-lock:${m[2]}`;
  if ((m = /^target-locks:([a-z0-9-]+)$/.exec(rest))) return `${unitKey(prefix, KeyUnit.Cluster, m[1])}:target-locks`;
  if ((m = /^workers:([a-z0-9-]+)$/.exec(rest))) return `${unitKey(prefix, KeyUnit.Cluster, m[1])}:workers`;
  if (rest === 'audit') return unitKey(prefix, KeyUnit.Audit);
  return undefined;
}
