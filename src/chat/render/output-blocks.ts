import type { Output } from '../../core/job.js';
import { fitLines, SlackLimits } from '../../core/text/limits.js';
import { codeBlock, escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { context, section, type Block } from './blocks.js';

/** Longest line shown in a message; the file has every line whole. */
const MAX_LINE = 400;
/** Lines shown in a message at most: a log's last lines, a description's first. */
const MAX_LINES = 20;

/**
 * Cluster output (a log, a description) as one code block that always closes: the lines that fit
 * (the last ones for a log), each cut to a readable length. When anything is cut the note says
 * what, and `cut` tells the caller to upload the whole output in the thread.
 */
export function outputBlocks(output: Output): { blocks: Block[]; cut: boolean } {
  // Fences and the broken-backtick escapes need a little room beside the lines themselves.
  const budget = SlackLimits.sectionText - 16;
  const fitted = fitLines(output.content, { maxChars: budget, maxLineChars: MAX_LINE, maxLines: MAX_LINES, keep: output.keep, measure: (l) => codeBlock(l).length - 8 });
  const { lines, omittedLines: omitted, shortenedLines: shortened } = fitted;
  const blocks: Block[] = [section(codeBlock(lines.join('\n')))];
  const cut = omitted > 0 || shortened > 0;
  if (cut) {
    const which = output.keep === 'tail' ? 'last' : 'first';
    const parts = [
      omitted > 0 ? `Showing the ${which} ${lines.length} of ${fitted.totalLines} lines` : `Showing all ${fitted.totalLines} lines`,
      shortened > 0 ? `${shortened} long line${shortened === 1 ? '' : 's'} cut to ${MAX_LINE} characters` : '',
    ].filter(Boolean);
    blocks.push(context(`_${parts.join('; ')}. The whole output is in the thread: \`${escapeMrkdwn(output.filename)}\`._`));
  }
  return { blocks, cut };
}
