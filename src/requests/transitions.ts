import { RequestState as S, type RequestState } from './request-state.js';

/**
 * The request lifecycle's one transition table: each named step, the states it may start from,
 * and the state it leads to. RequestStore.transition applies a step as one compare-and-set in
 * Redis, so two bot replicas, a replayed worker event or a late click can never move a request
 * backwards (Done → Running) or across (Running → Approved). Anything not listed is refused.
 */
export const STEPS = {
  /** A bot-side verb (jobs, status, audit, /incident …) was answered. */
  answer: { from: [S.Received], to: S.Done },
  /** A read job is queued for a worker. */
  queueRead: { from: [S.Received], to: S.Queued },
  /** An operation's plan job is queued (also for a re-plan after drift). */
  queuePlan: { from: [S.Received], to: S.Planning },
  /** The policy, the plan or the cluster says no before anything ran. */
  refuse: { from: [S.Received, S.Planning, S.Planned, S.AwaitingConfirmation, S.AwaitingApproval], to: S.Refused },
  /** The worker's plan arrived and is stored. */
  planReady: { from: [S.Planning], to: S.Planned },
  /** The plan needs approval; the approval request exists. */
  askApproval: { from: [S.Planned], to: S.AwaitingApproval },
  /** The policy needs no approver: the requester's Run click is awaited. */
  askConfirmation: { from: [S.Planned], to: S.AwaitingConfirmation },
  /** A dry run, or a plan with nothing to do: finished without running. */
  finishUnrun: { from: [S.Planned], to: S.Done },
  /** The last approval needed was given; the execution is queued right after. */
  approve: { from: [S.AwaitingApproval], to: S.Approved },
  /** The requester ran a plan that needs no approval; the execution is queued right after. */
  confirm: { from: [S.AwaitingConfirmation], to: S.Approved },
  /** A worker started the read or the execution. */
  start: { from: [S.Queued, S.Approved], to: S.Running },
  /** The job finished (ok or not): its result is stored. */
  finish: { from: [S.Queued, S.Approved, S.Running], to: S.Done },
  finishFailed: { from: [S.Queued, S.Approved, S.Running], to: S.Failed },
  /** Something failed before or during the job; the failure is stored. */
  fail: { from: [S.Received, S.Queued, S.Planning, S.Planned, S.AwaitingConfirmation, S.AwaitingApproval, S.Approved, S.Running], to: S.Failed },
  /** The execution stopped because the cluster drifted from the approved plan. */
  drift: { from: [S.Approved, S.Running], to: S.Drifted },
  /** The approval ended without running. */
  reject: { from: [S.AwaitingApproval], to: S.Rejected },
  expire: { from: [S.AwaitingApproval], to: S.Expired },
  cancel: { from: [S.AwaitingApproval, S.AwaitingConfirmation], to: S.Cancelled },
} as const satisfies Record<string, { from: readonly RequestState[]; to: RequestState }>;

export type Step = keyof typeof STEPS;

/** Whether `step` may be taken from `state`. */
export function allowed(step: Step, state: RequestState): boolean {
  return (STEPS[step].from as readonly RequestState[]).includes(state);
}
