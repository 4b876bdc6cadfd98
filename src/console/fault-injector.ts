/**
 * Failures a test can ask the stand-in to produce, the ways Slack produces them:
 * - `{ status: 429, retryAfter }` — HTTP 429 with `Retry-After` (seconds), body `ratelimited`;
 *   @slack/web-api waits that long and retries.
 * - `{ error }` — HTTP 200 with `{ ok: false, error }`, e.g. `ratelimited`, `channel_not_found`;
 *   the SDK throws a platform error and does not retry.
 * - `{ status }` — any other HTTP status (500, 503…), which the SDK throws as an HTTP error.
 * - `{ hang: true }` — the request is read and never answered, as behind a network partition that
 *   drops packets: only the client's own timeout ends the call (the stand-in's close() does too).
 */
export type Fault =
  | { status: 429; retryAfter: number }
  | { error: string; extra?: Record<string, unknown> }
  | { status: number; body?: string }
  | { hang: true };

interface Pending {
  fault: Fault;
  remaining: number;
}

/** Match every method (and the upload and response_url endpoints). */
export const AnyMethod = '*';

export class FaultInjector {
  private readonly pending = new Map<string, Pending[]>();
  /** Added before every answer, to show what the bot does when Slack is slow. @defaultValue 0 */
  latencyMs = 0;

  /** The next `times` calls of `method` (or `'*'`) fail with `fault`; queued faults run in order. */
  failNext(method: string, fault: Fault, times = 1): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`failNext: times must be a positive integer, got ${times}`);
    const queue = this.pending.get(method) ?? [];
    queue.push({ fault, remaining: times });
    this.pending.set(method, queue);
  }

  /** The fault this call of `method` must produce, if any (consumes it). */
  take(method: string): Fault | undefined {
    for (const key of [method, AnyMethod]) {
      const queue = this.pending.get(key);
      const head = queue?.[0];
      if (!queue || !head) continue;
      head.remaining -= 1;
      if (head.remaining === 0) queue.shift();
      return head.fault;
    }
    return undefined;
  }

  clear(): void {
    this.pending.clear();
    this.latencyMs = 0;
  }
}
