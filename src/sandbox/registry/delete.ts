import { ApiError } from '../api-error.js';
import { resourceType, type ResourceType } from '../resources.js';
import type { KObject, Store } from '../store.js';
import { GcFinalizer, type DeleteOptions } from './delete-options.js';

/** What one DELETE did. */
export interface DeleteResult {
  /** The object after the request: its last state when removed, else as stored (being deleted). */
  object: KObject;
  /** Removed from storage by this request (false: graceful deletion or finalizers pending). */
  removed: boolean;
}

export interface DeleteContext {
  /** Milliseconds since the epoch. */
  now: number;
  dryRun?: boolean;
}

/** Kinds whose DELETE answers with the object instead of a Status (the registry's ReturnDeletedObject). */
export const RETURNS_DELETED_OBJECT: ReadonlySet<string> = new Set(['pods', 'namespaces', 'nodes', 'persistentvolumes', 'persistentvolumeclaims']);

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * rest/delete.go BeforeDelete's precondition check, with its message: the conflict names the
 * Kind, as the handler builds it from the object's GroupVersionKind.
 */
function checkPreconditions(t: ResourceType, obj: KObject, opts: DeleteOptions): void {
  const pre = opts.preconditions;
  if (!pre) return;
  if (pre.uid && pre.uid !== obj.metadata.uid) {
    throw ApiError.conflict(t.kind, obj.metadata.name, t.group, `the UID in the precondition (${pre.uid}) does not match the UID in record (${obj.metadata.uid}). The object might have been deleted and then recreated`);
  }
  if (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw ApiError.conflict(t.kind, obj.metadata.name, t.group, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${obj.metadata.resourceVersion}). The object might have been modified`);
  }
}

/**
 * The pod strategy's CheckGracefulDelete (pkg/registry/core/pod/strategy.go): the requested
 * period, else the pod's terminationGracePeriodSeconds; 0 for a pod never scheduled or already
 * finished; negative periods become 1 s.
 */
function podGracePeriod(pod: KObject, opts: DeleteOptions): number {
  let period: number = opts.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 0;
  if (!pod.spec?.nodeName) period = 0;
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') period = 0;
  return period < 0 ? 1 : period;
}

interface Graceful {
  /** The object is deleted gracefully: written with deletionTimestamp/deletionGracePeriodSeconds. */
  graceful: boolean;
  /** A graceful deletion is already under way and this request does not shorten it. */
  pending: boolean;
  /** The grace period written (graceful only). */
  grace: number;
}

/**
 * rest/delete.go BeforeDelete, for the one kind with graceful deletion (pods): the first DELETE
 * sets deletionTimestamp = now + grace; a later one may only shorten it, and the new deadline is
 * computed from the original deletion (old deadline - old grace + new grace), never in the past.
 * Mutates `obj`.
 */
function beforeDelete(key: string, obj: KObject, opts: DeleteOptions, now: number): Graceful {
  if (key !== 'pods') return { graceful: false, pending: false, grace: 0 };
  const m = obj.metadata;
  if (m.deletionTimestamp) {
    const current = m.deletionGracePeriodSeconds;
    if (current === undefined || current === 0) return { graceful: false, pending: false, grace: 0 };
    const requested = opts.gracePeriodSeconds;
    if (requested === undefined || requested >= current) return { graceful: false, pending: true, grace: current };
    let period = requested;
    let deadline = Date.parse(m.deletionTimestamp) - current * 1000 + period * 1000;
    if (deadline < now) {
      deadline = now;
      if (period !== 0) period = 1;
    }
    m.deletionTimestamp = rfc3339(deadline);
    m.deletionGracePeriodSeconds = period;
    return { graceful: true, pending: false, grace: period };
  }
  const period = podGracePeriod(obj, opts);
  m.deletionTimestamp = rfc3339(now + period * 1000);
  m.deletionGracePeriodSeconds = period;
  if ((m.generation ?? 0) > 0) m.generation = m.generation! + 1;
  return { graceful: true, pending: false, grace: period };
}

/** store.go shouldOrphanDependents: the request's policy, else the object's finalizers, else no. */
function shouldOrphan(obj: KObject, opts: DeleteOptions): boolean {
  if (opts.orphanDependents !== undefined) return opts.orphanDependents;
  if (opts.propagationPolicy !== undefined) return opts.propagationPolicy === 'Orphan';
  for (const f of obj.metadata.finalizers ?? []) {
    if (f === GcFinalizer.Orphan) return true;
    if (f === GcFinalizer.Foreground) return false;
  }
  return false;
}

/** store.go shouldDeleteDependentsInForeground. */
function shouldForeground(obj: KObject, opts: DeleteOptions): boolean {
  if (opts.orphanDependents !== undefined) return false;
  if (opts.propagationPolicy !== undefined) return opts.propagationPolicy === 'Foreground';
  for (const f of obj.metadata.finalizers ?? []) {
    if (f === GcFinalizer.Foreground) return true;
    if (f === GcFinalizer.Orphan) return false;
  }
  return false;
}

/**
 * store.go deletionFinalizersForGarbageCollection: sets the `orphan` or `foregroundDeletion`
 * finalizer the request asks for, so the garbage collector finishes the deletion. Mutates `obj`;
 * returns whether the list changed.
 */
function applyGcFinalizers(obj: KObject, opts: DeleteOptions): boolean {
  const old = obj.metadata.finalizers ?? [];
  const next = old.filter((f) => f !== GcFinalizer.Orphan && f !== GcFinalizer.Foreground);
  if (shouldOrphan(obj, opts)) next.push(GcFinalizer.Orphan);
  if (shouldForeground(obj, opts)) next.push(GcFinalizer.Foreground);
  const changed = next.length !== old.length || next.some((f) => !old.includes(f));
  if (changed) {
    if (next.length) obj.metadata.finalizers = next;
    else delete obj.metadata.finalizers;
  }
  return changed;
}

/** store.go markAsDeleting: deletion starts now (or stays at an earlier time), with no grace period. */
function markAsDeleting(obj: KObject, now: number): void {
  const m = obj.metadata;
  if (!m.deletionTimestamp && (m.generation ?? 0) > 0) m.generation = m.generation! + 1;
  if (!m.deletionTimestamp || Date.parse(m.deletionTimestamp) > now) m.deletionTimestamp = rfc3339(now);
  m.deletionGracePeriodSeconds = 0;
}

function write(store: Store, key: string, obj: KObject, dryRun: boolean): KObject {
  return store.update(key, obj, { dryRun, setDeletion: true });
}

/**
 * The namespace registry's Delete (pkg/registry/core/namespace/storage/storage.go): the first
 * DELETE only marks the namespace Terminating; the namespace controller empties it and removes
 * the `kubernetes` spec finalizer, after which the namespace goes (or a later DELETE removes it).
 */
function deleteNamespace(store: Store, t: ResourceType, obj: KObject, opts: DeleteOptions, ctx: DeleteContext): DeleteResult {
  checkPreconditions(t, obj, opts);
  if (!obj.metadata.deletionTimestamp) {
    obj.metadata.deletionTimestamp = rfc3339(ctx.now);
    obj.status = { ...(obj.status ?? {}), phase: 'Terminating' };
    applyGcFinalizers(obj, opts);
    return { object: write(store, 'namespaces', obj, !!ctx.dryRun), removed: false };
  }
  if ((obj.spec?.finalizers?.length ?? 0) > 0) return { object: obj, removed: false };
  if ((obj.metadata.finalizers?.length ?? 0) > 0) return { object: obj, removed: false };
  return { object: store.remove('namespaces', undefined, obj.metadata.name, { dryRun: ctx.dryRun, uid: obj.metadata.uid }), removed: true };
}

/**
 * A DELETE as the generic registry store performs it (staging/src/k8s.io/apiserver/pkg/registry/
 * generic/registry/store.go Delete + rest/delete.go BeforeDelete): preconditions; graceful
 * deletion for pods; the garbage collector's finalizers for Orphan/Foreground; an object with
 * finalizers is only marked (deletionTimestamp, deletionGracePeriodSeconds 0) and stays until
 * its finalizers are removed — even when forced. Everything else is removed at once.
 *
 * Controllers call this too, so a kubelet's final delete or the garbage collector's respects
 * finalizers exactly as a DELETE from kubectl does.
 */
export function deleteObject(store: Store, key: string, namespace: string | undefined, name: string, opts: DeleteOptions, ctx: DeleteContext): DeleteResult {
  const t = resourceType(key);
  if (!t) throw ApiError.notFound(key, name);
  const obj = store.mustGet(key, t.namespaced ? namespace : undefined, name);
  if (key === 'namespaces') return deleteNamespace(store, t, obj, opts, ctx);
  checkPreconditions(t, obj, opts);
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts = { ...opts, gracePeriodSeconds: 1 };
  const original = structuredClone(obj);
  const g = beforeDelete(key, obj, opts, ctx.now);
  if (g.pending) return { object: original, removed: false };
  const gcChanged = applyGcFinalizers(obj, opts);
  const pendingFinalizers = (obj.metadata.finalizers?.length ?? 0) > 0;
  if (g.graceful || pendingFinalizers || gcChanged) {
    if (!g.graceful && pendingFinalizers) {
      markAsDeleting(obj, ctx.now);
      return { object: write(store, key, obj, !!ctx.dryRun), removed: false };
    }
    if (g.graceful) {
      const written = write(store, key, obj, !!ctx.dryRun);
      if (pendingFinalizers || g.grace > 0) return { object: written, removed: false };
    }
  }
  return { object: store.remove(key, namespace, name, { dryRun: ctx.dryRun, uid: original.metadata.uid }), removed: true };
}
