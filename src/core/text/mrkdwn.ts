import { showControls } from './controls.js';
import { redactText } from './redact.js';

/**
 * Slack mrkdwn for text sitrep did not write itself (what people typed, what a cluster reported):
 * the one escaping function for every mrkdwn field of a message, and for the `text` of a message
 * that has no blocks (which Slack renders as mrkdwn).
 *
 * `&`, `<` and `>` are Slack's control characters: escaped, a quoted `<!channel>` pings no one, a
 * quoted `<@U1>` mentions no one and a quoted `<https://evil|https://good>` is not a link. Every
 * character is escaped, Slack's own tokens included: a mention or link sitrep means to send is
 * written by the renderer around the escaped text, never taken from it. Control and bidi-override
 * characters are shown as escapes (controls.ts), and secrets are hidden (redact.ts): whatever a
 * renderer is handed, no token reaches Slack.
 * (https://api.slack.com/reference/surfaces/formatting#escaping)
 */
export function escapeMrkdwn(text: string): string {
  return showControls(redactText(text)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Text from the cluster (pod logs, events, describe output) shown in Slack as a code block.
 * Escaped as above, and with triple backticks broken so the text cannot close the block and
 * format the rest of the message.
 */
export function codeBlock(text: string): string {
  return '```\n' + escapeMrkdwn(text).replace(/```/g, '`\u200b`\u200b`') + '\n```';
}
