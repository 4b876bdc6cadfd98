/**
 * Exponential backoff with jitter, as `wait.Backoff` of k8s.io/apimachinery/pkg/util/wait
 * (backoff.go): each wait is the previous one times `factor`, held at `capMs`, then lengthened by
 * up to `jitter` of itself at random (`wait.Jitter`), so clients that failed together do not
 * all come back in the same millisecond.
 */
export interface BackoffPolicy {
  /** First wait, ms. */
  initialMs: number;
  /** Each wait is the previous one times this. */
  factor: number;
  /** A wait is lengthened by up to this fraction of itself, at random (0: never). */
  jitter: number;
  /** Longest wait before jitter, ms (so the longest wait is `capMs * (1 + jitter)`). */
  capMs: number;
}


/**
 * How long to wait before retry number `retry` (0 for the first), ms.
 * @param random a number in [0, 1), `Math.random` by default (tests pass a fixed one)
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number = Math.random): number {
  const base = Math.min(policy.capMs, policy.initialMs * policy.factor ** retry);
  return Math.round(base * (1 + policy.jitter * random()));
}
