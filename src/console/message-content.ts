import { BlockLimits, blocksTextLength, validateBlocks } from './block-kit-validation.js';
import type { Block } from './slack-objects.js';
import { SlackMethodFailure } from './slack-method-failure.js';

/** Slack refuses message text longer than this with `msg_too_long`. */
export const MaxMessageText = 40_000;

/**
 * The checks chat.postMessage, chat.postEphemeral, chat.update and response_url apply to what
 * a message says: something to show (`no_text`), not too long (`msg_too_long`), blocks within
 * Block Kit's limits (`invalid_blocks`, with Slack's pointer to the bad field), and not too much
 * text across all blocks (`msg_blocks_too_long`).
 */
export function checkMessageContent(text: string | undefined, blocks: Block[] | undefined, options: { requireContent: boolean }): void {
  if (options.requireContent && !text && !blocks?.length) throw new SlackMethodFailure('no_text');
  if (text !== undefined && text.length > MaxMessageText) throw new SlackMethodFailure('msg_too_long');
  if (blocks) {
    const problems = validateBlocks(blocks);
    if (problems.length) throw new SlackMethodFailure('invalid_blocks', { response_metadata: { messages: problems } });
    if (blocksTextLength(blocks) > BlockLimits.messageBlocksText) throw new SlackMethodFailure('msg_blocks_too_long');
  }
}
