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
  /** A runbook stopped at a step boundary because someone cancelled it. */
  stopRunbook: { from: [S.Running], to: S.Cancelled },
  /** A runbook step's new approval was rejected, or expired: the runbook stops there. */
  rejectStep: { from: [S.Running], to: S.Rejected },
  expireStep: { from: [S.Running], to: S.Expired },
} as const satisfies Record<string, { from: readonly RequestState[]; to: RequestState }>;

export type Step = keyof typeof STEPS;

/** Whether `step` may be taken from `state`. */
export function allowed(step: Step, state: RequestState): boolean {
  return (STEPS[step].from as readonly RequestState[]).includes(state);
}

/**
 * Where one step of a running runbook is. The runbook's request is `running` throughout; its step
 * cursor (request-store.ts: index, attempt, status) says which step and how far, and moves only
 * by the compare-and-sets of STEP_MOVES, so a late or replayed job event never moves it back.
 */
export const StepStatus = {
  /** Not reached yet. */
  Pending: 'pending',
  /** The cursor is on it; what it needs is being decided. */
  Reached: 'reached',
  /** Its `if:` is being read from the cluster. */
  Checking: 'checking',
  /** Planned again just before it runs, to compare with what was approved. */
  Planning: 'planning',
  /** Its fresh plan drifted from the approved one, or (planned only now) carries warnings: asked again. */
  AwaitingApproval: 'awaiting-approval',
  /** The same when the policy needs no approver: the requester's Run is awaited. */
  AwaitingConfirmation: 'awaiting-confirmation',
  /** A person does it, then presses Done. */
  AwaitingManual: 'awaiting-manual',
  Running: 'running',
  Done: 'done',
  /** Its `if:` did not hold when it was reached. */
  Skipped: 'skipped',
  Failed: 'failed',
} as const;
export type StepStatus = (typeof StepStatus)[keyof typeof StepStatus];

const T = StepStatus;

/** The runbook step cursor's moves: the statuses each may start from and the one it leads to. */
export const STEP_MOVES = {
  /** Reading the step's `if:` from the cluster. */
  check: { from: [T.Reached], to: T.Checking },
  /** Planning the step again before it runs (also after a worker stopped it on drift). */
  plan: { from: [T.Reached, T.Checking, T.Running], to: T.Planning },
  askApproval: { from: [T.Planning], to: T.AwaitingApproval },
  askConfirmation: { from: [T.Planning], to: T.AwaitingConfirmation },
  askManual: { from: [T.Reached], to: T.AwaitingManual },
  /** Its signed execution is queued. */
  run: { from: [T.Reached, T.Planning, T.AwaitingApproval, T.AwaitingConfirmation], to: T.Running },
  /** Done: a job's result, a person's Done, a note written, or nothing left to do. */
  finish: { from: [T.Reached, T.Planning, T.Running, T.AwaitingManual], to: T.Done },
  skip: { from: [T.Checking], to: T.Skipped },
  fail: { from: [T.Reached, T.Checking, T.Planning, T.Running, T.AwaitingApproval, T.AwaitingConfirmation], to: T.Failed },
  /** On to the next step (the cursor's index + 1, status reached): only from a step that is over. */
  next: { from: [T.Done, T.Skipped], to: T.Reached },
} as const satisfies Record<string, { from: readonly StepStatus[]; to: StepStatus }>;
export type StepMove = keyof typeof STEP_MOVES;

/** A step status a runbook may stop at right away when cancelled: nothing of the step is running. */
export const STEP_BOUNDARIES: readonly StepStatus[] = [T.Reached, T.AwaitingApproval, T.AwaitingConfirmation, T.AwaitingManual, T.Done, T.Skipped];
