/**
 * GitHub-flavoured Markdown helpers for the postmortem file. Table cells are the fragile part:
 * a `|` splits the cell and a newline ends the table, so both are neutralised.
 */

const NEEDS_CELL_ESCAPE = /[|\r\n]|^\s|\s$/;

/**
 * Plain text as CommonMark text, not markup: `*`, `_` at a word's edge, `[`, `]`, `<`, `>`, backticks and
 * backslashes are backslash-escaped (any ASCII punctuation may be, CommonMark 2.4), and `&` only
 * where it would start an entity (`&copy;`), so "bob & co" stays "bob & co".
 */
export function mdText(text: string): string {
  return text
    .replace(/[\\`*[\]<>]/g, '\\$&')
    // An underscore inside a word (America/New_York, node_exporter) never emphasises: left as is.
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&');
}

/** One table cell's content: pipes escaped, line breaks as `<br>`, never empty. */
export function escapeCell(text: string): string {
  // Fast path: a postmortem has thousands of cells and most need nothing.
  if (!NEEDS_CELL_ESCAPE.test(text)) return text === '' ? ' ' : text;
  const out = text.trim().replace(/\||\r\n|\r|\n/g, (m) => (m === '|' ? '\\|' : '<br>'));
  return out === '' ? ' ' : out;
}

/** Text inline in a paragraph or list item: one line, so a pasted newline cannot end the list. */
export function inline(text: string): string {
  if (!text.includes('\n') && !text.includes('\r')) return text.trim();
  return text.replace(/\s*(\r\n|\r|\n)\s*/g, ' ').trim();
}

/** A code span that survives backticks inside the text (CommonMark: use a longer fence). */
export function codeSpan(text: string): string {
  const one = inline(text);
  if (!one.includes('`')) return `\`${one}\``;
  let longest = 0;
  for (const m of one.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  const pad = one.startsWith('`') || one.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${one}${pad}${fence}`;
}
