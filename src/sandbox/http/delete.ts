import { ApiError } from '../api-error.js';
import { RESOURCE_TYPES, resourceKey, resourceType } from '../resources.js';
import type { KObject, Store } from '../store.js';
import { isPlainObject, parseJsonObject, readBody } from './body.js';
import { isDryRun, type RequestContext } from './context.js';
import { sendObject } from './negotiate.js';
import { decodeDeleteOptions, decodeEnvelope, isProtobufBody, type DeleteOptions } from './protobuf.js';
import { rfc3339, sendJson, successStatus } from './respond.js';

/** DeleteOptions from the JSON or protobuf body and the query (query wins for gracePeriodSeconds, as in the real handler's merge). */
export async function readDeleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const body = await readBody(ctx.req);
  let opts: DeleteOptions = {};
  if (body.length > 0) {
    if (isProtobufBody(ctx.req.headers['content-type'])) {
      const env = decodeEnvelope(body);
      if (env.kind && env.kind !== 'DeleteOptions') throw ApiError.badRequest(`expected DeleteOptions, got ${env.kind}`);
      opts = decodeDeleteOptions(env.raw);
    } else {
      opts = deleteOptionsFromJson(parseJsonObject(body));
    }
  }
  const q = ctx.url.searchParams;
  const grace = q.get('gracePeriodSeconds');
  if (grace !== null) {
    if (!/^-?\d+$/.test(grace)) throw ApiError.badRequest(`gracePeriodSeconds: Invalid value: "${grace}": must be an integer`);
    opts.gracePeriodSeconds = Number(grace);
  }
  const policy = q.get('propagationPolicy');
  if (policy) opts.propagationPolicy = policy;
  if (q.get('orphanDependents') !== null) opts.orphanDependents = q.get('orphanDependents') === 'true';
  const dry = q.getAll('dryRun');
  if (dry.length) opts.dryRun = dry;
  validate(opts);
  return opts;
}

export function deleteOptionsFromJson(o: Record<string, unknown>): DeleteOptions {
  const out: DeleteOptions = {};
  if (o.gracePeriodSeconds !== undefined && o.gracePeriodSeconds !== null) {
    if (typeof o.gracePeriodSeconds !== 'number' || !Number.isInteger(o.gracePeriodSeconds)) {
      throw ApiError.badRequest('json: cannot unmarshal gracePeriodSeconds into Go struct field DeleteOptions.gracePeriodSeconds of type int64');
    }
    out.gracePeriodSeconds = o.gracePeriodSeconds;
  }
  if (isPlainObject(o.preconditions)) {
    const p = o.preconditions;
    out.preconditions = {
      ...(typeof p.uid === 'string' ? { uid: p.uid } : {}),
      ...(typeof p.resourceVersion === 'string' ? { resourceVersion: p.resourceVersion } : {}),
    };
  }
  if (typeof o.propagationPolicy === 'string') out.propagationPolicy = o.propagationPolicy;
  if (typeof o.orphanDependents === 'boolean') out.orphanDependents = o.orphanDependents;
  if (Array.isArray(o.dryRun)) out.dryRun = o.dryRun.map(String);
  return out;
}

function validate(opts: DeleteOptions): void {
  const p = opts.propagationPolicy;
  if (p !== undefined && p !== 'Orphan' && p !== 'Background' && p !== 'Foreground') {
    throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${p}": supported values: "Foreground", "Background", "Orphan"`, {
      kind: 'DeleteOptions', group: 'meta.k8s.io', causes: [{ reason: 'FieldValueNotSupported', message: `Unsupported value: "${p}": supported values: "Foreground", "Background", "Orphan"`, field: 'propagationPolicy' }],
    });
  }
  if (opts.orphanDependents !== undefined && p !== undefined) {
    throw ApiError.badRequest('orphanDependents and propagationPolicy cannot both be set');
  }
}

function checkPreconditions(resource: string, group: string, obj: KObject, opts: DeleteOptions): void {
  const pre = opts.preconditions;
  if (!pre) return;
  if (pre.uid && pre.uid !== obj.metadata.uid) {
    throw ApiError.conflict(resource, obj.metadata.name, group, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
  }
  if (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw ApiError.conflict(resource, obj.metadata.name, group, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
  }
}

export interface PodDeletion {
  /** The pod as the response shows it: terminating, or its last state when removed. */
  object: KObject;
  removed: boolean;
}

/**
 * Deletes a pod as the real registry does: gracefully (deletionTimestamp = now + grace, the kubelet
 * simulation removes it later) when it runs on a node, at once when grace is 0, it was never
 * scheduled, or it already finished. A second DELETE can only shorten the grace period.
 */
export function deletePod(store: Store, namespace: string, name: string, opts: DeleteOptions, now: number, dryRun: boolean): PodDeletion {
  const pod = store.mustGet('pods', namespace, name);
  checkPreconditions('pods', '', pod, opts);
  let grace = opts.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  // The registry treats negative values as 1s on the delete path.
  if (grace < 0) grace = 1;
  const phase = pod.status?.phase;
  const immediate = grace === 0 || !pod.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed';
  if (immediate) {
    return { object: store.remove('pods', namespace, name, { dryRun, uid: pod.metadata.uid }), removed: true };
  }
  const current = pod.metadata.deletionGracePeriodSeconds;
  if (pod.metadata.deletionTimestamp && current !== undefined && grace >= current) {
    return { object: pod, removed: false };
  }
  const deadline = now + grace * 1000;
  const existing = pod.metadata.deletionTimestamp ? Date.parse(pod.metadata.deletionTimestamp) : Infinity;
  pod.metadata.deletionTimestamp = rfc3339(Math.min(deadline, existing));
  pod.metadata.deletionGracePeriodSeconds = grace;
  pod.metadata.resourceVersion = '';
  const updated = store.update('pods', pod, { dryRun, setDeletion: true });
  return { object: updated, removed: false };
}

/** Removes ownerReferences to `uid` from every object, so `propagationPolicy: Orphan` leaves dependents alone. */
function orphanDependents(store: Store, uid: string, namespace: string | undefined): void {
  for (const t of RESOURCE_TYPES) {
    const key = resourceKey(t);
    if (!t.namespaced && namespace !== undefined) continue;
    for (const o of store.list(key, t.namespaced ? namespace : undefined).items) {
      if (!o.metadata.ownerReferences?.some((r) => r.uid === uid)) continue;
      store.mutate(key, o.metadata.namespace, o.metadata.name, (cur) => {
        cur.metadata.ownerReferences = cur.metadata.ownerReferences?.filter((r) => r.uid !== uid);
        if (cur.metadata.ownerReferences?.length === 0) delete cur.metadata.ownerReferences;
      });
    }
  }
}

/** Deleting a namespace deletes what is in it (the namespace controller's job, done at once here). */
function deleteNamespaceContents(store: Store, namespace: string): void {
  for (const t of RESOURCE_TYPES) {
    if (!t.namespaced) continue;
    const key = resourceKey(t);
    for (const o of store.list(key, namespace).items) store.remove(key, namespace, o.metadata.name);
  }
}

/** Resources whose DELETE answers with the deleted object rather than a Status (ReturnDeletedObject). */
const RETURNS_OBJECT = new Set(['pods', 'namespaces', 'nodes', 'persistentvolumes', 'persistentvolumeclaims']);

export async function handleDelete(ctx: RequestContext): Promise<void> {
  const { route, store, key } = ctx;
  const opts = await readDeleteOptions(ctx);
  const dryRun = isDryRun(ctx.url, opts.dryRun);
  const name = route.name!;
  if (key === 'pods') {
    const result = deletePod(store, route.namespace!, name, opts, ctx.now(), dryRun);
    sendObject(ctx, result.object);
    return;
  }
  const t = resourceType(key)!;
  const obj = store.mustGet(key, route.namespace, name);
  checkPreconditions(t.resource, t.group, obj, opts);
  const orphan = opts.propagationPolicy === 'Orphan' || opts.orphanDependents === true;
  if (!dryRun && orphan) orphanDependents(store, obj.metadata.uid!, t.namespaced ? route.namespace : undefined);
  if (!dryRun && key === 'namespaces') deleteNamespaceContents(store, name);
  const last = store.remove(key, route.namespace, name, { dryRun, uid: obj.metadata.uid });
  if (RETURNS_OBJECT.has(key)) sendObject(ctx, last);
  else sendJson(ctx.res, 200, successStatus({ name, ...(t.group ? { group: t.group } : {}), kind: t.resource, uid: obj.metadata.uid }));
}
