import { ApiError } from '../api-error.js';
import type { KObject } from '../store.js';
import { isPlainObject, mediaType, parseJsonObject, readBody } from './body.js';
import { isDryRun, type RequestContext } from './context.js';
import { deleteOptionsFromJson, deletePod } from './delete.js';
import { decodeEnvelope, decodeEviction, isProtobufBody, type DeleteOptions } from './protobuf.js';
import { rfc3339, sendJson, successStatus } from './respond.js';
import { matchRequirements, selectorRequirements, type LabelSelectorObject } from './selectors.js';

/** The real registry refuses evictions while this many are still unconfirmed by the disruption controller. */
const MAX_DISRUPTED_PODS = 2000;

function tooManyRequests(cause: string): ApiError {
  return new ApiError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
    causes: [{ reason: 'DisruptionBudget', message: cause }],
  });
}

function isReady(pod: KObject): boolean {
  return (pod.status?.conditions ?? []).some((c: { type?: string; status?: string }) => c.type === 'Ready' && c.status === 'True');
}

/** Pods the registry evicts without asking any budget: finished, not yet running, or already going. */
function canIgnorePdb(pod: KObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata.deletionTimestamp);
}

async function readEviction(ctx: RequestContext): Promise<{ name?: string; deleteOptions: DeleteOptions }> {
  const body = await readBody(ctx.req);
  if (isProtobufBody(ctx.req.headers['content-type'])) {
    const env = decodeEnvelope(body);
    if (env.kind && env.kind !== 'Eviction') throw ApiError.badRequest(`expected Eviction, got ${env.kind}`);
    const ev = decodeEviction(env.raw);
    return { name: ev.metadata.name, deleteOptions: ev.deleteOptions ?? {} };
  }
  const t = mediaType(ctx.req.headers['content-type']);
  if (t !== '' && t !== 'application/json' && t !== 'application/yaml') throw ApiError.unsupportedMediaType(t);
  const obj = parseJsonObject(body);
  if (obj.kind !== undefined && obj.kind !== 'Eviction') {
    throw ApiError.badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (Eviction)`);
  }
  const apiVersion = obj.apiVersion;
  if (apiVersion !== undefined && apiVersion !== 'policy/v1' && apiVersion !== 'policy/v1beta1') {
    throw ApiError.badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (policy/v1)`);
  }
  const meta = isPlainObject(obj.metadata) ? obj.metadata : {};
  return {
    name: typeof meta.name === 'string' ? meta.name : undefined,
    deleteOptions: isPlainObject(obj.deleteOptions) ? deleteOptionsFromJson(obj.deleteOptions) : {},
  };
}

/**
 * POST pods/{name}/eviction, as the real eviction registry decides: PDB lookup, the 429 with the
 * budget's numbers, the decrement of disruptionsAllowed with disruptedPods in the same step, then a
 * normal graceful delete honouring the eviction's DeleteOptions.
 */
export async function handleEviction(ctx: RequestContext): Promise<void> {
  const { store, route } = ctx;
  const namespace = route.namespace!;
  const name = route.name!;
  const ev = await readEviction(ctx);
  if (ev.name && ev.name !== name) throw ApiError.badRequest('name in URL does not match name in Eviction object');
  const dryRun = isDryRun(ctx.url, ev.deleteOptions.dryRun);
  const pod = store.mustGet('pods', namespace, name);
  const evict = () => {
    deletePod(store, namespace, name, ev.deleteOptions, ctx.now(), dryRun);
    sendJson(ctx.res, 201, successStatus(undefined, 201));
  };
  if (canIgnorePdb(pod)) return evict();

  const pdbs = store.list('policy/poddisruptionbudgets', namespace).items.filter((pdb) => {
    const sel = pdb.spec?.selector as LabelSelectorObject | undefined;
    // A nil or empty selector matches nothing here, as the eviction registry reads it.
    if (!sel) return false;
    const reqs = selectorRequirements(sel);
    return reqs.length > 0 && matchRequirements(reqs, pod.metadata.labels);
  });
  if (pdbs.length > 1) {
    const why = 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';
    throw new ApiError(500, 'InternalError', `Internal error occurred: ${why}`, { causes: [{ message: why }] });
  }
  if (pdbs.length === 0) return evict();
  const pdb = pdbs[0];
  const ready = isReady(pod);
  const status = pdb.status ?? {};
  if (!ready && pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return evict();
  if (!ready && (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0) && (status.desiredHealthy ?? 0) > 0) return evict();

  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1)) {
    throw tooManyRequests(`The disruption budget ${pdb.metadata.name} is still being processed by the server.`);
  }
  const allowed = status.disruptionsAllowed ?? 0;
  if (allowed < 0) {
    throw new ApiError(403, 'Forbidden', `poddisruptionbudgets.policy "${pdb.metadata.name}" is forbidden: pdb disruptions allowed is negative`, { name: pdb.metadata.name, group: 'policy', kind: 'poddisruptionbudgets' });
  }
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
    throw new ApiError(403, 'Forbidden', `poddisruptionbudgets.policy "${pdb.metadata.name}" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller`, { name: pdb.metadata.name, group: 'policy', kind: 'poddisruptionbudgets' });
  }
  if (allowed === 0) {
    throw tooManyRequests(`The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
  }
  if (!dryRun) {
    store.mutate('policy/poddisruptionbudgets', namespace, pdb.metadata.name, (cur) => {
      cur.status ??= {};
      cur.status.disruptionsAllowed = (cur.status.disruptionsAllowed ?? 0) - 1;
      cur.status.disruptedPods = { ...(cur.status.disruptedPods ?? {}), [name]: rfc3339(ctx.now()) };
      if (cur.status.disruptionsAllowed === 0) {
        const conds: Record<string, unknown>[] = (cur.status.conditions ?? []).filter((c: { type?: string }) => c.type !== 'DisruptionAllowed');
        conds.push({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', lastTransitionTime: rfc3339(ctx.now()), observedGeneration: cur.metadata.generation });
        cur.status.conditions = conds;
      }
    });
  }
  evict();
}
