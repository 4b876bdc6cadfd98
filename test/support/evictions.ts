import type { Sandbox } from '../../src/sandbox/index.js';

/** One eviction the sandbox's API server accepted. */
export interface AcceptedEviction {
  uid: string;
  /** `namespace/name` of the pod. */
  pod: string;
  node: string;
  /** When the sandbox accepted it (Date.now() in this process). */
  at: number;
}

/**
 * The sandbox's own record of accepted evictions, by pod UID: every pod the Eviction API marked
 * DisruptionTarget (reason EvictionByEvictionAPI) before deleting it (src/sandbox/http/eviction.ts),
 * as its store reports the change. What the cluster did, independent of what sitrep says it did.
 */
export function recordEvictions(sandbox: Sandbox): { list(node?: string): AcceptedEviction[]; stop(): void } {
  const seen: AcceptedEviction[] = [];
  const evicted = (o: { status?: { conditions?: { type?: string; reason?: string }[] } } | undefined) =>
    (o?.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.reason === 'EvictionByEvictionAPI');
  const stop = sandbox.store.subscribe((e) => {
    if (e.key !== 'pods' || !evicted(e.object) || evicted(e.previous)) return;
    const m = e.object.metadata;
    seen.push({ uid: m.uid ?? '', pod: `${m.namespace}/${m.name}`, node: e.object.spec?.nodeName ?? '', at: Date.now() });
  });
  return { list: (node) => seen.filter((e) => node === undefined || e.node === node), stop };
}
