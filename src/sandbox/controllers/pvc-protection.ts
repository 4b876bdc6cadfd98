import { PVC_PROTECTION_FINALIZER } from '../registry/admission.js';
import type { KObject, StoreEvent } from '../store.js';
import { idOf } from './cache.js';
import type { Controller, ControllerContext } from './context.js';
import { isTerminal } from './pod-util.js';
import { podClaimNames } from './storage-util.js';

const KEY = 'persistentvolumeclaims';

/** A claim a scheduled, unfinished pod mounts is in use (pvc_protection_controller.go podUsesPVC). */
function podUsesClaim(pod: KObject, claim: string): boolean {
  return !!pod.spec?.nodeName && !isTerminal(pod) && podClaimNames(pod).includes(claim);
}

/**
 * The PVC protection controller (pkg/controller/volume/pvcprotection): a claim being deleted
 * keeps its `kubernetes.io/pvc-protection` finalizer, and so stays Terminating, for as long as
 * a pod that is scheduled and not finished mounts it; then the finalizer goes, and the claim.
 */
export function createPvcProtection(ctx: ControllerContext): Controller {
  const self: Controller = {
    name: 'pvc-protection',
    resync() {
      for (const c of ctx.cache.all(KEY)) if (c.metadata.deletionTimestamp) ctx.loop.enqueue(self, idOf(c));
    },
    onEvent(e: StoreEvent) {
      if (e.key === KEY && e.type !== 'DELETED' && e.object.metadata.deletionTimestamp) ctx.loop.enqueue(self, idOf(e.object));
      else if (e.key === 'pods') {
        for (const p of [e.object, e.previous]) for (const c of p ? podClaimNames(p) : []) ctx.loop.enqueue(self, `${e.object.metadata.namespace}/${c}`);
      }
    },
    sync(ids: string[]) {
      for (const id of ids) reconcile(id);
    },
  };

  function reconcile(id: string): void {
    const pvc = ctx.cache.get(KEY, id);
    if (!pvc?.metadata.deletionTimestamp || !pvc.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER)) return;
    for (const p of ctx.cache.all('pods')) {
      if (p.metadata.namespace === pvc.metadata.namespace && podUsesClaim(p, pvc.metadata.name)) return;
    }
    ctx.store.mutate(KEY, pvc.metadata.namespace, pvc.metadata.name, (c) => {
      c.metadata.finalizers = (c.metadata.finalizers ?? []).filter((f) => f !== PVC_PROTECTION_FINALIZER);
      if (!c.metadata.finalizers.length) delete c.metadata.finalizers;
    });
  }

  return self;
}
