import { ApiError } from '../api-error.js';
import type { KObject } from '../store.js';
import { isPlainObject, parseJsonObject, readBody } from './body.js';
import { isDryRun, type RequestContext } from './context.js';
import { applyPatch, patchTypeOf } from './patch.js';
import { sendJson } from './respond.js';
import { selectorString } from './selectors.js';

/** autoscaling/v1 Scale of a workload, as the scale subresource shows it. */
function toScale(parent: KObject): Record<string, unknown> {
  const m = parent.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: parent.spec?.replicas ?? 1 },
    status: { replicas: parent.status?.replicas ?? 0, selector: selectorString(parent.spec?.selector) },
  };
}

function writeReplicas(ctx: RequestContext, parent: KObject, scale: Record<string, unknown>, dryRun: boolean): void {
  const spec = scale.spec;
  const replicas = isPlainObject(spec) ? spec.replicas : undefined;
  const t = ctx.route.type;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    const shown = replicas === undefined ? '0' : JSON.stringify(replicas);
    throw ApiError.invalid('Scale', parent.metadata.name, [{ field: 'spec.replicas', message: `Invalid value: ${shown}: must be greater than or equal to 0` }], 'autoscaling');
  }
  const meta = isPlainObject(scale.metadata) ? scale.metadata : {};
  const rv = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '';
  if (rv && rv !== parent.metadata.resourceVersion) throw ApiError.conflict(t.resource, parent.metadata.name, t.group);
  const next = structuredClone(parent);
  next.spec = { ...(next.spec ?? {}), replicas };
  const updated = ctx.store.update(ctx.key, next, { dryRun });
  const out = toScale(updated);
  sendJson(ctx.res, 200, out);
}

/** GET/PUT/PATCH {deployments,replicasets,statefulsets}/{name}/scale. */
export async function handleScale(ctx: RequestContext): Promise<void> {
  const { store, key, route } = ctx;
  const method = ctx.req.method;
  const parent = store.mustGet(key, route.namespace, route.name!);
  if (method === 'GET') {
    sendJson(ctx.res, 200, toScale(parent));
    return;
  }
  const dryRun = isDryRun(ctx.url);
  if (method === 'PUT') {
    const body = parseJsonObject(await readBody(ctx.req));
    if (body.kind !== undefined && body.kind !== 'Scale') throw ApiError.badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (Scale)`);
    writeReplicas(ctx, parent, body, dryRun);
    return;
  }
  const type = patchTypeOf(ctx.req.headers['content-type']);
  const body = await readBody(ctx.req);
  const patched = applyPatch(type, toScale(parent), body);
  if (!isPlainObject(patched)) throw ApiError.badRequest('the patched Scale is not an object');
  writeReplicas(ctx, parent, patched, dryRun);
}
