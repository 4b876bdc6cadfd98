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
  /** Elements in a context block. */
  contextElements: 10,
} as const;

/** Cuts text to `max` characters, ending with `note` (an ellipsis by default) when it cut. */
export function truncate(text: string, max: number, note = '…'): string {
  if (text.length <= max) return text;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}
