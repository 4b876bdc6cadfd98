/** Slack's hard limits that a message must stay within, or the API refuses it. */
export const SlackLimits = {
  /** Blocks in one message. */
  blocks: 50,
  /** Characters in a section's text. */
  sectionText: 3000,
  /** Characters in a header's text. */
  headerText: 150,
  /** Characters of `text` in chat.postMessage. */
  messageText: 40_000,
  /**
   * Characters of text across all blocks of one message. Slack documents no number, but refuses
   * larger messages with `msg_blocks_too_long`: measured between 13,172 and 13,297 characters
   * depending on the blocks (slackapi/bolt-js#2509). The local Slack stand-in refuses past this
   * rounder, lower figure, and sitrep keeps well under it (`messageBudget`).
   */
  messageBlocksText: 12_000,
  /** What sitrep lets one message's blocks hold, leaving room under `messageBlocksText`. */
  messageBudget: 10_000,
  /** Elements in a context block. */
  contextElements: 10,
} as const;

/** Cuts text to `max` characters, ending with `note` (an ellipsis by default) when it cut. */
export function truncate(text: string, max: number, note = '…'): string {
  if (text.length <= max) return text;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}

/**
 * Cuts Slack mrkdwn to `max` characters without breaking it: never inside an `&amp;`-style
 * escape, and a code block left open by the cut is closed, so the text after it is not
 * swallowed into it. Ends with `note` when it cut.
 */
export function truncateMrkdwn(text: string, max: number, note = '…'): string {
  if (text.length <= max) return text;
  const fence = '\n```';
  let cut = text.slice(0, Math.max(0, max - note.length - fence.length));
  cut = cut.replace(/&[a-z]{0,4}$/, '');
  const open = (cut.match(/```/g)?.length ?? 0) % 2 === 1;
  return open ? `${cut}${note}${fence}` : `${cut}${note}`;
}

/** What was left out when text was fitted into a message. */
export interface Fitted {
  /** The lines that fit, each at most `maxLineChars` long (longer ones end with `…`). */
  lines: string[];
  totalLines: number;
  /** Lines not shown at all. */
  omittedLines: number;
  /** Lines shown, but cut short. */
  shortenedLines: number;
}

/**
 * As many lines of `content` as fit in `maxChars` (measured by `measure`, e.g. the escaped length
 * of each line), from the start (`head`) or the end (`tail`, for logs), each cut to `maxLineChars`,
 * at most `maxLines` of them.
 * Says what it left out, so the caller can say so and upload the whole.
 */
export function fitLines(content: string, options: { maxChars: number; maxLineChars: number; keep: 'head' | 'tail'; maxLines?: number; measure?: (line: string) => number }): Fitted {
  const all = content.replace(/\r\n/g, '\n').split('\n');
  if (all.length > 1 && all[all.length - 1] === '') all.pop();
  const measure = options.measure ?? ((l: string) => l.length);
  const order = options.keep === 'tail' ? [...all.keys()].reverse() : [...all.keys()];
  const picked: { at: number; line: string }[] = [];
  let used = 0;
  let shortened = 0;
  for (const at of order) {
    if (picked.length >= (options.maxLines ?? Number.POSITIVE_INFINITY)) break;
    const whole = all[at]!;
    const line = truncate(whole, options.maxLineChars);
    const size = measure(line) + 1;
    if (used + size > options.maxChars) break;
    used += size;
    if (line !== whole) shortened += 1;
    picked.push({ at, line });
  }
  if (options.keep === 'tail') picked.reverse();
  return { lines: picked.map((p) => p.line), totalLines: all.length, omittedLines: all.length - picked.length, shortenedLines: shortened };
}
