import { slackApiMethod } from '../core/slack-api-method.js';
import { SlackOutcome, type SlackCall } from './metrics.js';

type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** The Web API method of a Slack URL (`…/api/chat.postMessage`), or `other` (file uploads, response URLs). */
export function slackMethodOf(url: string | URL): string {
  return slackApiMethod(url) ?? 'other';
}

/**
 * A `fetch` for the bot's Slack WebClient (Bolt's `clientOptions.fetch`) that reports each HTTP
 * request: @slack/web-api binds every method to `apiCall` when the client is built, so wrapping
 * methods afterwards misses calls; its fetch is the one place every request passes, retries and
 * 429s included. The response body is read from a clone, so the SDK still gets the original.
 */
export function countingFetch(observe: (call: SlackCall) => void, inner: Fetch = globalThis.fetch): Fetch {
  return async (url, init) => {
    const method = slackMethodOf(url);
    let response: Response;
    try {
      response = await inner(url, init);
    } catch (err) {
      observe({ method, outcome: SlackOutcome.NetworkError });
      throw err;
    }
    if (response.status === 429) observe({ method, outcome: SlackOutcome.RateLimited });
    else if (response.status !== 200) observe({ method, outcome: SlackOutcome.HttpError });
    else if (method === 'other' || !(response.headers.get('content-type') ?? '').includes('json')) observe({ method, outcome: SlackOutcome.Ok });
    else {
      const body = (await response.clone().json().catch(() => undefined)) as { ok?: unknown } | undefined;
      observe({ method, outcome: body?.ok === false ? SlackOutcome.SlackError : SlackOutcome.Ok });
    }
    return response;
  };
}
