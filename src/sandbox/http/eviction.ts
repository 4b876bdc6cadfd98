import { ApiError } from '../api-error.js';
import { deleteObject } from '../registry/delete.js';
import type { KObject, Store } from '../store.js';
import { isPlainObject, mediaType, parseJsonObject, readBody } from './body.js';
import { dryRunOf, type RequestContext } from './context.js';
import { deleteOptionsFromJson } from './delete.js';
import { decodeEnvelope, decodeEviction, isProtobufBody, type DeleteOptions } from './protobuf.js';
import { rfc3339, sendJson, successStatus } from './respond.js';
import { matchRequirements, selectorRequirements, type LabelSelectorObject, type LabelRequirement } from './selectors.js';

// Behaviour of kubernetes/kubernetes pkg/registry/core/pod/storage/eviction.go (1.29+, with the
// empty-selector fix of #119732 and the DisruptionTarget condition of PodDisruptionConditions).

/** The registry refuses evictions while this many are still unconfirmed by the disruption controller. */
const MAX_DISRUPTED_POD_SIZE = 2000;
const VIOLATES = "Cannot evict pod as it would violate the pod's disruption budget.";

/** errors.NewTooManyRequests with a DisruptionBudget cause; `retryAfterSeconds` > 0 also sets Retry-After. */
function tooManyRequests(cause: string, retryAfterSeconds: number): ApiError {
  return new ApiError(429, 'TooManyRequests', VIOLATES, {
    ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}),
    causes: [{ reason: 'DisruptionBudget', message: cause }],
  });
}

/** createTooManyRequestsError: the budget is not yet observed; well-behaved clients wait 10 s. */
function stillProcessing(pdbName: string): ApiError {
  return tooManyRequests(`The disruption budget ${pdbName} is still being processed by the server.`, 10);
}

/** errors.NewForbidden(policy.Resource("poddisruptionbudget"), ...): note the singular resource. */
function pdbForbidden(pdbName: string, why: string): ApiError {
  return ApiError.forbidden('poddisruptionbudget', pdbName, 'policy', why);
}

function isReady(pod: KObject): boolean {
  return (pod.status?.conditions ?? []).some((c: { type?: string; status?: string }) => c.type === 'Ready' && c.status === 'True');
}

/** canIgnorePDB: finished, not yet running, or already going. */
function canIgnorePdb(pod: KObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata.deletionTimestamp);
}

/** shouldEnforceResourceVersion: a Pending pod could become ready while we look away. */
function shouldEnforceResourceVersion(pod: KObject): boolean {
  const phase = pod.status?.phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp);
}

async function readEviction(ctx: RequestContext): Promise<{ name?: string; deleteOptions?: DeleteOptions }> {
  const body = await readBody(ctx.req);
  if (isProtobufBody(ctx.req.headers['content-type'])) {
    const env = decodeEnvelope(body);
    if (env.kind && env.kind !== 'Eviction') throw ApiError.badRequest(`expected Eviction, got ${env.kind}`);
    const ev = decodeEviction(env.raw);
    return { name: ev.metadata.name, deleteOptions: ev.deleteOptions };
  }
  const t = mediaType(ctx.req.headers['content-type']);
  if (t !== '' && t !== 'application/json' && t !== 'application/yaml') throw ApiError.unsupportedMediaType(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
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
    deleteOptions: isPlainObject(obj.deleteOptions) ? deleteOptionsFromJson(obj.deleteOptions) : undefined,
  };
}

/** propagateDryRun: the request's dryRun fills the eviction's; both set and different is an error (a 500). */
function propagateDryRun(options: DeleteOptions | undefined, fromUrl: string[]): DeleteOptions {
  if (!options) return fromUrl.length ? { dryRun: fromUrl } : {};
  if (!options.dryRun?.length) return fromUrl.length ? { ...options, dryRun: fromUrl } : options;
  if (!fromUrl.length) return options;
  if (fromUrl.join('\0') !== options.dryRun.join('\0')) {
    throw ApiError.internal(`Internal error occurred: Non-matching dry-run options in request and content: [${fromUrl.join(' ')}] and [${options.dryRun.join(' ')}]`);
  }
  return options;
}

/**
 * getPodDisruptionBudgets: the pod's namespace's PDBs whose selector matches. In policy/v1 an
 * empty selector (`{}`) matches every pod of the namespace; a missing one matches none; an
 * invalid one matches none.
 */
function matchingPdbs(store: Store, pod: KObject): KObject[] {
  return store.list('policy/poddisruptionbudgets', pod.metadata.namespace).items.filter((pdb) => {
    const sel = pdb.spec?.selector as LabelSelectorObject | undefined | null;
    if (!sel) return false;
    let reqs: LabelRequirement[];
    try {
      reqs = selectorRequirements(sel);
    } catch {
      return false;
    }
    return matchRequirements(reqs, pod.metadata.labels);
  });
}

/** podutil.UpdatePodCondition with DisruptionTarget, written as the status update eviction makes. */
function addDisruptionTarget(store: Store, pod: KObject, options: DeleteOptions, now: number): DeleteOptions {
  const uid = options.preconditions?.uid;
  if (uid && uid !== pod.metadata.uid) {
    throw ApiError.conflict('Pod', pod.metadata.name, '', `the UID in the precondition (${uid}) does not match the UID in record (${pod.metadata.uid}). The object might have been deleted and then recreated`);
  }
  const rv = options.preconditions?.resourceVersion;
  if (rv && rv !== pod.metadata.resourceVersion) {
    throw ApiError.conflict('Pod', pod.metadata.name, '', `the ResourceVersion in the precondition (${rv}) does not match the ResourceVersion in record (${pod.metadata.resourceVersion}). The object might have been modified`);
  }
  const next = structuredClone(pod);
  next.status ??= {};
  const conditions: Record<string, unknown>[] = next.status.conditions ?? [];
  const old = conditions.find((c) => c.type === 'DisruptionTarget');
  const condition = { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: old?.status === 'True' ? old.lastTransitionTime : rfc3339(now), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
  next.status.conditions = old ? conditions.map((c) => (c === old ? condition : c)) : [...conditions, condition];
  const written = store.update('pods', next);
  // We modified the pod: a resourceVersion precondition now names our write.
  return rv ? { ...options, preconditions: { ...options.preconditions, resourceVersion: written.metadata.resourceVersion } } : options;
}

/** addConditionAndDeletePod: the DisruptionTarget condition (not on dry runs), then the DELETE. */
function evict(ctx: RequestContext, pod: KObject, options: DeleteOptions, dryRun: boolean): void {
  const opts = dryRun ? options : addDisruptionTarget(ctx.store, pod, options, ctx.now());
  deleteObject(ctx.store, 'pods', pod.metadata.namespace, pod.metadata.name, opts, { now: ctx.now(), dryRun });
  sendJson(ctx.res, 201, successStatus(undefined, 201));
  if (!dryRun && pod.metadata.uid) ctx.evicted?.({ namespace: pod.metadata.namespace!, name: pod.metadata.name, uid: pod.metadata.uid, node: pod.spec?.nodeName ?? '' });
}

function withResourceVersion(options: DeleteOptions, rv: string | undefined): DeleteOptions {
  return { ...options, preconditions: { ...(options.preconditions ?? {}), resourceVersion: rv } };
}

/** checkAndDecrement: verify the budget allows a disruption and take it (in status.disruptedPods). */
function checkAndDecrement(ctx: RequestContext, pdb: KObject, podName: string, dryRun: boolean): void {
  const status = pdb.status ?? {};
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1)) throw stillProcessing(pdb.metadata.name);
  const allowed: number = status.disruptionsAllowed ?? 0;
  if (allowed < 0) throw pdbForbidden(pdb.metadata.name, 'pdb disruptions allowed is negative');
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
    throw pdbForbidden(pdb.metadata.name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (allowed === 0) {
    throw tooManyRequests(`The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`, 0);
  }
  if (dryRun) return;
  ctx.store.mutate('policy/poddisruptionbudgets', pdb.metadata.namespace, pdb.metadata.name, (cur) => {
    cur.status ??= {};
    cur.status.disruptionsAllowed = (cur.status.disruptionsAllowed ?? 0) - 1;
    cur.status.disruptedPods = { ...(cur.status.disruptedPods ?? {}), [podName]: rfc3339(ctx.now()) };
    if (cur.status.disruptionsAllowed === 0) {
      // pdbhelper.UpdateDisruptionAllowedCondition
      const conds: Record<string, unknown>[] = (cur.status.conditions ?? []).filter((c: { type?: string }) => c.type !== 'DisruptionAllowed');
      conds.push({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', lastTransitionTime: rfc3339(ctx.now()), observedGeneration: cur.metadata.generation });
      cur.status.conditions = conds;
    }
  });
}

/**
 * POST pods/{name}/eviction as eviction.go's EvictionREST.Create decides it: the Eviction must
 * name the URL's pod (400), dry-run from URL and body must agree, pods that can ignore budgets go
 * at once, more than one matching PDB is a bare 500 Status, an unready pod may go while the budget
 * is healthy (or always, with unhealthyPodEvictionPolicy AlwaysAllow), else the budget is checked
 * and decremented. Every accepted eviction marks the pod DisruptionTarget before deleting it.
 */
export async function handleEviction(ctx: RequestContext): Promise<void> {
  const { store, route } = ctx;
  const name = route.name!;
  const ev = await readEviction(ctx);
  if (ev.name !== name) throw ApiError.badRequest('name in URL does not match name in Eviction object');
  const urlDryRun = ctx.url.searchParams.getAll('dryRun');
  dryRunOf(urlDryRun);
  const options = propagateDryRun(ev.deleteOptions, urlDryRun);
  const dryRun = dryRunOf(options.dryRun ?? []);
  const rvUnset = !options.preconditions?.resourceVersion;
  const pod = store.mustGet('pods', route.namespace, name);

  if (canIgnorePdb(pod)) {
    const opts = shouldEnforceResourceVersion(pod) && rvUnset ? withResourceVersion(options, pod.metadata.resourceVersion) : options;
    return evict(ctx, pod, opts, dryRun);
  }
  const pdbs = matchingPdbs(store, pod);
  if (pdbs.length > 1) {
    sendJson(ctx.res, 500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 });
    return;
  }
  if (pdbs.length === 0) return evict(ctx, pod, options, dryRun);
  const pdb = pdbs[0];
  if (!isReady(pod)) {
    const status = pdb.status ?? {};
    const alwaysAllow = pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow';
    const healthyBudget = (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0) && (status.desiredHealthy ?? 0) > 0;
    if (alwaysAllow || healthyBudget) {
      // Deleted only if it is still the unready pod we looked at; if it turned ready, retry.
      try {
        return evict(ctx, pod, rvUnset ? withResourceVersion(options, pod.metadata.resourceVersion) : options, dryRun);
      } catch (err) {
        if (err instanceof ApiError && err.code === 409 && rvUnset) throw stillProcessing(pdb.metadata.name);
        throw err;
      }
    }
  }
  checkAndDecrement(ctx, pdb, name, dryRun);
  evict(ctx, pod, options, dryRun);
}
