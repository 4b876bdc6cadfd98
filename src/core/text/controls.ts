/**
 * Control and bidirectional-override characters made visible. A NUL in a note, or a U+202E
 * (right-to-left override) that makes `gpj.exe` read as `exe.jpg`, would otherwise be stored,
 * exported and shown as if it were text; replaced by the escape a programmer would write
 * (`\u202E`), they are seen for what they are and cannot reorder or hide anything.
 *
 * Tab, line feed and carriage return stay: they are layout, and every output escapes them its own
 * way. Everything else (letters of every script, emoji and their joiners) is kept as typed.
 */

/**
 * C0 controls but tab, LF and CR; DEL; C1 controls; the bidi embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069); the implicit direction marks (U+200E, U+200F, U+061C); the line
 * and paragraph separators (U+2028, U+2029), which end a line in JavaScript and JSON-in-JS but
 * not in the text around them.
 */
const HIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/g;
const ANY_HIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/;

/** `\u` and four upper-case hex digits, e.g. `\u202E`. */
function visible(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The text with every control and bidi-control character replaced by its visible escape. Idempotent. */
export function showControls(text: string): string {
  return ANY_HIDDEN.test(text) ? text.replace(HIDDEN, visible) : text;
}
