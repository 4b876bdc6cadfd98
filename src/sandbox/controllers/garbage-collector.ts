import type { KObject, StoreEvent } from '../store.js';
import { idOf } from './cache.js';
import { deletePod, type Controller, type ControllerContext } from './context.js';

/** The finalizer the API server puts on an owner deleted with propagationPolicy=Orphan. */
export const ORPHAN_FINALIZER = 'orphan';

/**
 * The garbage collector: when an owner is gone, its dependents (by ownerReference UID) go too —
 * pods gracefully, as an API DELETE would — unless they still have another live owner, or the
 * owner was deleted with propagationPolicy=Orphan (its last state carries the `orphan`
 * finalizer), in which case only the ownerReference is removed. Objects created with owners that
 * do not exist are collected as well.
 */
export function createGarbageCollector(ctx: ControllerContext): Controller {
  const orphaning = new Set<string>();
  const self: Controller = {
    name: 'garbage-collector',
    resync() {
      const owners = new Set<string>();
      for (const key of ['pods', 'apps/replicasets', 'apps/deployments', 'persistentvolumeclaims', 'apps/statefulsets', 'apps/daemonsets']) {
        for (const o of ctx.cache.all(key)) for (const r of o.metadata.ownerReferences ?? []) owners.add(r.uid);
      }
      for (const uid of owners) if (!ctx.cache.byUid(uid)) ctx.loop.enqueue(self, uid);
    },
    onEvent(e: StoreEvent) {
      if (e.type === 'DELETED' && e.object.metadata.uid) {
        if (e.object.metadata.finalizers?.includes(ORPHAN_FINALIZER)) orphaning.add(e.object.metadata.uid);
        ctx.loop.enqueue(self, e.object.metadata.uid);
      } else if (e.type === 'ADDED') {
        for (const r of e.object.metadata.ownerReferences ?? []) ctx.loop.enqueue(self, r.uid);
      }
    },
    sync(uids: string[]) {
      for (const uid of uids) collect(uid);
    },
  };

  function collect(uid: string): void {
    if (ctx.cache.byUid(uid)) return; // the owner is alive
    const orphan = orphaning.delete(uid);
    for (const { key, object } of ctx.cache.dependentsOf(uid)) {
      const liveOwners = (object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid && ctx.cache.byUid(r.uid));
      if (orphan || liveOwners.length) {
        dropOwnerRef(key, object, uid);
        continue;
      }
      if (object.metadata.deletionTimestamp) continue;
      try {
        if (key === 'pods') deletePod(ctx, object);
        else ctx.store.remove(key, object.metadata.namespace, object.metadata.name, { uid: object.metadata.uid });
      } catch (err) {
        ctx.logger?.warn({ err, object: `${key} ${idOf(object)}` }, 'sandbox: garbage collection failed');
      }
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
