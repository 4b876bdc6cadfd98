import { formatDuration } from '../../core/duration.js';
import type { RequestRecord, WorkerLost } from '../../requests/index.js';
import { context, section, type Block } from './blocks.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { escapeFallback } from '../../core/text/slack-fallback.js';
import type { JobResult } from '../../core/job.js';
import { outputBlocks } from './output-blocks.js';
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
 * What a job's result shows: its text (plain text, escaped here), its output as a code block,
 * its table, and what changed. `cut` when something did not fit and the whole goes in the thread.
 */
export function resultBlocks(res: JobResult, options: { maxTableSections?: number; maxListed?: number } = {}): { blocks: Block[]; cut: boolean } {
  const blocks: Block[] = [];
  let cut = false;
  if (res.text) blocks.push(section(escapeMrkdwn(res.text)));
  if (res.output) {
    const o = outputBlocks(res.output);
    blocks.push(...o.blocks);
    cut ||= o.cut;
  }
  if (res.table) {
    const t = tableBlocks(res.table, { maxSections: options.maxTableSections });
    blocks.push(...t.blocks);
    if (t.truncated) {
      cut = true;
      blocks.push(context(`_Showing ${t.shownRows} of ${res.table.rows.length} rows; the full table is in the thread._`));
    }
  }
  const max = options.maxListed ?? 30;
  const list = (title: string, items: string[]) => {
    if (!items.length) return;
    if (items.length > max) cut = true;
    blocks.push(section(`*${title}*\n${items.slice(0, max).map((c) => `• ${escapeMrkdwn(c)}`).join('\n')}${items.length > max ? `\n…and ${items.length - max} more (see thread)` : ''}`));
  };
  list('Changed', res.changed);
  list('Not changed', res.unchanged);
  return { blocks, cut: cut || Boolean(res.file) };
}

/**
 * The one message of a read request, rendered from its stored state: queued, running with
 * progress, then the result or the failure with what to do next. The fallback `text` and every
 * block escape what came from the cluster or a person.
 */
export function renderRequestCard(record: RequestRecord, now: number): { text: string; blocks: Block[]; cut: { result: boolean; plan: boolean } } {
  const blocks: Block[] = [];
  const r = record.request;
  let cut = false;
  let text: string;
  const asked = escapeFallback(`${r.command} ${r.text}`);

  if (record.failure) {
    text = `Failed: ${escapeFallback(record.failure.message)}`;
    blocks.push(section(`${STATE_LINE.failed}: ${escapeMrkdwn(record.failure.message)}`));
    if (record.failure.hint) blocks.push(context(`:point_right: ${escapeMrkdwn(record.failure.hint)}`));
  } else if (record.result) {
    const res = record.result;
    text = `${res.ok ? 'Done' : 'Failed'}: ${escapeFallback(res.title)}`;
    blocks.push(section(`${res.ok ? STATE_LINE.done : STATE_LINE.failed} · ${escapeMrkdwn(res.title)}`));
    const shown = resultBlocks(res);
    blocks.push(...shown.blocks);
    cut = shown.cut;
  } else if (record.state === 'running' || record.progress) {
    const p = record.progress;
    const elapsed = record.startedAt ? formatDuration(now - record.startedAt) : '';
    text = `Running${record.workerLost ? ' (worker lost, resuming on another)' : ''}: ${asked}`;
    blocks.push(section(`${STATE_LINE.running}${elapsed ? ` · ${elapsed}` : ''}${p ? `\n${escapeMrkdwn(p.message)}` : ''}`));
    if (record.workerLost) blocks.push(workerLostLine(record.workerLost));
    if (p && p.total > 0) blocks.push(context(`${progressBar(p.done, p.total)} ${p.done}/${p.total}`));
    for (const b of (p?.blocked ?? []).slice(0, 5)) blocks.push(context(`:raised_hand: ${escapeMrkdwn(b.target)}: ${escapeMrkdwn(b.reason)}`));
  } else {
    text = `Queued: ${asked}`;
    blocks.push(section(STATE_LINE.queued));
  }
  blocks.push(requestContext(record));
  return { text, blocks, cut: { result: cut, plan: false } };
}

/**
 * The line a running card shows while its worker is lost (requests/worker-loss.ts), next to the
 * progress: BullMQ hands the job to another worker, which resumes from its checkpoints.
 */
export function workerLostLine(lost: WorkerLost): Block {
  return context(workerLostText(lost));
}

/** The same as mrkdwn text, for cards that list steps (a runbook's running step). */
export function workerLostText(lost: WorkerLost): string {
  const since = new Date(lost.since).toISOString().slice(11, 19);
  return `:warning: *Worker lost, resuming on another* · worker \`${escapeMrkdwn(lost.workerId)}\` not heard from since ${since} UTC; what it did is checkpointed`;
}

export function progressBar(done: number, total: number, width = 20): string {
  const filled = total ? Math.round((done / total) * width) : 0;
  return '`' + '█'.repeat(filled) + '░'.repeat(width - filled) + '`';
}

/**
 * An ephemeral message for bad input or refusals: what was wrong (plain text, escaped here), then
 * what to do (`hint`: sitrep's own mrkdwn, such as the usage line).
 */
export function problemBlocks(message: string, hint?: string): { text: string; blocks: Block[] } {
  const blocks: Block[] = [section(`:warning: ${escapeMrkdwn(message)}`)];
  if (hint) blocks.push(section(hint));
  return { text: hint ? `${escapeFallback(message)} ${hint}` : escapeFallback(message), blocks };
}
