import { ApiError } from '../api-error.js';
import { apiVersionOf, type ResourceType } from '../resources.js';
import type { KObject } from '../store.js';
import { isPlainObject, parseJsonObject, readBody, requireJsonBody } from './body.js';
import { isProtobufBody } from './protobuf.js';
import { decodeObject } from './protobuf-objects.js';
import { isDryRun, requireNamespace, type RequestContext } from './context.js';
import { applyPatch, patchTypeOf, PatchType } from './patch.js';
import { sendJson } from './respond.js';
import { sendObject } from './negotiate.js';
import { checkDecodable, checkPatchedDecodable, validateCreate, validateStatusUpdate, validateUpdate } from './validation/index.js';

function hasStatusSubresource(t: ResourceType): boolean {
  return t.subresources.some((s) => s.name === 'status');
}

/** Checks that the body is an object of the route's kind and names the same object as the URL. */
function checkBody(ctx: RequestContext, obj: Record<string, unknown>, name?: string): KObject {
  const t = ctx.route.type;
  const expected = apiVersionOf(t);
  if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
    throw ApiError.badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expected})`);
  }
  if (obj.kind !== undefined && obj.kind !== t.kind) {
    throw ApiError.badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${t.kind})`);
  }
  if (obj.metadata !== undefined && !isPlainObject(obj.metadata)) {
    throw ApiError.badRequest('json: cannot unmarshal metadata into Go struct field of type v1.ObjectMeta');
  }
  const o = obj as KObject;
  o.metadata ??= { name: '' };
  const ns = ctx.route.namespace;
  if (t.namespaced) {
    if (o.metadata.namespace && ns && o.metadata.namespace !== ns) {
      throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    o.metadata.namespace = ns;
  }
  if (name !== undefined) {
    if (o.metadata.name && o.metadata.name !== name) {
      throw ApiError.badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`);
    }
    o.metadata.name = name;
  }
  return o;
}

/** The API server's defaulting for a pod spec (what `kubectl get -o yaml` shows on a real cluster). */
function defaultPodSpec(spec: Record<string, unknown>): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const list of [spec.containers, spec.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list as Record<string, unknown>[]) {
      const image = String(c.image ?? '');
      c.imagePullPolicy ??= image.endsWith(':latest') || !/:[^/]+$/.test(image) ? 'Always' : 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      c.resources ??= {};
      if (Array.isArray(c.ports)) for (const p of c.ports as Record<string, unknown>[]) p.protocol ??= 'TCP';
    }
  }
}

/** What the API server's defaulting and PrepareForCreate add, so controllers and printers see real shapes. */
function defaultForCreate(key: string, o: KObject): void {
  if (key === 'pods') {
    o.spec ??= {};
    defaultPodSpec(o.spec);
    // Status is the kubelet's; a new pod is always Pending whatever the client sent.
    o.status = { phase: 'Pending', qosClass: o.status?.qosClass ?? 'BestEffort' };
    return;
  }
  if (key === 'apps/deployments' || key === 'apps/replicasets' || key === 'apps/statefulsets' || key === 'apps/daemonsets') {
    o.spec ??= {};
    if (key !== 'apps/daemonsets') o.spec.replicas ??= 1;
    o.spec.revisionHistoryLimit ??= 10;
    if (isPlainObject(o.spec.template?.spec)) defaultPodSpec(o.spec.template.spec);
    if (key === 'apps/deployments') {
      o.spec.progressDeadlineSeconds ??= 600;
      o.spec.strategy ??= {};
      if (!o.spec.strategy.type) o.spec.strategy.type = 'RollingUpdate';
      if (o.spec.strategy.type === 'RollingUpdate') o.spec.strategy.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...(o.spec.strategy.rollingUpdate ?? {}) };
    } else if (key === 'apps/statefulsets') {
      o.spec.podManagementPolicy ??= 'OrderedReady';
      o.spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    } else if (key === 'apps/daemonsets') {
      o.spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
    }
    o.status = {};
  } else if (key === 'namespaces') {
    o.spec = { finalizers: ['kubernetes'], ...(o.spec ?? {}) };
    o.status = { phase: 'Active' };
    o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
  } else if (key === 'policy/poddisruptionbudgets') {
    o.status = {};
  }
}

/** The object in a create/update body: JSON, or protobuf as client-go's typed clients send it. */
export async function readObjectBody(ctx: RequestContext): Promise<Record<string, unknown>> {
  const contentType = ctx.req.headers['content-type'];
  if (isProtobufBody(contentType)) return decodeObject(await readBody(ctx.req));
  requireJsonBody(contentType);
  return parseJsonObject(await readBody(ctx.req));
}

export function handleGet(ctx: RequestContext): void {
  const { route, store, key } = ctx;
  const obj = store.mustGet(key, route.namespace, route.name!);
  sendObject(ctx, obj);
}

export async function handleCreate(ctx: RequestContext): Promise<void> {
  const { route, store, key } = ctx;
  const obj = checkBody(ctx, await readObjectBody(ctx));
  checkDecodable(route.type, obj);
  const dryRun = isDryRun(ctx.url);
  if (route.type.namespaced) requireNamespace(store, route.namespace!);
  defaultForCreate(key, obj);
  validateCreate(route.type, key, obj);
  const created = store.create(key, obj, { dryRun });
  sendJson(ctx.res, 201, created);
}

/**
 * Writes `next` over the stored object. Writes to the main resource keep the stored status when the
 * resource has a status subresource; writes to /status change only the status, as the real
 * registry strategies do.
 */
export function writeObject(ctx: RequestContext, next: KObject, current: KObject | undefined, dryRun: boolean): KObject {
  const { route, store, key } = ctx;
  const cur = current ?? store.mustGet(key, route.namespace, route.name!);
  // store.go Update: a stale resourceVersion is a 409 before any validation runs.
  const rv = next.metadata.resourceVersion;
  if (rv && rv !== cur.metadata.resourceVersion) throw ApiError.conflict(route.type.resource, cur.metadata.name, route.type.group);
  let out = next;
  if (route.subresource === 'status') {
    out = { ...cur, status: next.status, metadata: { ...cur.metadata, resourceVersion: next.metadata.resourceVersion } };
    validateStatusUpdate(route.type, out, cur);
  } else {
    if (hasStatusSubresource(route.type)) {
      out = { ...next, status: cur.status };
      if (cur.status === undefined) delete out.status;
    }
    validateUpdate(route.type, key, out, cur);
  }
  return store.update(key, out, { dryRun });
}

export async function handleUpdate(ctx: RequestContext): Promise<void> {
  const obj = checkBody(ctx, await readObjectBody(ctx), ctx.route.name);
  checkDecodable(ctx.route.type, obj);
  const dryRun = isDryRun(ctx.url);
  const updated = writeObject(ctx, obj, undefined, dryRun);
  sendJson(ctx.res, 200, updated);
}

export async function handlePatch(ctx: RequestContext): Promise<void> {
  const { route, store, key } = ctx;
  const type = patchTypeOf(ctx.req.headers['content-type']);
  const body = await readBody(ctx.req);
  const dryRun = isDryRun(ctx.url);
  const current = store.mustGet(key, route.namespace, route.name!);
  const patched = applyPatch(type, structuredClone(current), body);
  if (!isPlainObject(patched) || !isPlainObject((patched as KObject).metadata)) {
    throw ApiError.badRequest('the patched object is not a Kubernetes object');
  }
  checkPatchedDecodable(route.type, patched, JSON.parse(body.toString('utf8')), type === PatchType.Strategic);
  // Name and namespace come from the URL; a patch cannot move an object.
  patched.metadata.name = current.metadata.name;
  if (route.type.namespaced) patched.metadata.namespace = current.metadata.namespace;
  patched.metadata.resourceVersion ??= current.metadata.resourceVersion;
  const updated = writeObject(ctx, patched, current, dryRun);
  sendJson(ctx.res, 200, updated);
}
