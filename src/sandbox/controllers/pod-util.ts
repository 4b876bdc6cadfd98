import { parseBytes, parseCpu } from '../../core/quantity.js';
import type { KObject, OwnerReference } from '../store.js';

export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** RFC 3339 without fractions, as the API writes metav1.Time. */
export function rfc3339(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
  lastHeartbeatTime?: string;
  lastUpdateTime?: string;
  observedGeneration?: number;
}

/**
 * A working copy for a write: shares everything with the cached (read-only) object except the
 * top level, metadata, and status with its conditions list, which may then be changed in place
 * (conditions by replacing entries, as setCondition does). The store clones whatever it stores.
 * resourceVersion is cleared: the cache is current, so last write wins is the intended write.
 */
export function writable(obj: KObject): KObject & { status: Record<string, any> } { // eslint-disable-line @typescript-eslint/no-explicit-any -- status JSON, as KObject's
  return {
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: '' },
    status: { ...(obj.status ?? {}), ...(obj.status?.conditions ? { conditions: [...obj.status.conditions] } : {}) },
  };
}

export function condition(obj: KObject | undefined, type: string): Condition | undefined {
  return (obj?.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

/**
 * Sets one condition on `obj.status.conditions` in place, keeping lastTransitionTime when the
 * status did not change. Returns the object for chaining.
 */
export function setCondition(obj: KObject, next: Condition, now = rfc3339()): KObject {
  obj.status ??= {};
  const list: Condition[] = obj.status.conditions ?? [];
  const i = list.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? list[i] : undefined;
  const merged: Condition = { ...old, ...next };
  if (!old || old.status !== next.status) merged.lastTransitionTime = now;
  else merged.lastTransitionTime = old.lastTransitionTime ?? now;
  for (const k of Object.keys(merged) as (keyof Condition)[]) if (merged[k] === undefined) delete merged[k];
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  obj.status.conditions = list;
  return obj;
}

export function isPodReady(pod: KObject): boolean {
  return condition(pod, 'Ready')?.status === 'True';
}

export function isTerminal(pod: KObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function isTerminating(obj: KObject): boolean {
  return !!obj.metadata.deletionTimestamp;
}

/** Counts towards a controller's replicas: neither terminating nor finished. */
export function isActive(pod: KObject): boolean {
  return !isTerminating(pod) && !isTerminal(pod);
}

export function isRunningAndReady(pod: KObject): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isMirrorPod(pod: KObject): boolean {
  return !!pod.metadata.annotations?.[MIRROR_ANNOTATION];
}

export function controllerRef(obj: KObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller);
}

export function ownerRefTo(owner: KObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export interface Requests {
  /** Millicores. */
  cpu: number;
  /** Bytes. */
  memory: number;
}

/** Sum of the containers' requests (limits stand in for missing requests, as defaulting does), max'd with init containers. */
export function podRequests(pod: KObject): Requests {
  // The scheduler sums every pod's requests on every pass; objects in the cache are replaced, never
  // changed in place, so one answer per object holds (a 1,000-pod drain re-schedules thousands).
  let r = requestsCache.get(pod);
  if (!r) requestsCache.set(pod, (r = computeRequests(pod)));
  return r;
}

const requestsCache = new WeakMap<KObject, Requests>();

function computeRequests(pod: KObject): Requests {
  const sum = (containers: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[] | undefined) => {
    const r = { cpu: 0, memory: 0 };
    for (const c of containers ?? []) {
      r.cpu += parseCpu(c.resources?.requests?.cpu ?? c.resources?.limits?.cpu);
      r.memory += parseBytes(c.resources?.requests?.memory ?? c.resources?.limits?.memory);
    }
    return r;
  };
  const main = sum(pod.spec?.containers);
  let initCpu = 0;
  let initMem = 0;
  for (const c of pod.spec?.initContainers ?? []) {
    const one = sum([c]);
    initCpu = Math.max(initCpu, one.cpu);
    initMem = Math.max(initMem, one.memory);
  }
  return { cpu: Math.max(main.cpu, initCpu), memory: Math.max(main.memory, initMem) };
}

/** Host ports the pod's containers ask for, as `protocol/port`. */
export function podHostPorts(pod: KObject): string[] {
  const out: string[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`${p.protocol ?? 'TCP'}/${p.hostPort}`);
  }
  return out;
}

export function nodeReadyStatus(node: KObject | undefined): string {
  return condition(node, 'Ready')?.status ?? 'Unknown';
}

export function isNodeReady(node: KObject | undefined): boolean {
  return !!node && nodeReadyStatus(node) === 'True';
}

/** The node's InternalIP, for pods' hostIP. */
export function nodeInternalIP(node: KObject | undefined): string | undefined {
  return (node?.status?.addresses as { type: string; address: string }[] | undefined)?.find((a) => a.type === 'InternalIP')?.address;
}
