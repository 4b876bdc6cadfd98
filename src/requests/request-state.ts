/**
 * Where a request is in its life. A request is one slash command; its card shows this state.
 *
 * received → (refused) | queued (a read) | planning (an operation)
 * planning → planned → awaiting-approval | awaiting-confirmation | done (dry run, nothing to do) | refused
 * awaiting-* → approved → running → done | failed | drifted (a new request re-plans)
 * awaiting-* → rejected | expired | cancelled
 */
export const RequestState = {
  Received: 'received',
  Queued: 'queued',
  Planning: 'planning',
  Planned: 'planned',
  AwaitingApproval: 'awaiting-approval',
  /** The policy needs no approver: only the requester's Run click is awaited. */
  AwaitingConfirmation: 'awaiting-confirmation',
  Approved: 'approved',
  Running: 'running',
  Done: 'done',
  Failed: 'failed',
  Refused: 'refused',
  Rejected: 'rejected',
  Expired: 'expired',
  Cancelled: 'cancelled',
  /** The execution stopped untouched because the cluster changed; a new request re-plans. */
  Drifted: 'drifted',
} as const;
export type RequestState = (typeof RequestState)[keyof typeof RequestState];

const FINAL: ReadonlySet<RequestState> = new Set([RequestState.Done, RequestState.Failed, RequestState.Refused, RequestState.Rejected, RequestState.Expired, RequestState.Cancelled, RequestState.Drifted]);

/** A final state never changes again. */
export function isFinal(state: RequestState): boolean {
  return FINAL.has(state);
}
