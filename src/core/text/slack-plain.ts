import { showControls } from './controls.js';
import { redactText } from './redact.js';

/**
 * Text for a Slack `plain_text` field (a header, a button, a file title). Slack never parses
 * plain_text for mentions or links, so nothing is escaped (an `&` shows as `&`); secrets are
 * hidden and control and bidi-override characters shown as escapes, as in every output.
 */
export function cleanPlainText(text: string): string {
  return showControls(redactText(text));
}
