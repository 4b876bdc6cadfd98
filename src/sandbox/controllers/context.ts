import type { Logger } from 'pino';
import type { KObject, Store, StoreEvent } from '../store.js';
import type { Cache } from './cache.js';
import type { EventRecorder } from './events.js';
import type { NodeAgents } from './node-agents.js';
import type { DeleteOptions } from '../registry/delete-options.js';
import { deleteObject, type DeleteResult } from '../registry/delete.js';
import type { Reconciler, WorkLoop } from './work-loop.js';

/** What every controller gets: the store to write, the cache to read, the loop to queue on. */
export interface ControllerContext {
  store: Store;
  cache: Cache;
  loop: WorkLoop;
  events: EventRecorder;
  /** Which kubelets run, and in which boot. */
  nodes: NodeAgents;
  /** Multiplies simulated durations. */
  timeScale: number;
  logger?: Logger;
}

/** A controller: a reconciler plus the store events it reacts to. */
export interface Controller extends Reconciler {
  /** Called synchronously for every store change, after the cache saw it. Must only enqueue. */
  onEvent(e: StoreEvent): void;
  /** Queues everything once at start-up. */
  resync(): void;
  stop?(): void;
}

/** Simulated seconds → real milliseconds, never below a few ms so ordering stays natural. */
export function scaledMs(ctx: Pick<ControllerContext, 'timeScale'>, seconds: number): number {
  return Math.max(5, seconds * 1000 * ctx.timeScale);
}

/**
 * Deletes a pod as a controller's API DELETE does (registry/delete.ts): pinned to its UID, with
 * the pod's own grace period unless `grace` says otherwise. A pod already terminating keeps its
 * first grace period unless a shorter one is asked for; finalizers hold it as they hold any.
 */
export function deletePod(ctx: ControllerContext, pod: KObject, grace?: number): void {
  const current = ctx.cache.getNs('pods', pod.metadata.namespace, pod.metadata.name);
  if (!current || current.metadata.uid !== pod.metadata.uid) return;
  if (current.metadata.deletionTimestamp && grace === undefined) return;
  deleteAs(ctx, 'pods', current, grace === undefined ? {} : { gracePeriodSeconds: grace });
}

/**
 * A controller's DELETE of any object, pinned to its UID; an object already gone or replaced
 * (404/409) is not an error for a controller, it just has nothing left to do.
 */
export function deleteAs(ctx: ControllerContext, key: string, obj: KObject, options: DeleteOptions = {}): DeleteResult | undefined {
  try {
    return deleteObject(ctx.store, key, obj.metadata.namespace, obj.metadata.name, { ...options, preconditions: { uid: obj.metadata.uid } }, { now: Date.now() });
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === 404 || code === 409) return undefined;
    throw err;
  }
}
