import { PV_PROTECTION_FINALIZER } from '../registry/admission.js';
import type { StoreEvent } from '../store.js';
import type { Controller, ControllerContext } from './context.js';

const KEY = 'persistentvolumes';

/**
 * The PV protection controller (pkg/controller/volume/pvprotection): a volume being deleted
 * keeps its `kubernetes.io/pv-protection` finalizer while it is Bound to a claim.
 */
export function createPvProtection(ctx: ControllerContext): Controller {
  const self: Controller = {
    name: 'pv-protection',
    resync() {
      for (const v of ctx.cache.all(KEY)) if (v.metadata.deletionTimestamp) ctx.loop.enqueue(self, v.metadata.name);
    },
    onEvent(e: StoreEvent) {
      if (e.key === KEY && e.type !== 'DELETED' && e.object.metadata.deletionTimestamp) ctx.loop.enqueue(self, e.object.metadata.name);
    },
    sync(names: string[]) {
      for (const name of names) {
        const pv = ctx.cache.get(KEY, name);
        if (!pv?.metadata.deletionTimestamp || !pv.metadata.finalizers?.includes(PV_PROTECTION_FINALIZER)) continue;
        if (pv.status?.phase === 'Bound') continue;
        ctx.store.mutate(KEY, undefined, name, (v) => {
          v.metadata.finalizers = (v.metadata.finalizers ?? []).filter((f) => f !== PV_PROTECTION_FINALIZER);
          if (!v.metadata.finalizers.length) delete v.metadata.finalizers;
        });
      }
    },
  };
  return self;
}
