import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * Slack's signing rule, both ways: a request whose `X-Slack-Request-Timestamp` is more than five
 * minutes from now, in the past or in the future, is refused before anything reads it
 * (https://api.slack.com/authentication/verifying-requests-from-slack). Bolt refuses only the
 * past; a captured request dated an hour ahead would otherwise stay valid for an hour.
 */
export const MAX_SKEW_SECONDS = 5 * 60;

/** Whether a request's Slack timestamp header is outside the window; requests without one pass through. */
export function outsideSigningWindow(req: Pick<IncomingMessage, 'headers'>, nowMs: number = Date.now()): boolean {
  const raw = req.headers['x-slack-request-timestamp'];
  if (raw === undefined || Array.isArray(raw)) return false;
  const ts = Number(raw);
  return !Number.isFinite(ts) || Math.abs(nowMs / 1000 - ts) > MAX_SKEW_SECONDS;
}

/** Wraps a receiver's request listener with the two-way window; refused requests get 401 and are logged. */
export function withSigningWindow(listener: RequestListener, onRefused: (req: IncomingMessage) => void): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (outsideSigningWindow(req)) {
      onRefused(req);
      res.writeHead(401).end();
      return;
    }
    listener(req, res);
  };
}
