import { redactValue } from './redact.js';

/** Markup characters, and the control and bidi-override characters JSON.stringify leaves raw. */
const UNSAFE = /[<>&\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/g;

/**
 * JSON for files sitrep uploads (a postmortem, backups): the values as data, secrets redacted
 * (redact.ts), and `<`, `>`, `&` and the control and bidi-override characters written as
 * `\u003c`-style escapes. A parser reads back exactly the same strings; the bytes hold no
 * `<!channel>`, no `<https://…|…>` and no right-to-left override that a file preview, a paste into
 * Slack or an HTML page could bring to life. The one escaping function for JSON output.
 */
export function toSafeJson(value: unknown, space?: number): string {
  return JSON.stringify(redactValue(value), null, space).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
