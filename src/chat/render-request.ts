import { findCommand } from '../../commands/registry.js';
import { tableText } from '../core/table-text.js';
import { redactText } from '../core/text/redact.js';
import { cleanPlainText } from '../core/text/slack-plain.js';
import type { ApprovalStore } from '../approval/index.js';
import type { RenderedFile, RenderedMessage } from './message-poster.js';
import { anyCut, capMessage, context, type Block } from './render/blocks.js';
import { renderOperationCard } from './render/operation-card.js';
import { planText } from './render/plan-text.js';
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

/**
 * Renders a request's message from its stored state: an operation card or a read result, within
 * Slack's limits. Whenever anything is cut (an output, a table, a plan's lists, text past a
 * block's or the message's limit), the whole goes up as a file in the message's thread and the
 * message says so: the whole plan while it waits for approval, the whole result once it ends.
 */
export async function renderRequest(approvals: Pick<ApprovalStore, 'get'>, record: RequestRecord, now: number): Promise<RenderedMessage> {
  if (procedureOf(record.request.args)) {
    const card = renderRunbookCard(record, await runbookApprovals(approvals, record), now);
    const capped = capMessage(card.blocks);
    const cut = capped.cut || anyCut(card.blocks);
    const plan = record.plan;
    // What a long runbook's card could not hold is in the thread: its whole plan while it waits.
    const files: RenderedFile[] = plan && !record.result && cut ? [{ key: `plan-${plan.fingerprint.slice(0, 16)}`, filename: `plan-runbook-${record.request.id}.txt`, title: `The whole plan: ${record.request.command} ${record.request.text}`, content: redactText(planText(plan, `${record.request.command} ${record.request.text}`)) }] : [];
    return { text: card.text, blocks: capped.blocks, files };
  }
  const spec = findCommand(record.request.command, record.request.verb);
  const isOperation = spec?.mode === 'plan';
  const approval = isOperation && record.approvalId ? await approvals.get(record.approvalId) : undefined;
  const card = isOperation ? renderOperationCard(record, approval, now) : renderRequestCard(record, now);
  const sectionsCut = anyCut(card.blocks);
  const capped = capMessage(card.blocks);
  let blocks: Block[] = capped.blocks;
  const overflow = sectionsCut || capped.cut;
  if (sectionsCut && !capped.cut) blocks = withNote(blocks, '_Some text was cut to fit Slack; the whole of it is in the thread._');

  const files: RenderedFile[] = [];
  const res = record.result;
  const plan = record.plan;
  if (plan && !res && (card.cut.plan || overflow)) {
    files.push({ key: `plan-${plan.fingerprint.slice(0, 16)}`, filename: `plan-${record.request.verb}-${record.request.id}.txt`, title: `The whole plan: ${record.request.command} ${record.request.text}`, content: planText(plan, `${record.request.command} ${record.request.text}`) });
  }
  if (res && (card.cut.result || overflow)) files.push(resultFile(record));
  // Files are outputs too: no secret in their content, nothing hidden in their titles.
  return { text: card.text, blocks, files: files.map((f) => ({ ...f, content: redactText(f.content), ...(f.title ? { title: cleanPlainText(f.title) } : {}) })) };
}

/** The whole result of a finished request, for the thread. */
function resultFile(record: RequestRecord): RenderedFile {
  const res = record.result!;
  const filename = res.output?.filename ?? res.file?.filename ?? `${record.request.verb}-${record.request.id}.txt`;
  const content =
    res.output?.content ??
    [res.file?.content ?? (res.table ? tableText(res.table) : res.text), ...(res.changed.length ? ['Changed:', ...res.changed] : []), ...(res.unchanged.length ? ['Not changed:', ...res.unchanged] : [])].filter(Boolean).join('\n');
  return { key: 'result', filename, content: content.endsWith('\n') ? content : `${content}\n`, title: res.title };
}

/** The blocks with a note before the last one (who asked, where). */
function withNote(blocks: Block[], note: string): Block[] {
  return [...blocks.slice(0, -1), context(note), ...blocks.slice(-1)];
}
