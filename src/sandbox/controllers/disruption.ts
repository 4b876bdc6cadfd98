import { isDeepStrictEqual } from 'node:util';
import type { KObject, StoreEvent } from '../store.js';
import { idOf } from './cache.js';
import { scaledMs, type Controller, type ControllerContext } from './context.js';
import { controllerRef, isPodReady, rfc3339, type Condition, writable } from './pod-util.js';
import { matchesSelector } from './selectors.js';

const KEY = 'policy/poddisruptionbudgets';
/** How long an eviction's entry in status.disruptedPods holds a pod out of currentHealthy. */
const DELETION_TIMEOUT_SECONDS = 120;

/** intstr.GetScaledValueFromIntOrPercent with rounding up, as the disruption controller calls it. */
export function scaledUp(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  const m = /^(-?\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  return Math.ceil((Number(m[1]) * total) / 100);
}

export interface PdbCounts {
  /** Pods the PDB's selector matches. */
  matchingPods: number;
  /** Sum of the scale of the pods' controllers (only needed for maxUnavailable or a percentage). */
  controllerScale: number;
  currentHealthy: number;
}

export interface PdbNumbers {
  expectedPods: number;
  desiredHealthy: number;
  currentHealthy: number;
  disruptionsAllowed: number;
}

/**
 * The disruption controller's arithmetic. minAvailable as an integer counts matching pods;
 * a percentage or maxUnavailable counts the controllers' desired replicas. Percentages round up.
 */
export function pdbNumbers(spec: { minAvailable?: number | string; maxUnavailable?: number | string }, c: PdbCounts): PdbNumbers {
  let expectedPods = 0;
  let desiredHealthy = 0;
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    expectedPods = c.controllerScale;
    desiredHealthy = Math.max(0, expectedPods - scaledUp(spec.maxUnavailable, expectedPods));
  } else if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number') {
      desiredHealthy = spec.minAvailable;
      expectedPods = c.matchingPods;
    } else {
      expectedPods = c.controllerScale;
      desiredHealthy = scaledUp(spec.minAvailable, expectedPods);
    }
  }
  let disruptionsAllowed = c.currentHealthy - desiredHealthy;
  if (expectedPods <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  return { expectedPods, desiredHealthy, currentHealthy: c.currentHealthy, disruptionsAllowed };
}

/**
 * The disruption controller: keeps every PDB's status (expectedPods, currentHealthy,
 * desiredHealthy, disruptionsAllowed, disruptedPods, observedGeneration, the DisruptionAllowed
 * condition) in step with its pods, as the eviction subresource relies on.
 */
export function createDisruptionController(ctx: ControllerContext): Controller {
  const expiry = new Map<string, () => void>();
  const self: Controller = {
    name: 'disruption',
    resync() {
      for (const p of ctx.cache.all(KEY)) ctx.loop.enqueue(self, idOf(p));
    },
    onEvent(e: StoreEvent) {
      if (e.key === KEY) {
        ctx.loop.enqueue(self, idOf(e.object));
        return;
      }
      const ns = e.object.metadata.namespace;
      if (e.key === 'pods') {
        for (const pdb of ctx.cache.all(KEY)) {
          if (pdb.metadata.namespace !== ns) continue;
          if (matchesSelector(pdb.spec?.selector, e.object.metadata.labels) || (e.previous && matchesSelector(pdb.spec?.selector, e.previous.metadata.labels))) {
            ctx.loop.enqueue(self, idOf(pdb));
          }
        }
      } else if (e.key === 'apps/deployments' || e.key === 'apps/replicasets' || e.key === 'apps/statefulsets') {
        if (e.type === 'MODIFIED' && e.previous?.spec?.replicas === e.object.spec?.replicas) return;
        for (const pdb of ctx.cache.all(KEY)) if (pdb.metadata.namespace === ns) ctx.loop.enqueue(self, idOf(pdb));
      }
    },
    sync(ids: string[]) {
      for (const id of ids) reconcile(id);
    },
    stop() {
      for (const c of expiry.values()) c();
    },
  };

  function reconcile(id: string): void {
    const pdb = ctx.cache.get(KEY, id);
    if (!pdb) {
      expiry.get(id)?.();
      expiry.delete(id);
      return;
    }
    const ns = pdb.metadata.namespace;
    const pods: KObject[] = [];
    for (const p of ctx.cache.all('pods')) if (p.metadata.namespace === ns && matchesSelector(pdb.spec?.selector, p.metadata.labels)) pods.push(p);
    const now = Date.now();
    const timeout = scaledMs(ctx, DELETION_TIMEOUT_SECONDS);

    // Evictions in flight: kept while the pod exists, is not yet terminating and the entry is fresh.
    const disrupted: Record<string, string> = {};
    let nextExpiry = Infinity;
    const old: Record<string, string> = pdb.status?.disruptedPods ?? {};
    for (const p of pods) {
      const at = old[p.metadata.name];
      if (!at || p.metadata.deletionTimestamp) continue;
      const expires = Date.parse(at) + timeout;
      if (expires <= now) continue;
      disrupted[p.metadata.name] = at;
      nextExpiry = Math.min(nextExpiry, expires);
    }
    if (nextExpiry < Infinity) armExpiry(id, nextExpiry - now);

    const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && !disrupted[p.metadata.name] && isPodReady(p)).length;
    let numbers: PdbNumbers;
    try {
      const needsScale = pdb.spec?.maxUnavailable !== undefined || typeof pdb.spec?.minAvailable === 'string';
      numbers = pdbNumbers(pdb.spec ?? {}, { matchingPods: pods.length, controllerScale: needsScale ? expectedScale(pods) : 0, currentHealthy });
    } catch (err) {
      failSafe(pdb, (err as Error).message);
      return;
    }
    const condition: Condition = numbers.disruptionsAllowed > 0
      ? { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '' }
      : { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '' };
    const status: Record<string, unknown> = {
      ...(pdb.status ?? {}),
      observedGeneration: pdb.metadata.generation,
      disruptionsAllowed: numbers.disruptionsAllowed,
      currentHealthy: numbers.currentHealthy,
      desiredHealthy: numbers.desiredHealthy,
      expectedPods: numbers.expectedPods,
      conditions: withCondition(pdb, condition, pdb.metadata.generation),
    };
    if (Object.keys(disrupted).length) status.disruptedPods = disrupted;
    else delete status.disruptedPods;
    write(pdb, status);
  }

  /** Sum of the desired replicas of the pods' controllers; an error when one has none we know. */
  function expectedScale(pods: KObject[]): number {
    const scales = new Map<string, number>();
    for (const p of pods) {
      const ref = controllerRef(p);
      if (!ref) continue; // unmanaged pods are left out, as the controller does since 1.23
      if (scales.has(ref.uid)) continue;
      const owner = ctx.cache.byUid(ref.uid)?.object;
      if (!owner) throw new Error(`found no controllers for pod "${p.metadata.name}"`);
      if (ref.kind === 'ReplicaSet') {
        const dref = controllerRef(owner);
        const dep = dref?.kind === 'Deployment' ? ctx.cache.byUid(dref.uid)?.object : undefined;
        if (dep) scales.set(dep.metadata.uid!, dep.spec?.replicas ?? 1);
        else scales.set(ref.uid, owner.spec?.replicas ?? 1);
      } else if (ref.kind === 'StatefulSet' || ref.kind === 'ReplicationController') {
        scales.set(ref.uid, owner.spec?.replicas ?? 1);
      } else {
        throw new Error(`found no controllers for pod "${p.metadata.name}"`);
      }
    }
    let sum = 0;
    for (const n of scales.values()) sum += n;
    return sum;
  }

  function failSafe(pdb: KObject, message: string): void {
    // As the real controller: no disruptions, and observedGeneration left alone, so evictions
    // answer "still being processed" until the problem is fixed.
    const status = {
      ...(pdb.status ?? {}),
      disruptionsAllowed: 0,
      conditions: withCondition(pdb, { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message }, pdb.status?.observedGeneration),
    };
    write(pdb, status);
  }

  function write(pdb: KObject, status: Record<string, unknown>): void {
    if (isDeepStrictEqual(status, pdb.status)) return;
    const next = writable(pdb);
    next.status = status;
    ctx.store.update(KEY, next);
  }

  function armExpiry(id: string, ms: number): void {
    expiry.get(id)?.();
    expiry.set(id, ctx.loop.after(ms + 1, () => {
      expiry.delete(id);
      ctx.loop.enqueue(self, id);
    }, false));
  }

  return self;
}

function withCondition(pdb: KObject, c: Condition, observedGeneration: number | undefined): Condition[] {
  const list: Condition[] = structuredClone(pdb.status?.conditions ?? []);
  const i = list.findIndex((x) => x.type === c.type);
  const old = i >= 0 ? list[i] : undefined;
  const next: Condition = {
    type: c.type,
    status: c.status,
    observedGeneration,
    lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : rfc3339(),
    reason: c.reason,
    message: c.message,
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}
