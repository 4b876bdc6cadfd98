import type { AcceptedEviction, Sandbox } from '../../src/sandbox/index.js';

/**
 * The evictions the sandbox's API server accepts from now on (Sandbox.evictions(), its own record,
 * src/sandbox/http/eviction-log.ts), each with `pod` as `namespace/name`; `list(node)` keeps those of
 * pods on that node. What the cluster did, independent of what sitrep says it did.
 */
export function recordEvictions(sandbox: Sandbox): { list(node?: string): (AcceptedEviction & { pod: string })[] } {
  const from = sandbox.evictions().length;
  return {
    list: (node) => sandbox.evictions().slice(from).filter((e) => node === undefined || e.node === node).map((e) => ({ ...e, pod: `${e.namespace}/${e.name}` })),
  };
}

/** How many times each value occurs: `countBy(uids)[uid] === 1` for a pod evicted once. */
export function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
