import { showControls } from './controls.js';
import { redactText } from './redact.js';

/** `_` inside a word (`New_York`, `DB_PASSWORD`) cannot start or end emphasis, so it stays as typed. */
const INLINE = /[&<>\\`*[\]|]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu;
const INLINE_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/** Indentation after a line break (an indented code block); the first line's is the caller's to trim. */
const INDENT = /(?<=\n)[ \t]+/g;
/** A lone `~` is prose ("~40s"); two in one text could strike through what is between them. */
const TILDES = /~/g;
/** A block marker at the start of any line (indentation already dropped). */
const LINE_START = /^(?:[#=+-]|\d{1,9}[.)])/gm;
// One test for the common case: most text needs nothing (a 10,000-row postmortem escapes every cell).
const NEEDS_ESCAPE = /[&<>\\`*_~[\]|\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]|^[ \t]*(?:[#=+-]|\d{1,9}[.)])|\n[ \t]/m;

/**
 * Markdown (CommonMark and GitHub's tables) for text sitrep did not write itself, in files it
 * uploads (the postmortem). The one escaping function for Markdown output: quoted text renders as
 * the characters that were typed and never as structure.
 *
 * - `&`, `<`, `>` become entities: no HTML, no `<https://…>` autolinks, and a Slack token such as
 *   `<!channel>` or `<https://evil|https://good>` is neither live in Slack (if the file is pasted
 *   back) nor hidden as an HTML tag by a renderer.
 * - `\`, `` ` ``, `*`, `[`, `]`, `|` are backslash-escaped, `_` where it could start or end
 *   emphasis (not inside a word), and `~` wherever there are two:
 *   no emphasis, strike-through, code spans or fences, no `[text](target)` links or images, no
 *   table cells split.
 * - At the start of a line, `#`, `-`, `+`, `=` and `1.`/`1)` are escaped, and indentation after
 *   a line break is dropped: no headings, lists, setext underlines or indented code blocks.
 * - Control and bidi-override characters are shown as escapes (controls.ts), and secrets are
 *   hidden (redact.ts).
 */
export function escapeMarkdown(text: string): string {
  const clean = redactText(text);
  if (!NEEDS_ESCAPE.test(clean)) return clean;
  return showControls(clean)
    .replace(INLINE, (c: string) => INLINE_ESCAPES[c] ?? `\\${c}`)
    .replace(INDENT, '')
    .replace(LINE_START, (mark: string) => `${mark.slice(0, -1)}\\${mark.slice(-1)}`)
    .replace(TILDES, (t) => (clean.indexOf('~') !== clean.lastIndexOf('~') ? `\\${t}` : t));
}
