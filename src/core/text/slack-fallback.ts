import { escapeMrkdwn } from './mrkdwn.js';

/**
 * The top-level `text` of a message that has blocks: what notifications, the channel list and
 * screen readers show. Slack still parses it (a `<!channel>` there pings everyone), so text from
 * a person or a cluster is escaped exactly as in mrkdwn, and kept to one line. The one escaping
 * function for fallback text; sitrep's own words and mentions are written around it.
 */
export function escapeFallback(text: string): string {
  return escapeMrkdwn(/[\r\n]/.test(text) ? text.replace(/\s*[\r\n]+\s*/g, ' ') : text);
}
