import { isDeepStrictEqual } from 'node:util';
import { RESOURCE_TYPES, resourceKey } from '../resources.js';
import type { KObject, StoreEvent } from '../store.js';
import { deleteAs, deletePod, type Controller, type ControllerContext } from './context.js';
import { rfc3339, type Condition } from './pod-util.js';

const NAMESPACED = RESOURCE_TYPES.filter((t) => t.namespaced);

/**
 * The namespace controller (pkg/controller/namespace/deletion/namespaced_resources_deleter.go):
 * a namespace marked for deletion is emptied — every object in it deleted, pods gracefully — and
 * its status conditions say what remains and which finalizers hold it; once nothing is left the
 * `kubernetes` spec finalizer is removed, and with it the namespace.
 */
export function createNamespaceController(ctx: ControllerContext): Controller {
  const self: Controller = {
    name: 'namespace',
    resync() {
      for (const ns of ctx.cache.all('namespaces')) if (ns.metadata.deletionTimestamp) ctx.loop.enqueue(self, ns.metadata.name);
    },
    onEvent(e: StoreEvent) {
      if (e.key === 'namespaces') {
        if (e.type !== 'DELETED' && e.object.metadata.deletionTimestamp) ctx.loop.enqueue(self, e.object.metadata.name);
        return;
      }
      const ns = e.object.metadata.namespace;
      if (ns && e.type !== 'ADDED' && ctx.cache.get('namespaces', ns)?.metadata.deletionTimestamp) ctx.loop.enqueue(self, ns);
    },
    sync(names: string[]) {
      for (const name of names) reconcile(name);
    },
  };

  function reconcile(name: string): void {
    const ns = ctx.cache.get('namespaces', name);
    if (!ns?.metadata.deletionTimestamp) return;
    const remaining = new Map<string, number>();
    const finalizers = new Map<string, number>();
    for (const t of NAMESPACED) {
      const key = resourceKey(t);
      for (const o of ctx.store.list(key, name).items) {
        if (!o.metadata.deletionTimestamp) {
          if (key === 'pods') deletePod(ctx, o);
          else deleteAs(ctx, key, o);
        }
        if (!ctx.store.get(key, name, o.metadata.name)) continue;
        const label = `${t.resource}.${t.group}`;
        remaining.set(label, (remaining.get(label) ?? 0) + 1);
        for (const f of ctx.store.get(key, name, o.metadata.name)?.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
      }
    }
    writeConditions(ns, remaining, finalizers);
    if (remaining.size) return;
    // finalizeNamespace: our spec finalizer goes; the store deletes the namespace if nothing else holds it.
    ctx.store.mutate('namespaces', undefined, name, (n) => {
      n.spec = { ...(n.spec ?? {}), finalizers: (n.spec?.finalizers ?? []).filter((f: string) => f !== 'kubernetes') };
    });
  }

  /** status_condition_utils.go: the five deletion conditions `kubectl describe ns` shows. */
  function writeConditions(ns: KObject, remaining: Map<string, number>, finalizers: Map<string, number>): void {
    const list = (m: Map<string, number>, unit: string) => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${unit.replace('%d', String(n))}`).join(', ');
    const wanted: Condition[] = [
      { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
      { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
      { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
      remaining.size
        ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${list(remaining, 'has %d resource instances')}` }
        : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
      finalizers.size
        ? { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${list(finalizers, 'in %d resource instances')}` }
        : { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
    ];
    const old: Condition[] = ns.status?.conditions ?? [];
    const now = rfc3339();
    const conditions = wanted.map((c) => {
      const prev = old.find((o) => o.type === c.type);
      const same = prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message;
      return same ? prev : { ...c, lastTransitionTime: prev?.status === c.status ? prev.lastTransitionTime : now };
    });
    if (isDeepStrictEqual(conditions, old) && ns.status?.phase === 'Terminating') return;
    ctx.store.mutate('namespaces', undefined, ns.metadata.name, (n) => {
      n.status = { ...(n.status ?? {}), phase: 'Terminating', conditions };
    });
  }

  return self;
}
