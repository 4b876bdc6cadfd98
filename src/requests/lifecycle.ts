import type { Plan } from '../core/plan.js';
import type { CommandRequest } from '../core/request.js';
import type { JobEventEnvelope } from '../queue/job-events.js';
import { ApprovalSteps, type ClickReply } from './approval-steps.js';
import type { ClickContext } from './click.js';
import type { RequestDeps } from './deps.js';
import { intake, type IntakeOptions, type IntakeOutcome } from './intake.js';
import { JobEventSteps } from './job-event-steps.js';
import type { RequestRecord } from './request-store.js';

/**
 * The one owner of a request's life, from slash command to result. Each method is a named step
 * of the lifecycle (intake, plan ready, approve, run, result, re-plan, end); each state change is
 * a compare-and-set of transitions.ts in Redis. The chat layer calls these and renders; it never
 * writes a request's state.
 */
export class RequestLifecycle {
  private readonly approvals: ApprovalSteps;
  private readonly events: JobEventSteps;

  constructor(readonly deps: RequestDeps) {
    this.approvals = new ApprovalSteps(deps);
    this.events = new JobEventSteps(deps, this.approvals);
  }

  /** Intake: claim, policy, incident note, card, queue. */
  intake(request: CommandRequest, options: IntakeOptions): Promise<IntakeOutcome> {
    return intake(this.deps, request, options);
  }

  /** Plan ready: what the policy requires for the plan a worker made. */
  planReady(record: RequestRecord, plan: Plan): Promise<void> {
    return this.approvals.planReady(record, plan);
  }

  /** Approve: one vote, on the request's own card, by someone the policy allows now; the last one needed queues the signed execution, exactly once. */
  approve(approvalId: string, click: ClickContext): Promise<ClickReply> {
    return this.approvals.approve(approvalId, click);
  }

  /** Reject (an approver) or cancel (the requester) a pending approval, from its own card. */
  end(mode: 'reject' | 'cancel', approvalId: string, click: ClickContext, reason?: string): Promise<ClickReply> {
    return this.approvals.end(mode, approvalId, click, reason);
  }

  /** Run: the requester runs a plan the policy lets run without approval, from its own card. */
  run(requestId: string, click: ClickContext): Promise<ClickReply> {
    return this.approvals.confirm(requestId, click);
  }

  /** Expiry: ends requests whose approval window closed. */
  sweepExpired(): Promise<void> {
    return this.approvals.sweepExpired();
  }

  /** Started, progress, result, failed and re-plan: applies one event a worker reported. */
  applyJobEvent(e: JobEventEnvelope): Promise<void> {
    return this.events.apply(e);
  }
}
