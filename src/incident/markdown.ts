/**
 * GitHub-flavoured Markdown helpers for the postmortem file, built on the one Markdown escaper
 * (src/core/text/markdown.ts): quoted text is shown as typed and never becomes structure, HTML,
 * a link or a Slack token. Table cells are the fragile part: a `|` splits the cell and a newline
 * ends the table, so both are neutralised.
 */
import { showControls } from '../core/text/controls.js';
import { escapeMarkdown } from '../core/text/markdown.js';
import { redactText } from '../core/text/redact.js';

const LINE_BREAK = /\s*(?:\r\n|\r|\n)\s*/g;

/** One table cell's content: escaped, line breaks as `<br>`, never empty. */
export function escapeCell(text: string): string {
  // Fast path: a postmortem has thousands of cells and most are one line.
  const out = /[\r\n]|^\s|\s$/.test(text) ? text.trim().split(LINE_BREAK).map(escapeMarkdown).join('<br>') : escapeMarkdown(text);
  return out === '' ? ' ' : out;
}

/** Text inline in a paragraph or list item: escaped, one line, so a pasted newline cannot end the list. */
export function inline(text: string): string {
  const one = !text.includes('\n') && !text.includes('\r') ? text.trim() : text.replace(LINE_BREAK, ' ').trim();
  return escapeMarkdown(one);
}

/**
 * sitrep's own sentence that quotes commands in backticks (review prompts: "1 action completed:
 * `/k8s drain node02`"): the backtick spans stay code, everything around them is escaped.
 */
export function inlineWithCode(text: string): string {
  const one = text.replace(LINE_BREAK, ' ').trim();
  return one
    .split(/(`[^`]+`)/)
    .map((part) => (part.length > 2 && part.startsWith('`') && part.endsWith('`') ? codeSpan(part.slice(1, -1)) : escapeMarkdown(part)))
    .join('');
}

/** Text that may run over several lines (a summary): escaped line by line. */
export function paragraph(text: string): string {
  return escapeMarkdown(text.trim());
}

/**
 * A code span that survives backticks inside the text (CommonMark: use a longer fence). Text with
 * `<`, `>` or `&` is written as escaped text instead: nothing can be escaped inside a code span,
 * and the file must not carry a raw `<!channel>` even where a renderer would show it as code.
 */
export function codeSpan(text: string): string {
  if (/[<>&]/.test(text)) return inline(text);
  const one = showControls(redactText(text.replace(LINE_BREAK, ' ').trim()));
  if (!one.includes('`')) return `\`${one}\``;
  let longest = 0;
  for (const m of one.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  const pad = one.startsWith('`') || one.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${one}${pad}${fence}`;
}
