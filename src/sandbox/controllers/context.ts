import type { Logger } from 'pino';
import type { KObject, Store, StoreEvent } from '../store.js';
import type { Cache } from './cache.js';
import type { EventRecorder } from './events.js';
import { podGracePeriod, rfc3339, writable } from './pod-util.js';
import type { Reconciler, WorkLoop } from './work-loop.js';

/** What every controller gets: the store to write, the cache to read, the loop to queue on. */
export interface ControllerContext {
  store: Store;
  cache: Cache;
  loop: WorkLoop;
  events: EventRecorder;
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
export function scaledMs(ctx: ControllerContext, seconds: number): number {
  return Math.max(5, seconds * 1000 * ctx.timeScale);
}

/**
 * Deletes a pod as an API DELETE without options would: gone at once when it never ran
 * (unscheduled or finished), otherwise marked Terminating for the kubelet to finish.
 */
export function deletePod(ctx: ControllerContext, pod: KObject, grace = podGracePeriod(pod)): void {
  const ns = pod.metadata.namespace;
  const name = pod.metadata.name;
  const current = ctx.cache.getNs('pods', ns, name);
  if (!current || current.metadata.uid !== pod.metadata.uid) return;
  if (grace === 0 || !current.spec?.nodeName || current.status?.phase === 'Succeeded' || current.status?.phase === 'Failed') {
    ctx.store.remove('pods', ns, name, { uid: current.metadata.uid });
    return;
  }
  // Already terminating: the first grace period stands (the store keeps deletion state on update).
  if (current.metadata.deletionTimestamp) return;
  const next = writable(current);
  next.metadata.deletionTimestamp = rfc3339(Date.now() + grace * 1000);
  next.metadata.deletionGracePeriodSeconds = grace;
  ctx.store.update('pods', next);
}

