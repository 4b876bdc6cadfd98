import { GcFinalizer } from '../registry/delete-options.js';
import type { KObject, StoreEvent } from '../store.js';
import { idOf } from './cache.js';
import { deleteAs, deletePod, type Controller, type ControllerContext } from './context.js';

const OWNER_KINDS = ['pods', 'apps/replicasets', 'apps/deployments', 'persistentvolumeclaims', 'apps/statefulsets', 'apps/daemonsets'];

/**
 * The garbage collector (pkg/controller/garbagecollector): when an owner is gone, its dependents
 * (by ownerReference UID) go too — pods gracefully, as an API DELETE would — unless they still
 * have another live owner. Owners being deleted with a GC finalizer are finished here:
 * `orphan` (propagationPolicy=Orphan) strips the dependents' ownerReferences, then the
 * finalizer; `foregroundDeletion` deletes the dependents and removes the finalizer once none
 * with blockOwnerDeletion is left, so the owner goes last. Objects created with owners that do
 * not exist are collected as well.
 */
export function createGarbageCollector(ctx: ControllerContext): Controller {
  const orphaning = new Set<string>();
  const self: Controller = {
    name: 'garbage-collector',
    resync() {
      const owners = new Set<string>();
      for (const key of OWNER_KINDS) {
        for (const o of ctx.cache.all(key)) {
          for (const r of o.metadata.ownerReferences ?? []) owners.add(r.uid);
          if (hasGcFinalizer(o)) ctx.loop.enqueue(self, o.metadata.uid!);
        }
      }
      for (const uid of owners) if (!ctx.cache.byUid(uid)) ctx.loop.enqueue(self, uid);
    },
    onEvent(e: StoreEvent) {
      const uid = e.object.metadata.uid;
      if (e.type === 'DELETED' && uid) {
        if (e.object.metadata.finalizers?.includes(GcFinalizer.Orphan)) orphaning.add(uid);
        ctx.loop.enqueue(self, uid);
      } else if (e.type === 'ADDED') {
        for (const r of e.object.metadata.ownerReferences ?? []) ctx.loop.enqueue(self, r.uid);
      }
      if (uid && e.type !== 'DELETED' && hasGcFinalizer(e.object)) ctx.loop.enqueue(self, uid);
      // A dependent that changed or went may unblock an owner's foreground deletion.
      if (e.type !== 'ADDED') for (const r of e.object.metadata.ownerReferences ?? []) ctx.loop.enqueue(self, r.uid);
    },
    sync(uids: string[]) {
      for (const uid of uids) {
        const owner = ctx.cache.byUid(uid);
        if (!owner) collect(uid);
        else if (owner.object.metadata.deletionTimestamp) finalize(owner.key, owner.object);
      }
    },
  };

  function hasGcFinalizer(o: KObject): boolean {
    return !!o.metadata.deletionTimestamp && !!o.metadata.finalizers?.some((f) => f === GcFinalizer.Orphan || f === GcFinalizer.Foreground);
  }

  /** The owner is gone: delete its dependents, or only unlink them when it was orphaning. */
  function collect(uid: string): void {
    const orphan = orphaning.delete(uid);
    for (const { key, object } of ctx.cache.dependentsOf(uid)) {
      const liveOwners = (object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid && ctx.cache.byUid(r.uid));
      if (orphan || liveOwners.length) {
        dropOwnerRef(key, object, uid);
        continue;
      }
      if (object.metadata.deletionTimestamp) continue;
      deleteDependent(key, object, false);
    }
  }

  /** An owner being deleted with a GC finalizer: do its part, then drop the finalizer. */
  function finalize(key: string, owner: KObject): void {
    const uid = owner.metadata.uid!;
    const finalizers = owner.metadata.finalizers ?? [];
    if (finalizers.includes(GcFinalizer.Orphan)) {
      for (const d of ctx.cache.dependentsOf(uid)) dropOwnerRef(d.key, d.object, uid);
      removeFinalizer(key, owner, GcFinalizer.Orphan);
      return;
    }
    if (!finalizers.includes(GcFinalizer.Foreground)) return;
    let blocking = 0;
    for (const d of ctx.cache.dependentsOf(uid)) {
      const ref = d.object.metadata.ownerReferences?.find((r) => r.uid === uid);
      if (ref?.blockOwnerDeletion) blocking++;
      if (!d.object.metadata.deletionTimestamp) deleteDependent(d.key, d.object, true);
    }
    if (blocking === 0) removeFinalizer(key, owner, GcFinalizer.Foreground);
  }

  function deleteDependent(key: string, object: KObject, foreground: boolean): void {
    try {
      if (key === 'pods') deletePod(ctx, object);
      // A dependent that owns things itself is deleted in the foreground too, so the chain
      // empties from the bottom (attemptToDeleteItem's "waitingForDependentsDeletion").
      else deleteAs(ctx, key, object, foreground && ctx.cache.dependentsOf(object.metadata.uid!).length ? { propagationPolicy: 'Foreground' } : {});
    } catch (err) {
      ctx.logger?.warn({ err, object: `${key} ${idOf(object)}` }, 'sandbox: garbage collection failed');
    }
  }

  function removeFinalizer(key: string, owner: KObject, finalizer: string): void {
    try {
      ctx.store.mutate(key, owner.metadata.namespace, owner.metadata.name, (o) => {
        if (o.metadata.uid !== owner.metadata.uid) return;
        o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
        if (!o.metadata.finalizers.length) delete o.metadata.finalizers;
      });
    } catch {
      // gone already
    }
  }

  function dropOwnerRef(key: string, object: KObject, uid: string): void {
    ctx.store.mutate(key, object.metadata.namespace, object.metadata.name, (o) => {
      o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (!o.metadata.ownerReferences.length) delete o.metadata.ownerReferences;
    });
  }

  return self;
}
