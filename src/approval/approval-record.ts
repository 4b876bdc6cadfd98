import { z } from 'zod';
import { PlanSchema } from '../core/plan.js';

/** Where a request is in its life; every state but `pending` is final. */
export const ApprovalState = {
  Pending: 'pending',
  Approved: 'approved',
  Rejected: 'rejected',
  Expired: 'expired',
  Cancelled: 'cancelled',
} as const;
export type ApprovalState = (typeof ApprovalState)[keyof typeof ApprovalState];
export type EndedState = Exclude<ApprovalState, 'pending'>;

/** What an audit stream entry records. `approval` is a vote that did not yet complete the request. */
export const AuditAction = {
  Requested: 'requested',
  Approval: 'approval',
  Approved: 'approved',
  Refused: 'refused',
  Rejected: 'rejected',
  Expired: 'expired',
  Cancelled: 'cancelled',
  /** An approved operation finished (written by the request lifecycle, not the approval scripts). */
  Done: 'done',
  /** An operation failed, or was refused by a worker. */
  Failed: 'failed',
  /** An execution stopped untouched because the cluster changed; it was planned again. */
  Drifted: 'drifted',
} as const;
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];

/** `apr_` + 16 base64url characters, as src/core/ids.ts randomId('apr') makes them. */
export const APPROVAL_ID = /^apr_[A-Za-z0-9_-]{16}$/;

const int = z.string().regex(/^\d+$/, { error: 'expected a whole number' }).transform(Number);
const optional = z.string().transform((s) => (s === '' ? undefined : s));

function json<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

export const ApprovalVoteSchema = z.object({ userId: z.string().min(1), at: z.number().int().nonnegative() });
export type ApprovalVote = z.infer<typeof ApprovalVoteSchema>;

/** The hash `<prefix>:approval:<id>` as Redis returns it (all strings), parsed into a record. */
export const ApprovalHashSchema = z
  .object({
    v: z.literal('1'),
    id: z.string().regex(APPROVAL_ID),
    requestId: z.string().min(1),
    verb: z.string().min(1),
    cluster: z.string().min(1),
    namespace: optional,
    channelId: z.string().min(1),
    messageTs: optional,
    requesterId: z.string().min(1),
    requiredApprovals: int,
    approvers: z.string().transform((s, ctx): '*' | string[] => {
      if (s === '*') return '*';
      try {
        const list = z.array(z.string().min(1)).parse(JSON.parse(s));
        return list;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected "*" or a JSON list of user ids' });
        return z.NEVER;
      }
    }),
    approversLabel: z.string(),
    approverDescription: z.string(),
    planFingerprint: z.string().min(1),
    plan: json(PlanSchema),
    createdAt: int,
    expiresAt: int,
    state: z.enum([ApprovalState.Pending, ApprovalState.Approved, ApprovalState.Rejected, ApprovalState.Expired, ApprovalState.Cancelled]),
    approvals: json(z.array(ApprovalVoteSchema)),
    /** Who ended it: the approver whose click completed it, the rejecter, the canceller; empty on expiry. */
    endedBy: optional,
    /** The rejecter's reason, if they gave one. */
    reason: optional,
    endedAt: z.string().transform((s, ctx) => {
      if (s === '') return undefined;
      if (!/^\d+$/.test(s)) {
        ctx.addIssue({ code: 'custom', message: 'expected a whole number' });
        return z.NEVER;
      }
      return Number(s);
    }),
  })
  .transform(({ v: _v, ...r }) => r);

export type ApprovalRecord = z.output<typeof ApprovalHashSchema>;

/** One line of `<prefix>:audit`. */
export const AuditEntrySchema = z.object({
  /** The stream entry id (`<ms>-<seq>`). */
  id: z.string(),
  at: int,
  action: z.enum(Object.values(AuditAction) as [AuditAction, ...AuditAction[]]),
  approvalId: z.string(),
  requestId: z.string(),
  verb: z.string(),
  cluster: z.string(),
  namespace: optional,
  /** Slack user id, or `sitrep` for expiry. */
  user: z.string(),
  detail: z.string(),
});
export type AuditEntry = z.output<typeof AuditEntrySchema>;
