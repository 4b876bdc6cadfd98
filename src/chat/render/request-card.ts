import { formatDuration } from '../../core/duration.js';
import type { RequestRecord } from '../../requests/index.js';
import { context, section, type Block } from './blocks.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { tableBlocks } from './table-blocks.js';

const STATE_LINE: Record<string, string> = {
  queued: ':hourglass_flowing_sand: *Queued*',
  running: ':arrows_counterclockwise: *Running*',
  done: ':white_check_mark: *Done*',
  failed: ':x: *Failed*',
  refused: ':no_entry: *Refused*',
};

/** The headline of every request's message: what was asked, by whom, where. */
export function requestContext(record: RequestRecord): Block {
  const r = record.request;
  return context(`\`${escapeMrkdwn(`${r.command} ${r.text}`.trim())}\` · requested by <@${r.userId}> · cluster *${escapeMrkdwn(r.cluster)}*`);
}

/**
 * The one message of a read request, rendered from its stored state: queued, running with
 * progress, then the result or the failure with what to do next.
 */
export function renderRequestCard(record: RequestRecord, now: number): { text: string; blocks: Block[]; needsFile: boolean } {
  const blocks: Block[] = [];
  const r = record.request;
  let needsFile = false;
  let text: string;

  if (record.failure) {
    text = `Failed: ${record.failure.message}`;
    blocks.push(section(`${STATE_LINE.failed}: ${escapeMrkdwn(record.failure.message)}`));
    if (record.failure.hint) blocks.push(context(`:point_right: ${escapeMrkdwn(record.failure.hint)}`));
  } else if (record.result) {
    const res = record.result;
    text = `${res.ok ? 'Done' : 'Failed'}: ${res.title}`;
    blocks.push(section(`${res.ok ? STATE_LINE.done : STATE_LINE.failed} · ${escapeMrkdwn(res.title)}`));
    if (res.text) blocks.push(section(res.text));
    if (res.table) {
      const t = tableBlocks(res.table);
      blocks.push(...t.blocks);
      if (t.truncated) {
        needsFile = true;
        blocks.push(context(`_Showing ${t.shownRows} of ${res.table.rows.length} rows; the full table is in the thread._`));
      }
    }
    if (res.file) needsFile = true;
    if (res.changed.length) blocks.push(section(`*Changed*\n${res.changed.map((c) => `• ${escapeMrkdwn(c)}`).join('\n')}`));
    if (res.unchanged.length) blocks.push(section(`*Not changed*\n${res.unchanged.map((c) => `• ${escapeMrkdwn(c)}`).join('\n')}`));
  } else if (record.state === 'running' || record.progress) {
    const p = record.progress;
    const elapsed = record.startedAt ? formatDuration(now - record.startedAt) : '';
    text = `Running: ${r.command} ${r.text}`;
    blocks.push(section(`${STATE_LINE.running}${elapsed ? ` · ${elapsed}` : ''}${p ? `\n${escapeMrkdwn(p.message)}` : ''}`));
    if (p && p.total > 0) blocks.push(context(`${progressBar(p.done, p.total)} ${p.done}/${p.total}`));
    for (const b of p?.blocked ?? []) blocks.push(context(`:raised_hand: ${escapeMrkdwn(b.target)}: ${escapeMrkdwn(b.reason)}`));
  } else {
    text = `Queued: ${r.command} ${r.text}`;
    blocks.push(section(STATE_LINE.queued));
  }
  blocks.push(requestContext(record));
  return { text, blocks, needsFile };
}

export function progressBar(done: number, total: number, width = 20): string {
  const filled = total ? Math.round((done / total) * width) : 0;
  return '`' + '█'.repeat(filled) + '░'.repeat(width - filled) + '`';
}

/** An ephemeral message for bad input or refusals: what was wrong, then what to do. */
export function problemBlocks(message: string, hint?: string): { text: string; blocks: Block[] } {
  const blocks: Block[] = [section(`:warning: ${escapeMrkdwn(message)}`)];
  if (hint) blocks.push(section(hint));
  return { text: hint ? `${message}\n${hint}` : message, blocks };
}

