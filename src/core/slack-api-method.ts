/**
 * The Web API method a Slack URL calls (`…/api/chat.postMessage` → `chat.postMessage`), or
 * undefined for any other Slack URL (a file upload, a response_url). The bot's metrics label calls
 * by it, and the reply retry leaves Web API calls to @slack/web-api's own retries.
 */
export function slackApiMethod(url: string | URL): string | undefined {
  const path = (typeof url === 'string' ? new URL(url, 'http://localhost') : url).pathname;
  return /\/api\/([a-z]+(?:\.[a-zA-Z0-9_]+)+)\/?$/.exec(path)?.[1];
}
