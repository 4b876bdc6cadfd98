import { createHmac } from 'node:crypto';

/** The two headers Slack signs every request to an app with. */
export interface SlackSignatureHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

/**
 * Signs a request body as Slack does (signing secret v0): HMAC-SHA256 over
 * `v0:<timestamp>:<raw body>`, hex, prefixed `v0=`. The body must be the exact bytes sent.
 */
export function signSlackRequest(signingSecret: string, body: string, timestamp: number = Math.floor(Date.now() / 1000)): SlackSignatureHeaders {
  const ts = String(Math.floor(timestamp));
  const digest = createHmac('sha256', signingSecret).update(`v0:${ts}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': ts };
}
