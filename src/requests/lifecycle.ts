import type { Plan } from '../core/plan.js';
import type { CommandRequest } from '../core/request.js';
import type { JobEventEnvelope } from '../queue/job-events.js';
import { ApprovalSteps, type ClickReply } from './approval-steps.js';
import type { ClickContext } from './click.js';
import type { RequestDeps } from './deps.js';
import { intake, type IntakeOptions, type IntakeOutcome } from './intake.js';
import { JobEventSteps } from './job-event-steps.js';
import type { RequestRecord } from './request-store.js';
import { RunbookClicks } from './runbook-clicks.js';
import { RunbookPlanning } from './runbook-planning.js';
import { RunbookSteps } from './runbook-steps.js';
import { WorkerLossSteps } from './worker-loss.js';
import { procedureOf, type RunbookInstance } from '../runbooks/index.js';

/**
 * The one owner of a request's life, from slash command to result. Each method is a named step
 * of the lifecycle (intake, plan ready, approve, run, result, re-plan, end); each state change is
 * a compare-and-set of transitions.ts in Redis. The chat layer calls these and renders; it never
 * writes a request's state.
 */
export class RequestLifecycle {
  private readonly approvals: ApprovalSteps;
  private readonly events: JobEventSteps;
  private readonly planning: RunbookPlanning;
  private readonly runbooks: RunbookSteps;
  private readonly runbookClicks: RunbookClicks;
  private readonly workerLoss: WorkerLossSteps;

  constructor(readonly deps: RequestDeps) {
    this.workerLoss = new WorkerLossSteps(deps);
    this.approvals = new ApprovalSteps(deps);
    this.planning = new RunbookPlanning(deps, this.approvals);
    this.runbooks = new RunbookSteps(deps, this.planning, this.workerLoss);
    this.approvals.runbooks = this.runbooks;
    this.runbookClicks = new RunbookClicks(deps, this.approvals, this.runbooks);
    this.events = new JobEventSteps(deps, this.approvals, this.runbooks, this.workerLoss);
  }

  /** Intake: claim, policy, incident note, card, queue. */
  intake(request: CommandRequest, options: IntakeOptions): Promise<IntakeOutcome> {
    return intake(this.deps, request, options);
  }

  /**
   * Intake of a runbook: as any request, but holding every target its steps change and queueing
   * the plans of the steps that can be planned now. `procedure` is the runbook with its values.
   */
  intakeRunbook(request: CommandRequest, procedure: RunbookInstance, options: Pick<IntakeOptions, 'postCard'>): Promise<IntakeOutcome> {
    const withProcedure: CommandRequest = { ...request, args: { ...request.args, procedure } };
    const targets = [...new Set(procedure.steps.flatMap((s) => (s.kind === 'run' && s.target ? [s.target] : [])))];
    return intake(this.deps, withProcedure, {
      jobKind: 'plan',
      postCard: options.postCard,
      targets,
      queue: async () => {
        const record = await this.deps.store.get(request.id);
        if (record && procedureOf(record.request.args)) await this.planning.start(record);
      },
    });
  }

  /** Done on a runbook's manual step (`<request id>#<step>`), from its card. */
  runbookStepDone(value: string, click: ClickContext): Promise<ClickReply> {
    return this.runbookClicks.done(value, click);
  }

  /** Run on a runbook step asked again when the policy needs no approver. */
  runbookStepRun(value: string, click: ClickContext): Promise<ClickReply> {
    return this.runbookClicks.run(value, click);
  }

  /** Cancel a running runbook: it stops at the next step boundary. */
  cancelRunbook(requestId: string, click: ClickContext): Promise<ClickReply> {
    return this.runbookClicks.cancel(requestId, click);
  }

  /** Recovery: running runbooks whose step's job a crashed bot did not queue. */
  sweepRunbooks(): Promise<void> {
    return this.runbooks.sweep();
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

  /** Worker loss: running requests whose worker stopped beating say so on their card. */
  sweepLostWorkers(): Promise<void> {
    return this.workerLoss.sweep();
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
