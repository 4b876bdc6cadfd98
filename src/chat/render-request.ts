import { findCommand } from '../../commands/registry.js';
import { tableText } from '../core/table-text.js';
import type { ApprovalStore } from '../approval/index.js';
import type { RenderedMessage } from './message-poster.js';
import { capBlocks } from './render/blocks.js';
import { renderOperationCard } from './render/operation-card.js';
import { renderRequestCard } from './render/request-card.js';
import type { RequestRecord } from '../requests/index.js';

/** Renders a request's message from its stored state: an operation card or a read result. */
export async function renderRequest(approvals: Pick<ApprovalStore, 'get'>, record: RequestRecord, now: number): Promise<RenderedMessage> {
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
