import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from './api-error.js';
import type { KObject } from './object.js';
import { admitCreate } from './registry/admission.js';
import { resourceType, type ResourceType } from './resources.js';

export type { KObject, ObjectMeta, OwnerReference } from './object.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  /** Resource key (`pods`, `apps/deployments`). */
  key: string;
  /** The object after the change (for DELETED: its last state, with the deletion's resourceVersion). */
  object: KObject;
  /** The object before the change, for MODIFIED and DELETED. */
  previous?: KObject;
  rv: number;
}

export type StoreListener = (event: StoreEvent) => void;

export interface WriteOptions {
  /** `?dryRun=All`: validate and return the result, but store nothing and emit nothing. */
  dryRun?: boolean;
  /**
   * Take metadata.deletionTimestamp/deletionGracePeriodSeconds from the input instead of keeping
   * the stored ones: the API layer uses it when a second DELETE shortens a graceful deletion.
   * @defaultValue false
   */
  setDeletion?: boolean;
}

export interface StoreOptions {
  /** How many past events watches can resume from; older resourceVersions get 410 Gone.
   * @defaultValue 20000 */
  historySize?: number;
  /** Milliseconds since the epoch; the sandbox's scaled clock.
   * @defaultValue Date.now */
  now?: () => number;
}

import { isDns1123Subdomain } from '../core/dns1123.js';

function objectId(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/**
 * store.go ShouldDeleteDuringUpdate: an update that leaves an object being deleted (with no
 * grace period left) without finalizers deletes it. Namespaces also wait for spec.finalizers
 * (namespace storage's ShouldDeleteNamespaceDuringUpdate).
 */
function shouldDeleteDuringUpdate(key: string, next: KObject, current: KObject): boolean {
  if (!current.metadata.deletionTimestamp || (next.metadata.finalizers?.length ?? 0) > 0) return false;
  if (key === 'namespaces' && (next.spec?.finalizers?.length ?? 0) > 0) return false;
  const grace = current.metadata.deletionGracePeriodSeconds;
  return grace === undefined || grace === 0;
}

function randomSuffix(): string {
  // Same alphabet as apiserver's generateName (no vowels, no ambiguous characters).
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/**
 * The sandbox's etcd: objects by resource and namespace/name, one global resourceVersion counter,
 * and a bounded event history that watches resume from. Every read returns a copy, so callers
 * (HTTP handlers, controllers) can never mutate stored state by accident.
 */
export class Store {
  private readonly objects = new Map<string, Map<string, KObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();
  private readonly historySize: number;
  private readonly now: () => number;
  private rvCounter = 1;
  /** resourceVersion of the last compaction; nothing at or before it can be replayed. */
  private compactedRv = 0;

  constructor(options: StoreOptions = {}) {
    this.historySize = options.historySize ?? 20_000;
    this.now = options.now ?? Date.now;
  }

  /** The latest resourceVersion, as a string like the API uses. */
  get resourceVersion(): string {
    return String(this.rvCounter);
  }

  private bucket(key: string): Map<string, KObject> {
    let b = this.objects.get(key);
    if (!b) {
      b = new Map();
      this.objects.set(key, b);
    }
    return b;
  }

  private type(key: string): ResourceType {
    const t = resourceType(key);
    if (!t) throw ApiError.notFound(key, '');
    return t;
  }

  get(key: string, namespace: string | undefined, name: string): KObject | undefined {
    const o = this.objects.get(key)?.get(objectId(namespace, name));
    return o ? structuredClone(o) : undefined;
  }

  /** Like get, but a 404 Status error when absent. */
  mustGet(key: string, namespace: string | undefined, name: string): KObject {
    const o = this.get(key, namespace, name);
    if (!o) {
      const t = this.type(key);
      throw ApiError.notFound(t.resource, name, t.group);
    }
    return o;
  }

  /** All objects of a resource, in one namespace or all, ordered by namespace then name. */
  list(key: string, namespace?: string): { items: KObject[]; resourceVersion: string } {
    const items: KObject[] = [];
    for (const o of this.objects.get(key)?.values() ?? []) {
      if (namespace === undefined || o.metadata.namespace === namespace) items.push(structuredClone(o));
    }
    items.sort((a, b) => objectId(a.metadata.namespace, a.metadata.name).localeCompare(objectId(b.metadata.namespace, b.metadata.name)));
    return { items, resourceVersion: this.resourceVersion };
  }

  /**
   * Like list(), but hands out the stored objects themselves instead of copies. For read-only
   * paths that only serialise what they get (the HTTP API's lists, tables and watches): copying
   * 2,000 pods with structuredClone costs far more than answering the request. Callers must never
   * change the returned objects; the store replaces (never mutates) them on write, so a caller may
   * keep them as a consistent snapshot.
   */
  peek(key: string, namespace?: string): { items: readonly KObject[]; resourceVersion: string } {
    const items: KObject[] = [];
    for (const o of this.objects.get(key)?.values() ?? []) {
      if (namespace === undefined || o.metadata.namespace === namespace) items.push(o);
    }
    const ids = new Map(items.map((o) => [o, objectId(o.metadata.namespace, o.metadata.name)]));
    items.sort((a, b) => (ids.get(a)! < ids.get(b)! ? -1 : ids.get(a)! > ids.get(b)! ? 1 : 0));
    return { items, resourceVersion: this.resourceVersion };
  }

  /** Number of stored objects of a resource, without copying them. */
  count(key: string): number {
    return this.objects.get(key)?.size ?? 0;
  }

  create(key: string, input: KObject, options: WriteOptions = {}): KObject {
    const t = this.type(key);
    const obj = structuredClone(input);
    obj.metadata ??= { name: '' };
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + randomSuffix();
    const name = obj.metadata.name;
    if (!name) throw ApiError.invalid(t.kind, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }], t.group);
    if (t.pathSegmentNames) {
      const why = name === '.' || name === '..' ? `may not be '${name}'` : name.includes('/') ? "may not contain '/'" : name.includes('%') ? "may not contain '%'" : undefined;
      if (why) throw ApiError.invalid(t.kind, name, [{ field: 'metadata.name', message: `Invalid value: "${name}": ${why}` }], t.group);
    } else if (!isDns1123Subdomain(name)) {
      throw ApiError.invalid(t.kind, name, [{
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      }], t.group);
    }
    if (t.namespaced && !obj.metadata.namespace) obj.metadata.namespace = 'default';
    if (!t.namespaced) delete obj.metadata.namespace;
    const id = objectId(obj.metadata.namespace, name);
    if (this.bucket(key).has(id)) throw ApiError.alreadyExists(t.resource, name, t.group);
    // Every create goes through the API's admission chain on a real cluster, controllers' included.
    admitCreate(key, obj, (ns) => this.objects.get('namespaces')?.get(ns));

    obj.apiVersion = t.group ? `${t.group}/${t.version}` : t.version;
    obj.kind = t.kind;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (t.hasGeneration) obj.metadata.generation = 1;
    delete obj.metadata.deletionTimestamp;
    delete obj.metadata.resourceVersion;
    if (options.dryRun) return obj;

    const rv = ++this.rvCounter;
    obj.metadata.resourceVersion = String(rv);
    this.bucket(key).set(id, obj);
    this.emit({ type: 'ADDED', key, object: structuredClone(obj), rv });
    return structuredClone(obj);
  }

  /**
   * Replaces an object. A `metadata.resourceVersion` in the input must match the stored one (409
   * otherwise), as with a real PUT; an empty one means "last write wins", as the API allows.
   * Identity fields (uid, creationTimestamp, deletion state) are kept from the stored object.
   */
  update(key: string, input: KObject, options: WriteOptions = {}): KObject {
    const t = this.type(key);
    const name = input.metadata?.name;
    const namespace = t.namespaced ? input.metadata.namespace ?? 'default' : undefined;
    const current = this.objects.get(key)?.get(objectId(namespace, name));
    if (!current) throw ApiError.notFound(t.resource, name, t.group);
    if (input.metadata.resourceVersion && input.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw ApiError.conflict(t.resource, name, t.group);
    }
    if (input.metadata.uid && input.metadata.uid !== current.metadata.uid) {
      throw ApiError.conflict(t.resource, name, t.group, `Precondition failed: UID in precondition: ${input.metadata.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    const obj = structuredClone(input);
    obj.apiVersion = current.apiVersion;
    obj.kind = current.kind;
    obj.metadata.namespace = current.metadata.namespace;
    if (!t.namespaced) delete obj.metadata.namespace;
    obj.metadata.uid = current.metadata.uid;
    obj.metadata.creationTimestamp = current.metadata.creationTimestamp;
    if (current.metadata.deletionTimestamp && !options.setDeletion) {
      obj.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      obj.metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
    }
    if (t.hasGeneration) {
      const changed = !isDeepStrictEqual(obj.spec, current.spec);
      obj.metadata.generation = (current.metadata.generation ?? 1) + (changed ? 1 : 0);
    }
    obj.metadata.resourceVersion = current.metadata.resourceVersion;
    if (isDeepStrictEqual(obj, current)) return structuredClone(current); // no-op writes keep the resourceVersion, as the API does
    if (shouldDeleteDuringUpdate(key, obj, current)) {
      // store.go deleteWithoutFinalizers: the stored object is deleted (watchers see DELETED with
      // its last stored state) and the caller gets back what it wrote.
      if (!options.dryRun) this.remove(key, namespace, name);
      return obj;
    }
    if (options.dryRun) return obj;

    const rv = ++this.rvCounter;
    obj.metadata.resourceVersion = String(rv);
    this.bucket(key).set(objectId(namespace, name), obj);
    this.emit({ type: 'MODIFIED', key, object: structuredClone(obj), previous: structuredClone(current), rv });
    return structuredClone(obj);
  }

  /**
   * Reads, changes and writes one object in a single step (no other write can come between, since
   * the sandbox is single-threaded). `mutate` may change the copy in place or return a new one.
   */
  mutate(key: string, namespace: string | undefined, name: string, mutate: (obj: KObject) => KObject | void, options: WriteOptions = {}): KObject {
    const current = this.mustGet(key, namespace, name);
    const next = mutate(current) ?? current;
    next.metadata.resourceVersion = '';
    return this.update(key, next, options);
  }

  /** Removes an object for good and emits DELETED. Graceful deletion is the API layer's job. */
  remove(key: string, namespace: string | undefined, name: string, options: WriteOptions & { uid?: string } = {}): KObject {
    const t = this.type(key);
    const id = objectId(t.namespaced ? namespace ?? 'default' : undefined, name);
    const current = this.objects.get(key)?.get(id);
    if (!current) throw ApiError.notFound(t.resource, name, t.group);
    if (options.uid && options.uid !== current.metadata.uid) {
      throw ApiError.conflict(t.resource, name, t.group, `Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (options.dryRun) return structuredClone(current);
    const rv = ++this.rvCounter;
    this.objects.get(key)!.delete(id);
    const last = structuredClone(current);
    last.metadata.resourceVersion = String(rv);
    this.emit({ type: 'DELETED', key, object: last, previous: structuredClone(current), rv });
    return structuredClone(last);
  }

  /**
   * etcd compaction: forgets every event up to `upTo` (default: the current resourceVersion), so
   * watches and continue tokens from before it answer 410 Gone. The API server compacts every 5 minutes
   * (`--etcd-compaction-interval`); the sandbox does it when asked.
   */
  compact(upTo: number = this.rvCounter): void {
    const rv = Math.min(upTo, this.rvCounter);
    let drop = 0;
    while (drop < this.history.length && this.history[drop].rv <= rv) drop++;
    this.history.splice(0, drop);
    this.compactedRv = Math.max(this.compactedRv, rv);
  }

  /**
   * The objects of a resource as they were at `rv` (a consistent snapshot, as etcd serves a list
   * continued at the revision of its first page): the current state with later events undone.
   * Throws 410 Gone when `rv` is older than the retained history.
   */
  listAt(key: string, namespace: string | undefined, rv: number): KObject[] {
    if (rv < this.oldestRetainedRv()) throw ApiError.gone(`The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.`);
    const byId = new Map<string, KObject>();
    for (const o of this.objects.get(key)?.values() ?? []) byId.set(objectId(o.metadata.namespace, o.metadata.name), o);
    for (let i = this.history.length - 1; i >= 0 && this.history[i].rv > rv; i--) {
      const e = this.history[i];
      if (e.key !== key) continue;
      const id = objectId(e.object.metadata.namespace, e.object.metadata.name);
      if (e.type === 'ADDED') byId.delete(id);
      else if (e.previous) byId.set(id, e.previous);
    }
    return [...byId.values()]
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .sort((a, b) => { const x = objectId(a.metadata.namespace, a.metadata.name); const y = objectId(b.metadata.namespace, b.metadata.name); return x < y ? -1 : x > y ? 1 : 0; });
  }

  /** The oldest resourceVersion a watch or snapshot can still start from. */
  private oldestRetainedRv(): number {
    const fromHistory = this.history.length ? this.history[0].rv - 1 : this.rvCounter;
    return Math.max(fromHistory, this.compactedRv);
  }

  /** Every change to every resource, synchronously, in order. Controllers use this. */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Events for one resource (optionally one namespace) after `fromRv`, then live ones. Throws 410
   * Gone when `fromRv` is older than the retained history, as etcd compaction does.
   */
  watch(key: string, namespace: string | undefined, fromRv: number, listener: StoreListener): () => void {
    const oldest = this.oldestRetainedRv();
    if (fromRv > 0 && fromRv < oldest && fromRv < this.rvCounter) {
      throw ApiError.gone(`too old resource version: ${fromRv} (${oldest})`);
    }
    const matches = (e: StoreEvent) => e.key === key && (namespace === undefined || e.object.metadata.namespace === namespace);
    for (const e of this.history) if (e.rv > fromRv && matches(e)) listener(e);
    const live: StoreListener = (e) => { if (matches(e)) listener(e); };
    this.listeners.add(live);
    return () => this.listeners.delete(live);
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A faulty listener must not break the write that triggered it; controllers log their own errors.
      }
    }
  }
}
