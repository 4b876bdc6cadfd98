import { ApiError } from '../api-error.js';
import { deleteObject, RETURNS_DELETED_OBJECT } from '../registry/delete.js';
import { resourceType } from '../resources.js';
import { isPlainObject, parseJsonObject, readBody } from './body.js';
import { dryRunOf, type RequestContext } from './context.js';
import { sendObject } from './negotiate.js';
import { decodeDeleteOptions, decodeEnvelope, isProtobufBody, type DeleteOptions } from './protobuf.js';
import { sendJson, successStatus } from './respond.js';

/** DeleteOptions from the URL query, as the parameter codec decodes them. */
function deleteOptionsFromQuery(q: URLSearchParams): DeleteOptions {
  const opts: DeleteOptions = {};
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
  return opts;
}

/**
 * DeleteOptions of a DELETE, as handlers/delete.go reads them: from the body (JSON or protobuf)
 * when there is one, and then the URL's query is ignored entirely; from the query otherwise. So a
 * `?dryRun=All` DELETE with a body `{}` really deletes, on a cluster and here.
 */
export async function readDeleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const body = await readBody(ctx.req);
  let opts: DeleteOptions;
  if (body.length > 0) {
    if (isProtobufBody(ctx.req.headers['content-type'])) {
      const env = decodeEnvelope(body);
      if (env.kind && env.kind !== 'DeleteOptions') throw ApiError.badRequest('decoded object cannot be converted to DeleteOptions');
      opts = decodeDeleteOptions(env.raw);
    } else {
      opts = deleteOptionsFromJson(parseJsonObject(body));
    }
  } else {
    opts = deleteOptionsFromQuery(ctx.url.searchParams);
  }
  validate(opts);
  return opts;
}

export function deleteOptionsFromJson(o: Record<string, unknown>): DeleteOptions {
  const out: DeleteOptions = {};
  if (o.kind !== undefined && o.kind !== 'DeleteOptions') throw ApiError.badRequest('decoded object cannot be converted to DeleteOptions');
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

/** apimachinery/pkg/apis/meta/v1/validation ValidateDeleteOptions: a 422 from the handler, before any lookup. */
function validate(opts: DeleteOptions): void {
  const p = opts.propagationPolicy;
  if (p !== undefined && p !== 'Orphan' && p !== 'Background' && p !== 'Foreground') {
    throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${p}": supported values: "Foreground", "Background", "Orphan", "nil"`, {
      kind: 'DeleteOptions', group: 'meta.k8s.io', causes: [{ reason: 'FieldValueNotSupported', message: `Unsupported value: "${p}": supported values: "Foreground", "Background", "Orphan", "nil"`, field: 'propagationPolicy' }],
    });
  }
  if (opts.orphanDependents !== undefined && p !== undefined) {
    throw new ApiError(422, 'Invalid', 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "' + p + '": orphanDependents and deletionPropagation cannot be both set', {
      kind: 'DeleteOptions', group: 'meta.k8s.io', causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "${p}": orphanDependents and deletionPropagation cannot be both set`, field: 'propagationPolicy' }],
    });
  }
}

/**
 * DELETE of one object. Removed at once: the deleted object (kinds with ReturnDeletedObject) or
 * a Success Status with the resource in details.kind. Still there (graceful deletion, finalizers):
 * the object with its deletionTimestamp, 202 when orphanDependents=false asked for a cascade.
 */
export async function handleDelete(ctx: RequestContext): Promise<void> {
  const { route, store, key } = ctx;
  const opts = await readDeleteOptions(ctx);
  const dryRun = dryRunOf(opts.dryRun ?? []);
  const name = route.name!;
  const t = resourceType(key)!;
  const result = deleteObject(store, key, route.namespace, name, opts, { now: ctx.now(), dryRun });
  if (!result.removed) {
    sendObject(ctx, result.object, opts.orphanDependents === false ? 202 : 200);
    return;
  }
  if (RETURNS_DELETED_OBJECT.has(key)) sendObject(ctx, result.object);
  else sendJson(ctx.res, 200, successStatus({ name, ...(t.group ? { group: t.group } : {}), kind: t.resource, uid: result.object.metadata.uid }));
}
