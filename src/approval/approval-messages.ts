import { formatDuration } from '../core/duration.js';
import { mention } from './approver-spec.js';
import type { ApprovalRecord } from './approval-record.js';

/** `03:12:05 UTC`: one clock for everyone in the channel, whatever their time zone. */
export function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

function people(ids: readonly string[]): string {
  const m = ids.map(mention);
  if (m.length <= 1) return m[0] ?? 'nobody';
  return `${m.slice(0, -1).join(', ')} and ${m[m.length - 1]}`;
}

/** "someone in @oncall", or "someone else" when anyone may approve. */
function someone(r: ApprovalRecord): string {
  return r.approvers === '*' || !r.approversLabel || r.approversLabel === 'anyone else' ? 'someone else' : `someone in ${r.approversLabel}`;
}

function who(r: ApprovalRecord): string {
  return r.approvers === '*' || !r.approversLabel ? 'anyone else' : r.approversLabel;
}

/** Why a click on a request that already ended does nothing: by whom and when it ended. */
export function endedMessage(r: ApprovalRecord): string {
  const at = clockTime(r.endedAt ?? r.expiresAt);
  switch (r.state) {
    case 'approved':
      return `This request already ended (approved by ${people(r.approvals.map((v) => v.userId))} at ${at}).`;
    case 'rejected':
      return `This request already ended (rejected by ${mention(r.endedBy ?? '?')} at ${at}${r.reason ? `: ${r.reason}` : ''}).`;
    case 'cancelled':
      return `This request already ended (cancelled by ${mention(r.endedBy ?? r.requesterId)} at ${at}).`;
    case 'expired':
      return `This request already ended (expired at ${clockTime(r.expiresAt)} with ${r.approvals.length} of ${r.requiredApprovals} approvals). Run the command again if it is still needed.`;
    case 'pending':
      return 'This request is still pending.';
  }
}

/** What the requester hears on clicking Approve on their own request: who must approve instead. */
export function selfApprovalMessage(r: ApprovalRecord): string {
  const others = r.requiredApprovals > 1 ? `${r.requiredApprovals} other people` : 'a second person';
  return `You cannot approve your own request: ${others} must approve it. Ask ${someone(r)}; nothing runs until then.`;
}

export function notAnApproverMessage(r: ApprovalRecord, action: 'approve' | 'reject'): string {
  return `You cannot ${action} this ${r.verb}: it needs ${r.approverDescription || `approval from ${who(r)}`}.`;
}

export function notAnApproverNowMessage(r: ApprovalRecord): string {
  return `You cannot approve this ${r.verb}: the policy in force now no longer lets you approve it (it was changed after the request was made). Ask ${someone(r)} who still may.`;
}

export function alreadyApprovedMessage(r: ApprovalRecord): string {
  const missing = Math.max(0, r.requiredApprovals - r.approvals.length);
  return `You already approved this. It still needs ${missing} more from ${who(r)}.`;
}

export function notTheRequesterMessage(r: ApprovalRecord): string {
  return `Only ${mention(r.requesterId)} can cancel this request. An approver can reject it.`;
}

export function recordedMessage(r: ApprovalRecord, soFar: number, needed: number): string {
  return `Approval recorded (${soFar} of ${needed}). Waiting for ${needed - soFar} more from ${who(r)}.`;
}

export function approvedMessage(r: ApprovalRecord): string {
  return `Approved by ${people(r.approvals.map((v) => v.userId))}: ${r.verb} on ${r.cluster} can run.`;
}

export function doneMessage(r: ApprovalRecord): string {
  const by = mention(r.endedBy ?? r.requesterId);
  if (r.state === 'cancelled') return `Cancelled by ${by}. ${r.verb} will not run.`;
  return `Rejected by ${by}${r.reason ? `: ${r.reason}` : ''}. ${r.verb} will not run.`;
}

export function unknownMessage(retentionMs: number): string {
  return `Unknown approval request: it never existed or ended more than ${formatDuration(retentionMs)} ago. Run the command again if it is still needed.`;
}
