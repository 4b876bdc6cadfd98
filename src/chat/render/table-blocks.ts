import type { Table } from '../../core/job.js';
import { section, type Block } from './blocks.js';
import { SlackLimits } from '../../core/text/limits.js';
import { tableText } from '../../core/table-text.js';
import { codeBlock } from '../../core/text/mrkdwn.js';

/**
 * A table as monospace sections within Slack's limits. Rows that do not fit are left out, and
 * `truncated` tells the caller to upload the full text as a file.
 */
export function tableBlocks(table: Table, options: { maxSections?: number } = {}): { blocks: Block[]; truncated: boolean; shownRows: number } {
  const maxSections = options.maxSections ?? 4;
  const budget = SlackLimits.sectionText - 8; // room for the ``` fences
  const lines = tableText(table).split('\n');
  const cutLines = lines.some((l) => l.length > budget - 1);
  const [headerLine, ...rows] = lines.map((l) => l.slice(0, budget - 1));
  const chunks: string[][] = [];
  let chunk = [headerLine];
  let size = headerLine.length + 1;
  let shown = 0;
  for (const row of rows) {
    if (size + row.length + 1 > budget) {
      chunks.push(chunk);
      chunk = [];
      size = 0;
      if (chunks.length >= maxSections) break;
    }
    chunk.push(row);
    size += row.length + 1;
    shown++;
  }
  if (chunk.length) chunks.push(chunk);
  return {
    blocks: chunks.map((c) => section(codeBlock(c.join('\n')))),
    truncated: shown < rows.length || cutLines,
    shownRows: shown,
  };
}
