import type { KObject, Store, StoreEvent } from '../store.js';

/** `namespace/name`, or `name` for cluster-scoped objects: the id controllers queue and look up. */
export function idOf(obj: Pick<KObject, 'metadata'>): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

export function splitId(id: string): { namespace: string | undefined; name: string } {
  const i = id.indexOf('/');
  return i < 0 ? { namespace: undefined, name: id } : { namespace: id.slice(0, i), name: id.slice(i + 1) };
}

const CACHED = ['namespaces', 'nodes', 'pods', 'persistentvolumes', 'persistentvolumeclaims', 'apps/deployments', 'apps/replicasets', 'apps/statefulsets', 'apps/daemonsets', 'policy/poddisruptionbudgets', 'storage.k8s.io/volumeattachments'];

// Events are written by controllers and never read by them; caching them would only cost memory.
// Nor do they read leases, service accounts or RBAC objects.
const IGNORED = new Set(['events', 'coordination.k8s.io/leases', 'serviceaccounts', 'rbac.authorization.k8s.io/clusterroles', 'rbac.authorization.k8s.io/clusterrolebindings', 'rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/rolebindings']);

/**
 * An informer: every object the controllers care about, kept in step with the store by its events,
 * with the indexes the controllers ask for (pods by node, dependents by owner UID).
 *
 * The cached objects are the store's event payloads, shared with watch history and other
 * listeners: they are read-only. Controllers write by copying (`structuredClone`) and calling the
 * store, whose event then replaces the cached copy synchronously, so the cache is never stale.
 */
export class Cache {
  private readonly objects = new Map<string, Map<string, KObject>>();
  private readonly uids = new Map<string, { key: string; id: string }>();
  private readonly nodePods = new Map<string, Set<string>>();
  private readonly dependents = new Map<string, Set<string>>();

  constructor(store: Store) {
    for (const key of CACHED) {
      // Replaying the store's retained history gives the same objects the live events carry,
      // without copying every stored object once more (2,000 pods in the large scenario). When
      // history no longer reaches back to the first object, the counts differ: list instead.
      store.watch(key, undefined, 0, (e) => this.apply(e))();
      if (this.size(key) !== store.count(key)) {
        this.objects.delete(key);
        for (const o of store.list(key).items) this.put(key, o);
      }
    }
  }

  apply(e: StoreEvent): boolean {
    if (IGNORED.has(e.key)) return false;
    // A listener that writes synchronously makes later listeners see its event before the one that
    // triggered it; never let an older event overwrite a newer state.
    const known = this.objects.get(e.key)?.get(idOf(e.object));
    if (known && Number(known.metadata.resourceVersion) > e.rv) return true;
    if (e.type === 'DELETED') this.drop(e.key, e.object);
    else this.put(e.key, e.object);
    return true;
  }

  get(key: string, id: string): KObject | undefined {
    return this.objects.get(key)?.get(id);
  }

  getNs(key: string, namespace: string | undefined, name: string): KObject | undefined {
    return this.objects.get(key)?.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Live view of one resource's objects, unordered; do not hold across writes. */
  all(key: string): IterableIterator<KObject> {
    return (this.objects.get(key) ?? new Map<string, KObject>()).values();
  }

  size(key: string): number {
    return this.objects.get(key)?.size ?? 0;
  }

  byUid(uid: string): { key: string; object: KObject } | undefined {
    const ref = this.uids.get(uid);
    if (!ref) return undefined;
    const object = this.get(ref.key, ref.id);
    return object ? { key: ref.key, object } : undefined;
  }

  /** Pods whose spec.nodeName is this node, terminating ones included. */
  podsOnNode(node: string): KObject[] {
    const out: KObject[] = [];
    for (const id of this.nodePods.get(node) ?? []) {
      const p = this.get('pods', id);
      if (p) out.push(p);
    }
    return out;
  }

  /** Objects with an ownerReference to this UID, as `key` + object. */
  dependentsOf(uid: string): { key: string; object: KObject }[] {
    const out: { key: string; object: KObject }[] = [];
    for (const ref of this.dependents.get(uid) ?? []) {
      const sep = ref.indexOf('|');
      const key = ref.slice(0, sep);
      const o = this.get(key, ref.slice(sep + 1));
      if (o) out.push({ key, object: o });
    }
    return out;
  }

  /** Pods controlled (controller ownerReference) by this UID. */
  podsOwnedBy(uid: string): KObject[] {
    const out: KObject[] = [];
    for (const d of this.dependentsOf(uid)) {
      if (d.key === 'pods' && d.object.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller)) out.push(d.object);
    }
    return out;
  }

  private put(key: string, obj: KObject): void {
    let bucket = this.objects.get(key);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(key, bucket);
    }
    const id = idOf(obj);
    const old = bucket.get(id);
    if (old) {
      this.unindex(key, id, old);
      if (old.metadata.uid && old.metadata.uid !== obj.metadata.uid) this.uids.delete(old.metadata.uid);
    }
    bucket.set(id, obj);
    if (obj.metadata.uid) this.uids.set(obj.metadata.uid, { key, id });
    if (key === 'pods' && obj.spec?.nodeName) addTo(this.nodePods, obj.spec.nodeName, id);
    for (const r of obj.metadata.ownerReferences ?? []) addTo(this.dependents, r.uid, `${key}|${id}`);
  }

  private drop(key: string, obj: KObject): void {
    const id = idOf(obj);
    const bucket = this.objects.get(key);
    const old = bucket?.get(id);
    if (old) this.unindex(key, id, old);
    bucket?.delete(id);
    if (old?.metadata.uid) this.uids.delete(old.metadata.uid);
  }

  private unindex(key: string, id: string, obj: KObject): void {
    if (key === 'pods' && obj.spec?.nodeName) removeFrom(this.nodePods, obj.spec.nodeName, id);
    for (const r of obj.metadata.ownerReferences ?? []) removeFrom(this.dependents, r.uid, `${key}|${id}`);
  }
}

function addTo(index: Map<string, Set<string>>, k: string, v: string): void {
  let s = index.get(k);
  if (!s) {
    s = new Set();
    index.set(k, s);
  }
  s.add(v);
}

function removeFrom(index: Map<string, Set<string>>, k: string, v: string): void {
  const s = index.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) index.delete(k);
}
