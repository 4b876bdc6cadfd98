import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type BackoffPolicy } from '../core/backoff.js';
import { slackApiMethod } from '../core/slack-api-method.js';

type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * How replies to a response_url are retried: as @slack/web-api retries Web API calls (the bot's
 * `retryConfig`: 200 ms doubling to 5 s), 4 times, so a reply survives a Slack storm of ~10 s.
 */
export const RESPOND_RETRY_BACKOFF: BackoffPolicy = { initialMs: 200, factor: 2, jitter: 0.5, capMs: 5000 };
export const RESPOND_RETRIES = 4;
/** The longest `Retry-After` honoured before a retry, ms: the person is waiting for this reply. */
const RETRY_AFTER_CAP_MS = 10_000;

/** Whether a Slack answer is worth asking again: rate limited, or the server failed (5xx). */
function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * The `fetch` Bolt's `respond()` uses (its App's `clientOptions.fetch`): a POST to a response_url
 * answered 429 or 5xx, or not answered at all, is sent again, after the `Retry-After` seconds on a
 * 429 (at most 10 s) or the backoff above, up to RESPOND_RETRIES times. Bolt's own respond sends
 * once and throws on any failure (`RespondError`), so in a Slack storm the person who clicked or
 * typed heard nothing, not even "your click was not counted". Anything else (Web API calls, which
 * @slack/web-api retries itself) passes through untouched. The last failure is what Bolt sees.
 *
 * @param inner the fetch below (the bot's counting fetch, or the global one)
 * @param options.sleep how to wait, ms (tests make it instant)
 */
export function respondRetryingFetch(inner: Fetch = globalThis.fetch, options: { sleep?: (ms: number) => Promise<unknown> } = {}): Fetch {
  const wait = options.sleep ?? sleep;
  return async (url, init) => {
    // Web API calls are retried by @slack/web-api itself.
    if ((init?.method ?? 'GET').toUpperCase() !== 'POST' || slackApiMethod(url) !== undefined) return inner(url, init);
    for (let retry = 0; ; retry++) {
      let response: Response;
      try {
        response = await inner(url, init);
      } catch (err) {
        if (retry >= RESPOND_RETRIES) throw err;
        await wait(backoffDelay(RESPOND_RETRY_BACKOFF, retry));
        continue;
      }
      if (!retryable(response.status) || retry >= RESPOND_RETRIES) return response;
      const after = Number(response.headers.get('retry-after'));
      await response.body?.cancel().catch(() => {});
      await wait(response.status === 429 && Number.isFinite(after) && after >= 0 ? Math.min(after * 1000, RETRY_AFTER_CAP_MS) : backoffDelay(RESPOND_RETRY_BACKOFF, retry));
    }
  };
}

type Respond = (message: object) => Promise<unknown>;

/**
 * Bolt's `respond`, made to settle: a private reply Slack still refused after every send above
 * (or an expired response_url) is logged once, without a stack, and not thrown. Every reply is
 * the last thing a handler does, after the work was done; thrown, it reached the handler's
 * "command failed" path, which logged a bug with its stack and sent a second round of 5 sends
 * telling the person ":x: Internal error: Failed to respond to the response_url" about a
 * command or click that had in fact worked.
 */
export function settledRespond(respond: Respond, logger: { warn: (obj: object, msg: string) => void }, context: object = {}): Respond {
  return (message) =>
    respond(message).catch((err: unknown) => {
      const status = (err as { statusCode?: unknown }).statusCode;
      logger.warn({ ...context, ...(typeof status === 'number' ? { status } : {}), reason: err instanceof Error ? err.message : String(err) }, 'could not tell the user: Slack did not take the private reply');
      return undefined;
    });
}
