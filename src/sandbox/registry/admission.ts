import { ApiError } from '../api-error.js';
import { resourceType } from '../resources.js';
import type { KObject } from '../object.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** The NoExecute tolerations DefaultTolerationSeconds adds to every pod: 300 s of not-ready or unreachable. */
export const DEFAULT_TOLERATIONS: readonly { key: string; operator: string; effect: string; tolerationSeconds: number }[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

/** Looks up a namespace object (the store's own get, handed in to keep this file free of the store). */
export type NamespaceLookup = (name: string) => KObject | undefined;

function addFinalizer(obj: KObject, finalizer: string): void {
  const list = obj.metadata.finalizers ?? [];
  if (!list.includes(finalizer)) obj.metadata.finalizers = [...list, finalizer];
}

/**
 * The built-in admission plugins that act on every create, from kubectl or from a controller
 * (both go through the API on a real cluster):
 * - NamespaceLifecycle (plugin/pkg/admission/namespace/lifecycle/admission.go): nothing new in a
 *   namespace that is being terminated (403 with a NamespaceTerminating cause);
 * - StorageObjectInUseProtection (plugin/pkg/admission/storage/storageobjectinuseprotection):
 *   the pvc-protection and pv-protection finalizers;
 * - DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds): pods tolerate
 *   not-ready and unreachable for 300 s unless they say otherwise.
 * Mutates `obj`.
 */
export function admitCreate(key: string, obj: KObject, namespaceOf: NamespaceLookup): void {
  const t = resourceType(key);
  const nsName = obj.metadata.namespace;
  if (t?.namespaced && nsName) {
    const ns = namespaceOf(nsName);
    if (ns && (ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating')) {
      const err = ApiError.forbidden(t.resource, obj.metadata.name ?? '', t.group, `unable to create new content in namespace ${nsName} because it is being terminated`);
      err.details!.causes = [{ reason: 'NamespaceTerminating', message: `namespace ${nsName} is being terminated`, field: 'metadata.namespace' }];
      throw err;
    }
  }
  if (key === 'persistentvolumeclaims') addFinalizer(obj, PVC_PROTECTION_FINALIZER);
  else if (key === 'persistentvolumes') addFinalizer(obj, PV_PROTECTION_FINALIZER);
  else if (key === 'pods') {
    obj.spec ??= {};
    const tolerations: { key?: string; effect?: string; operator?: string }[] = obj.spec.tolerations ?? [];
    const tolerated = (k: string) => tolerations.some((t) => (!t.key || t.key === k) && (!t.effect || t.effect === 'NoExecute'));
    const add = DEFAULT_TOLERATIONS.filter((d) => !tolerated(d.key));
    if (add.length) obj.spec.tolerations = [...tolerations, ...add.map((d) => ({ ...d }))];
  }
}
