import { ApiException } from '@kubernetes/client-node';
import { ErrorCode, JobError, UnavailableError } from '../core/errors.js';

/** The Kubernetes Status a failed call carried, when it carried one. */
export interface KubeStatus {
  code: number;
  reason?: string;
  message?: string;
  details?: { name?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}

/** HTTP status of a client-node failure, or undefined for network errors. */
export function statusCodeOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** The decoded Status body of a client-node ApiException (its body is the response text, a JSON string). */
export function kubeStatusOf(err: unknown): KubeStatus | undefined {
  if (!(err instanceof ApiException)) return undefined;
  let body: unknown = err.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return { code: err.code, message: body as string };
    }
  }
  if (body && typeof body === 'object') return { code: err.code, ...(body as Omit<KubeStatus, 'code'>) };
  return { code: err.code };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', 'UND_ERR_SOCKET']);

function isNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (e instanceof Error && /ECONNREFUSED|socket hang up|ETIMEDOUT|fetch failed|network/i.test(e.message)) return true;
  }
  return false;
}

/**
 * Turns a client-node failure into an error a person can act on: the cluster being unreachable
 * is said plainly, API refusals keep the API server's own message (it names the object).
 */
export function toSitrepError(err: unknown, cluster: string, doing: string): Error {
  if (err instanceof JobError || err instanceof UnavailableError) return err;
  const status = kubeStatusOf(err);
  if (status) {
    const msg = status.message ?? `HTTP ${status.code}`;
    if (status.code === 404) return new JobError(ErrorCode.NotFound, `Not found while ${doing}: ${msg}`, { cause: err });
    if (status.code === 409) return new JobError(ErrorCode.Conflict, `Conflict while ${doing}: ${msg}`, { cause: err });
    if (status.code === 401 || status.code === 403) {
      return new JobError(ErrorCode.KubernetesApi, `Kubernetes refused ${doing} (${status.code} ${status.reason ?? ''}): ${msg}`, {
        cause: err,
        hint: "Check the worker's RBAC (deploy/kubernetes/rbac.yaml) grants this verb.",
      });
    }
    return new JobError(ErrorCode.KubernetesApi, `Kubernetes API error while ${doing} (${status.code}${status.reason ? ` ${status.reason}` : ''}): ${msg}`, { cause: err });
  }
  if (isNetworkError(err)) {
    return new UnavailableError(ErrorCode.ClusterUnavailable, `Cluster ${cluster} is unreachable (${doing}).`, {
      cause: err,
      hint: 'Check the API server and the worker\'s network; nothing was changed by this step.',
    });
  }
  return new JobError(ErrorCode.KubernetesApi, `Failed while ${doing}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}
