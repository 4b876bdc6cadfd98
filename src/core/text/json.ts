import { redactValue } from './redact.js';

const UNSAFE = /[<>&\u2028\u2029]/g;

/**
 * JSON for files sitrep uploads (a postmortem, backups): the values as data, secrets redacted
 * (redact.ts), and `<`, `>`, `&`, U+2028 and U+2029 written as `\u003c`-style escapes. A parser
 * reads back exactly the same strings; the bytes hold no `<!channel>` or `<https://…|…>` that a
 * file preview, a paste into Slack or an HTML page could bring to life. The one escaping function
 * for JSON output.
 */
export function toSafeJson(value: unknown, space?: number): string {
  return JSON.stringify(redactValue(value), null, space).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
