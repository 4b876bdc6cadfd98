/**
 * Which failures of a Kubernetes API call are worth asking again, following client-go
 * (staging/src/k8s.io/client-go/rest/request.go and with_retry.go): no answer at all because the
 * connection was reset, refused, closed early (EOF, "socket hang up") or timed out; and answers
 * that say "later": 429 and 5xx carrying `Retry-After` (checkWait), as max-in-flight, priority
 * and fairness and a stopping apiserver send them. Two differences, both on purpose:
 * - client-go retries a failed connection for GETs only, since a write may not be idempotent;
 *   every write sitrep makes is (an Eviction or DELETE pinned to the pod's UID, patches to
 *   absolute values: DESIGN.md invariant 4), so any verb is retried;
 * - 502, 503 and 504 are retried without `Retry-After` too: a proxy or load balancer in front of
 *   the apiserver sends them bare, and they mean "not now" whoever sends them.
 * Not retried: every other answer, a 500 without `Retry-After` (the eviction subresource's "more
 * than one PodDisruptionBudget" is one), a 429 without it, and above all an Eviction's 429 from a
 * PodDisruptionBudget: that is the budget saying no, which the drain waits out (evict.ts).
 */

/** Connection failures that mean "no answer now", by the code Node or undici gives them. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // undici: "other side closed" (the EOF of client-go's IsProbableEOF), and its timeouts.
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Also failures, but not ones that pass by themselves (a name that does not resolve, a bad certificate). */
const LASTING_CODES = new Set(['ENOTFOUND', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'SELF_SIGNED_CERT_IN_CHAIN']);

const TRANSIENT_TEXT = /socket hang up|other side closed|ECONNRESET|ECONNREFUSED|ETIMEDOUT|\bEOF\b/;

/**
 * The code of a connection-level failure (no HTTP answer came), searching the error's causes:
 * `ECONNRESET`, `UND_ERR_SOCKET`, `ENOTFOUND`, …; undefined for anything else (an HTTP error
 * answer, a bug, the caller's own abort).
 */
export function connectionFailure(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || LASTING_CODES.has(code))) return code;
    const message = e instanceof Error ? e.message : '';
    const text = TRANSIENT_TEXT.exec(message);
    if (text) return text[0];
  }
  return undefined;
}

/** Whether a connection-level failure may pass by itself (retry it). */
export function isTransientConnectionFailure(err: unknown): boolean {
  const code = connectionFailure(err);
  return code !== undefined && !LASTING_CODES.has(code);
}

/** One attempt's outcome, as the retry layer saw it. */
export type AttemptOutcome =
  | { error: unknown }
  | {
      status: number;
      /** The `Retry-After` header, if any. */
      retryAfter?: string;
      /** The answer's body (read only for 429 and 5xx). */
      body?: string;
    };

/** Whether to ask again, and when; `reason` names the failure for the log. */
export type RetryVerdict = { retry: false } | { retry: true; reason: string; afterMs?: number };

/** `Retry-After` in seconds, as client-go reads it (retryAfterSeconds: an integer, else absent). */
function retryAfterMs(header: string | undefined): number | undefined {
  if (header === undefined || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header) * 1000;
}

/** An Eviction refused by a PodDisruptionBudget: a Status whose causes include `DisruptionBudget`. */
function isBudgetRefusal(body: string | undefined): boolean {
  if (!body) return false;
  try {
    const status = JSON.parse(body) as { details?: { causes?: { reason?: string }[] } };
    return (status.details?.causes ?? []).some((c) => c.reason === 'DisruptionBudget');
  } catch {
    return false;
  }
}

/**
 * Whether a call should be made again after this outcome (see the file comment for the rules).
 * @param path the request's URL path (`/api/v1/namespaces/shop/pods/web-1/eviction`)
 */
export function retryVerdict(path: string, outcome: AttemptOutcome): RetryVerdict {
  if ('error' in outcome) {
    const code = connectionFailure(outcome.error);
    return code !== undefined && isTransientConnectionFailure(outcome.error) ? { retry: true, reason: code } : { retry: false };
  }
  const { status } = outcome;
  const after = retryAfterMs(outcome.retryAfter);
  if (status === 429) {
    if (/\/eviction$/.test(path) && isBudgetRefusal(outcome.body)) return { retry: false };
    return after === undefined ? { retry: false } : { retry: true, reason: 'HTTP 429', afterMs: after };
  }
  if (status === 502 || status === 503 || status === 504) return { retry: true, reason: `HTTP ${status}`, ...(after !== undefined ? { afterMs: after } : {}) };
  if (status >= 500 && after !== undefined) return { retry: true, reason: `HTTP ${status}`, afterMs: after };
  return { retry: false };
}
