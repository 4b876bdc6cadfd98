import { findCommand } from '../../commands/registry.js';
import { tableText } from '../core/table-text.js';
import type { ApprovalStore } from '../approval/index.js';
import type { RenderedMessage } from './message-poster.js';
import { capBlocks } from './render/blocks.js';
import { renderOperationCard } from './render/operation-card.js';
import { renderRequestCard } from './render/request-card.js';
import { renderRunbookCard } from './render/runbook-card.js';
import type { ApprovalRecord } from '../approval/index.js';
import type { RequestRecord } from '../requests/index.js';
import { procedureOf } from '../runbooks/index.js';

/** A runbook's card needs its own approval and the approval of the step asked again, if any. */
async function runbookApprovals(approvals: Pick<ApprovalStore, 'get'>, record: RequestRecord): Promise<Map<string, ApprovalRecord>> {
  const ids = [record.approvalId, record.cursor ? record.steps?.[record.cursor.index]?.approvalId : undefined].filter((id): id is string => Boolean(id));
  const found = await Promise.all(ids.map((id) => approvals.get(id)));
  return new Map(found.filter((a): a is ApprovalRecord => a !== undefined).map((a) => [a.id, a]));
}

/** Renders a request's message from its stored state: an operation card or a read result. */
export async function renderRequest(approvals: Pick<ApprovalStore, 'get'>, record: RequestRecord, now: number): Promise<RenderedMessage> {
  if (procedureOf(record.request.args)) {
    const card = renderRunbookCard(record, await runbookApprovals(approvals, record), now);
    return { text: card.text, blocks: capBlocks(card.blocks) };
  }
  const spec = findCommand(record.request.command, record.request.verb);
  const isOperation = spec?.mode === 'plan';
  const approval = isOperation && record.approvalId ? await approvals.get(record.approvalId) : undefined;
  const card = isOperation ? renderOperationCard(record, approval, now) : renderRequestCard(record, now);
  const res = record.result;
  let file: RenderedMessage['file'];
  if (card.needsFile && res) {
    const parts = [res.file?.content ?? (res.table ? tableText(res.table) : ''), ...(res.changed.length > 30 ? ['Changed:', ...res.changed] : [])].filter(Boolean);
    file = { filename: res.file?.filename ?? `${record.request.verb}-${record.request.id}.txt`, content: parts.join('\n') + '\n', title: res.title };
  }
  // Slack refuses a message over its block limit; the thread file carries whatever is cut.
  return { text: card.text, blocks: capBlocks(card.blocks), ...(file ? { file } : {}) };
}
