import { hideAddresses } from '../core/text/addresses.js';
import { ApiException } from '@kubernetes/client-node';
import { ErrorCode, JobError, UnavailableError } from '../core/errors.js';
import { connectionFailure } from './transient-failure.js';

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

function isNetworkError(err: unknown): boolean {
  if (connectionFailure(err)) return true;
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Error && /fetch failed|network/i.test(e.message)) return true;
  }
  return false;
}

/**
 * Why the API server could not be asked, in words for a person and without its address, when
 * that is what went wrong: "no answer from the API server (ECONNRESET)", "the API server answered
 * 503 (apiserver is shutting down)". Undefined for every other failure.
 */
export function unavailableReason(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const status = kubeStatusOf(e);
    if (!status) continue;
    if (![429, 502, 503, 504].includes(status.code)) return undefined;
    const said = status.message?.trim().split('\n')[0];
    return `the API server answered ${status.code}${said && said.length <= 80 && !/\/\//.test(said) ? ` (${said})` : ''}`;
  }
  const code = connectionFailure(err);
  if (!code && !isNetworkError(err)) return undefined;
  const how = code ? CONNECTION_WORDS.find(([re]) => re.test(code))?.[1] : undefined;
  return `no answer from the API server${how ? ` (${how})` : ''}`;
}

/** Connection failure codes in words (the codes themselves go to the logs). */
const CONNECTION_WORDS: [RegExp, string][] = [
  [/REFUSED/, 'connection refused'],
  [/RESET|PIPE|ABORTED/, 'connection reset'],
  [/SOCKET|CLOSED|hang up|other side|EOF/, 'connection closed'],
  [/TIMEOUT|TIMEDOUT/, 'timed out'],
  [/ENOTFOUND|EAI_AGAIN/, 'its name does not resolve'],
  [/UNREACH/, 'unreachable'],
  [/CERT|SIGNED|SIGNATURE/, 'its certificate was refused'],
];

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
  // An unexpected error's text may name the API server's URL and address: people get the path only.
  return new JobError(ErrorCode.KubernetesApi, `Failed while ${doing}: ${hideAddresses((err as Error)?.message ?? String(err))}`, { cause: err });
}
