/**
 * Which Kubernetes Events matter on an incident's timeline, and the few facts of one that the
 * timeline keeps. Events arrive as raw watch JSON (timestamps are strings).
 */

/** A core/v1 Event as the watch hands it over (only the fields read here). */
export interface RawEvent {
  metadata?: { uid?: string; name?: string; namespace?: string; resourceVersion?: string; creationTimestamp?: string };
  involvedObject?: { kind?: string; namespace?: string; name?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  /** events.k8s.io/v1 (and core/v1 written by the new recorder): the repeats of an isomorphic event. */
  series?: { count?: number; lastObservedTime?: string } | null;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

/**
 * Normal events that mark a state change worth a line (everything of type Warning matters too).
 * From the reasons the kubelet, node lifecycle controller, taint manager, scheduler and workload
 * controllers record (pkg/kubelet/events/event.go, pkg/controller/nodelifecycle,
 * pkg/controller/tainteviction, pkg/controller/replicaset).
 */
export const STATE_CHANGE_REASONS: ReadonlySet<string> = new Set([
  'NodeNotReady', 'NodeReady', 'NodeNotSchedulable', 'NodeSchedulable', 'Rebooted', 'Starting',
  'Evicted', 'Killing', 'Preempting', 'TaintManagerEviction', 'OOMKilling',
  'SuccessfulCreate', 'SuccessfulAttachVolume',
  'NodeHasInsufficientMemory', 'NodeHasDiskPressure', 'NodeHasInsufficientPID',
]);

/** Reasons whose floods read as pods leaving a node: "41 pods evicted from node02". */
export const EVICTION_REASONS: ReadonlySet<string> = new Set(['Evicted', 'TaintManagerEviction', 'Preempting', 'Killing']);

/** One Event, reduced to what a timeline line needs. */
export interface Sighting {
  uid: string;
  /** The Event's count, or series.count for events written by the new recorder. */
  count: number;
  /** When it first happened, ms since the epoch. */
  at: number;
  /** When it last happened, ms since the epoch. */
  lastAt: number;
  type: string;
  reason: string;
  message: string;
  /** `pod/shop/web-1`, `node/node02`. */
  object: string;
  kind: string;
  namespace?: string;
  /** The node it is about or was reported from, when known. */
  node?: string;
  /** `kubelet/node02`, `node-controller`: the rate limit's unit. */
  source: string;
}

export function matters(e: RawEvent): boolean {
  return e.type === 'Warning' || STATE_CHANGE_REASONS.has(e.reason ?? '');
}

function ms(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * The sighting of an Event, or undefined for one without a uid or reason. `nodeOf` places a pod
 * on its node when the event does not say (the taint manager's events name no host).
 */
export function sightingOf(e: RawEvent, nodeOf?: (namespace: string, name: string) => string | undefined): Sighting | undefined {
  const uid = e.metadata?.uid;
  const reason = e.reason;
  if (!uid || !reason) return undefined;
  const inv = e.involvedObject ?? {};
  const kind = (inv.kind ?? 'Object').toLowerCase();
  const name = inv.name ?? '';
  const namespace = inv.namespace || undefined;
  const object = namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
  const first = ms(e.eventTime) ?? ms(e.firstTimestamp) ?? ms(e.metadata?.creationTimestamp) ?? 0;
  const last = ms(e.series?.lastObservedTime) ?? ms(e.lastTimestamp) ?? first;
  const component = e.source?.component || e.reportingComponent || 'unknown';
  const host = e.source?.host || (component === 'kubelet' ? e.reportingInstance : undefined) || undefined;
  const node = kind === 'node' ? name : host ?? (kind === 'pod' && namespace ? nodeOf?.(namespace, name) : undefined);
  return {
    uid,
    count: Math.max(1, e.series?.count ?? e.count ?? 1),
    at: first,
    lastAt: Math.max(first, last),
    type: e.type ?? 'Normal',
    reason,
    message: (e.message ?? '').replace(/\s+/g, ' ').trim(),
    object,
    kind,
    ...(namespace ? { namespace } : {}),
    ...(node ? { node } : {}),
    source: host ? `${component}/${host}` : component,
  };
}

/** Node conditions whose changes go on the timeline. */
export const WATCHED_CONDITIONS: readonly string[] = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'];

export interface RawNode {
  metadata?: { uid?: string; name?: string; resourceVersion?: string };
  status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string; lastTransitionTime?: string }[] };
}

/** `Ready=False`, per watched condition, for comparing one version of a node with the next. */
export function nodeConditions(node: RawNode): Map<string, { status: string; reason: string; message: string; at?: number }> {
  const out = new Map<string, { status: string; reason: string; message: string; at?: number }>();
  for (const c of node.status?.conditions ?? []) {
    if (!c.type || !WATCHED_CONDITIONS.includes(c.type)) continue;
    const at = ms(c.lastTransitionTime);
    out.set(c.type, { status: c.status ?? 'Unknown', reason: c.reason ?? '', message: (c.message ?? '').replace(/\s+/g, ' ').trim(), ...(at !== undefined ? { at } : {}) });
  }
  return out;
}
