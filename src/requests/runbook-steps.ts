import type { ApprovalRecord } from '../approval/index.js';
import { formatDuration } from '../core/duration.js';
import { describeError, ErrorCode, isSitrepError } from '../core/errors.js';
import type { JobGrant } from '../core/job-grant.js';
import { JobKind, type JobResult } from '../core/job.js';
import { planDrift, type Plan } from '../core/plan.js';
import type { StepRef } from '../core/runbook-step.js';
import { EventKind } from '../core/timeline-event.js';
import type { JobEventEnvelope } from '../queue/job-events.js';
import { procedureOf, type RunbookInstance } from '../runbooks/index.js';
import type { RunbookApprovalHooks } from './approval-steps.js';
import type { RequestDeps } from './deps.js';
import { sealNow } from './decisions.js';
import { evaluatePolicy, policyNowProblem } from './policy-check.js';
import type { RequestRecord, StepRecord, TransitionFields } from './request-store.js';
import { conditionHolds, type RunbookPlanning } from './runbook-planning.js';
import { queueStepExecution, queueStepPlan } from './runbook-jobs.js';
import { hasWarnings } from './runbook-plan.js';
import { runbookOutcome } from './runbook-summary.js';
import { noteQuietly } from './timeline-note.js';
import { STEP_BOUNDARIES, StepStatus, type Step, type StepMove } from './transitions.js';
import type { WorkerLossSteps } from './worker-loss.js';

/** How long a runbook's cursor may stand still before the sweep makes sure its step's job exists (RequestDeps.runbookStallMs). */
const STALL_MS = 15_000;
/** How many times one step is planned again after a worker found drift before sitrep stops asking. */
const MAX_STEP_ATTEMPTS = 4;

/** How a runbook ended early: the transition it takes and how the card says it. */
type Stop = { step: Extract<Step, 'stopRunbook' | 'finishFailed' | 'rejectStep' | 'expireStep'>; title: string; /** Who stopped it, for the timeline. */ by?: string };

/**
 * A running runbook, step by step. The runbook's request stays `running`; its step cursor (index,
 * attempt, status) moves only by the compare-and-sets of transitions.ts STEP_MOVES, and each step's
 * job is queued when the cursor reaches it:
 *
 * - a run step is planned again (after its `if:` is read); a plan that drifted from the one
 *   approved, or (planned only now) carries warnings, stops for a new approval of that step;
 *   otherwise its signed execution is queued;
 * - a wait step's execution is queued against the baseline its approved plan recorded;
 * - a manual step waits for a person's Done; a note goes on the incident's timeline.
 *
 * Every event finds its step by the step's request id; a late or replayed one finds the cursor
 * elsewhere and changes nothing. Nothing lives in memory: a bot restarted between steps carries on
 * from Redis, and the sweep re-queues a step's job a crashed bot did not get to queue (job ids are
 * fixed per step and attempt, so this never runs anything twice).
 */
export class RunbookSteps implements RunbookApprovalHooks {
  constructor(private readonly deps: RequestDeps, private readonly planning: RunbookPlanning, private readonly workerLoss: WorkerLossSteps) {}

  // ---- the cursor

  async begin(record: RequestRecord): Promise<void> {
    const id = record.request.id;
    if (!(await this.deps.store.startRunbook(id, this.deps.clock.now()))) return;
    const procedure = procedureOf(record.request.args)!;
    await this.note(record, 'started', EventKind.JobStarted, `Runbook ${procedure.name} started: ${procedure.steps.length} steps`, { runbook: procedure.name });
    this.deps.changed(id);
    await this.reach(id, 0);
  }

  /** The cursor is on step `index` with status reached: do what the step's kind needs. */
  async reach(id: string, index: number): Promise<void> {
    const record = await this.deps.store.get(id);
    if (!record || record.state !== 'running' || record.cursor?.index !== index || record.cursor.status !== StepStatus.Reached) return;
    const procedure = procedureOf(record.request.args)!;
    if (index >= procedure.steps.length) return this.complete(record);
    if (record.cancel) return this.stop(record, { step: 'stopRunbook', title: `Cancelled before step ${index + 1} of ${procedure.steps.length}` });
    const step = procedure.steps[index]!;
    const attempt = record.cursor.attempt;
    const current = record.steps?.[index] ?? { status: StepStatus.Pending };
    const now = this.deps.clock.now();
    const at = { index, attempt };
    switch (step.kind) {
      case 'note': {
        const incident = await this.note(record, `s${index}:note`, EventKind.IncidentNote, step.text, { runbook: procedure.name, step: index + 1 });
        const note = incident ? 'noted on the incident timeline' : 'no incident is open in this channel, so it was not noted';
        if (await this.move(id, 'finish', at, { ...current, status: StepStatus.Done, note, endedAt: now })) await this.advance(id, index);
        return;
      }
      case 'manual':
        if (await this.move(id, 'askManual', at, { ...current, status: StepStatus.AwaitingManual, startedAt: now })) {
          await this.note(record, `s${index}:manual`, EventKind.RunbookStep, `Step ${index + 1} waits for a person: ${step.text}`, { runbook: procedure.name, step: index + 1 });
        }
        return;
      case 'wait':
        // A wait changes nothing: it runs against the baseline recorded when the runbook was approved.
        if (!current.plan) {
          if (await this.move(id, 'fail', at, { ...current, status: StepStatus.Failed, failure: { code: ErrorCode.Internal, message: 'the wait has no plan from the approval' } })) await this.stop(await this.fresh(id), { step: 'finishFailed', title: `Stopped at step ${index + 1}: the wait has no baseline from the approval` });
          return;
        }
        return this.execute(record, procedure, index, attempt, current.plan, this.approvalOf(record, current));
      case 'run':
        if (step.if) {
          if (await this.move(id, 'check', at, { ...current, status: StepStatus.Checking })) await this.queuePlan(record, procedure, { index, attempt, part: 'check' });
          return;
        }
        if (await this.move(id, 'plan', at, { ...current, status: StepStatus.Planning })) await this.queuePlan(record, procedure, { index, attempt, part: 'run' });
        return;
    }
  }

  /** The step at `index` is over: on to the next one. */
  private async advance(id: string, index: number): Promise<void> {
    const record = await this.deps.store.get(id);
    const attempt = record?.cursor?.attempt;
    const next = record && procedureOf(record.request.args)!.steps[index + 1] ? { status: StepStatus.Reached } : undefined;
    if (!(await this.deps.store.moveStep(id, 'next', { index, ...(attempt !== undefined ? { attempt } : {}) }, { ...(next ? { step: { ...(record?.steps?.[index + 1] ?? {}), ...next } } : {}), now: this.deps.clock.now() }))) return;
    this.deps.changed(id);
    await this.reach(id, index + 1);
  }

  private async move(id: string, move: StepMove, at: { index: number; attempt: number }, step: StepRecord, attempt?: number): Promise<boolean> {
    const moved = await this.deps.store.moveStep(id, move, at, { step, now: this.deps.clock.now(), ...(attempt !== undefined ? { attempt } : {}) });
    if (moved) this.deps.changed(id);
    return moved;
  }

  // ---- events from the step's jobs

  /** One event a worker reported for a step's job (its request id names the runbook and step). */
  async onEvent(e: JobEventEnvelope, ref: StepRef): Promise<void> {
    const record = await this.deps.store.get(ref.parentId);
    if (!record) return;
    const body = e.body;
    if (body.type === 'note') {
      await noteQuietly(this.deps, record.request, { key: body.key, kind: body.kind, at: e.at, actor: `worker:${e.cluster}`, text: body.text, ...(body.data ? { data: body.data } : {}) });
      return;
    }
    if (record.state === 'planning' && ref.attempt === 0) return this.planning.onEvent(record, ref, e);
    const cursor = record.cursor;
    if (record.state !== 'running' || !cursor || cursor.index !== ref.step || cursor.attempt !== ref.attempt) return;
    const id = record.request.id;
    const at = { index: ref.step, attempt: ref.attempt };
    switch (body.type) {
      case 'started':
        if (e.jobKind !== JobKind.Execute || !(await this.deps.store.setStepProgress(id, at, e.seq, undefined, { workerId: body.workerId, at: e.at }))) return;
        // The step's first worker is recorded above; another one taking it up runs it from now on.
        await this.workerLoss.resumed(record, body.workerId, e.at, true, 'stepWorkerId');
        this.deps.changed(id);
        return;
      case 'progress':
        if (await this.deps.store.setStepProgress(id, at, e.seq, body.progress)) this.deps.changed(id);
        return;
      case 'result':
        if (e.jobKind === JobKind.Plan && body.result.plan) {
          if (ref.part === 'check') return this.checked(record, at, body.result.plan);
          return this.planned(record, at, body.result.plan);
        }
        if (e.jobKind === JobKind.Execute) return this.ran(record, at, body.result, e.at);
        return;
      case 'failed': {
        const failure = { code: body.code, message: body.message, ...(body.hint ? { hint: body.hint } : {}) };
        const current = record.steps?.[ref.step] ?? { status: StepStatus.Pending };
        if (e.jobKind === JobKind.Execute && body.code === ErrorCode.PlanDrifted && ref.attempt < MAX_STEP_ATTEMPTS) {
          // The worker found the cluster changed before its first write: plan the step again,
          // which finds the same drift and asks for the step's approval anew.
          const next = ref.attempt + 1;
          if (await this.move(id, 'plan', at, { ...current, status: StepStatus.Planning, failure }, next)) await this.queuePlan(record, procedureOf(record.request.args)!, { index: ref.step, attempt: next, part: 'run' });
          return;
        }
        if (await this.move(id, 'fail', at, { ...current, status: StepStatus.Failed, failure, endedAt: e.at })) {
          await this.stop(await this.fresh(id), { step: 'finishFailed', title: `Stopped at step ${ref.step + 1}: ${body.message}` });
        }
        return;
      }
    }
  }

  /** The step's `if:` was read: plan the step if it holds, skip it otherwise. */
  private async checked(record: RequestRecord, at: { index: number; attempt: number }, plan: Plan): Promise<void> {
    const id = record.request.id;
    const { holds, seen } = conditionHolds(plan);
    const current = { ...(record.steps?.[at.index] ?? { status: StepStatus.Pending }), holds, seen };
    if (holds) {
      if (await this.move(id, 'plan', at, { ...current, status: StepStatus.Planning })) await this.queuePlan(record, procedureOf(record.request.args)!, { ...at, part: 'run' });
      return;
    }
    if (!(await this.move(id, 'skip', at, { ...current, status: StepStatus.Skipped, note: seen, endedAt: this.deps.clock.now() }))) return;
    await this.note(record, `s${at.index}:skipped`, EventKind.RunbookStep, `Step ${at.index + 1} skipped: ${seen}`, { step: at.index + 1 });
    await this.advance(id, at.index);
  }

  /**
   * The step's fresh plan: compared with the plan approved for it (drift stops for a new
   * approval of the step), or, for a step planned only now, run only if it carries no warnings.
   */
  private async planned(record: RequestRecord, at: { index: number; attempt: number }, fresh: Plan): Promise<void> {
    const id = record.request.id;
    const procedure = procedureOf(record.request.args)!;
    const step = procedure.steps[at.index]!;
    const current: StepRecord = { ...(record.steps?.[at.index] ?? { status: StepStatus.Pending }), freshPlan: fresh };
    if (record.cancel) {
      // Nothing of this step ran: stopping here is a step boundary.
      return this.stop(record, { step: 'stopRunbook', title: `Cancelled before step ${at.index + 1} of ${procedure.steps.length} ran` });
    }
    if (fresh.refusal) {
      const failure = { code: ErrorCode.DrainRefused, message: fresh.refusal.message, ...(fresh.refusal.flag ? { hint: `The step would need ${fresh.refusal.flag}.` } : {}) };
      if (await this.move(id, 'fail', at, { ...current, status: StepStatus.Failed, failure, endedAt: this.deps.clock.now() })) {
        await this.stop(await this.fresh(id), { step: 'finishFailed', title: `Stopped at step ${at.index + 1} (\`${step.text}\`), which would not run: ${fresh.refusal.message}` });
      }
      return;
    }
    const approved = current.approvedPlan ?? current.plan;
    if (approved) {
      const drift = planDrift(approved, fresh);
      if (drift.added.length) return this.askAgain(record, at, { ...current, drift }, fresh, `the cluster changed since it was approved`);
    } else if (hasWarnings(fresh)) {
      return this.askAgain(record, at, current, fresh, 'it could only be planned now and its plan carries warnings');
    }
    if (fresh.actions.length === 0) {
      if (await this.move(id, 'finish', at, { ...current, status: StepStatus.Done, note: `nothing to do: ${fresh.summary}`, endedAt: this.deps.clock.now() })) await this.advance(id, at.index);
      return;
    }
    await this.execute(record, procedure, at.index, at.attempt, approved ?? fresh, this.approvalOf(record, current), current);
  }

  /** The step's execution ended: on to the next step, or stop where it failed. */
  private async ran(record: RequestRecord, at: { index: number; attempt: number }, result: JobResult, endedAt: number): Promise<void> {
    const id = record.request.id;
    const procedure = procedureOf(record.request.args)!;
    const current: StepRecord = { ...(record.steps?.[at.index] ?? { status: StepStatus.Running }), result, endedAt, ...(record.stepStartedAt ? { startedAt: record.stepStartedAt } : {}), ...(record.stepWorkerId ? { workerId: record.stepWorkerId } : {}) };
    const took = current.startedAt ? ` (${formatDuration(endedAt - current.startedAt)})` : '';
    if (result.ok) {
      if (!(await this.move(id, 'finish', at, { ...current, status: StepStatus.Done }))) return;
      await this.note(record, `s${at.index}:a${at.attempt}:finished`, EventKind.JobFinished, `Step ${at.index + 1} of ${procedure.name} done: ${result.title}${took}`, { step: at.index + 1, changed: result.changed, unchanged: result.unchanged });
      await this.advance(id, at.index);
      return;
    }
    if (!(await this.move(id, 'fail', at, { ...current, status: StepStatus.Failed }))) return;
    await this.note(record, `s${at.index}:a${at.attempt}:failed`, EventKind.JobFailed, `Step ${at.index + 1} of ${procedure.name} failed: ${result.title}${took}`, { step: at.index + 1, code: result.code ?? ErrorCode.Internal, message: result.title });
    await this.stop(await this.fresh(id), { step: 'finishFailed', title: `Stopped at step ${at.index + 1}: ${result.title}` });
  }

  // ---- running a step

  /** Which approval a step runs under: its own (asked again), else the runbook's, else the requester's Run. */
  private approvalOf(record: RequestRecord, step: StepRecord): Pick<JobGrant, 'approvalId' | 'confirmedBy'> {
    if (step.approvalId) return { approvalId: step.approvalId };
    if (step.confirmedBy) return { confirmedBy: step.confirmedBy };
    if (record.approvalId) return { approvalId: record.approvalId };
    return { confirmedBy: record.confirmedBy ?? record.request.userId };
  }

  /**
   * Queues the step's signed execution, once the policy in force now still allows the runbook
   * with the approvals it has. The cursor moves first, so the job's events find it running.
   */
  private async execute(record: RequestRecord, procedure: RunbookInstance, index: number, attempt: number, plan: Plan, who: Pick<JobGrant, 'approvalId' | 'confirmedBy'>, base?: StepRecord): Promise<void> {
    const id = record.request.id;
    const current = base ?? record.steps?.[index] ?? { status: StepStatus.Pending };
    const at = { index, attempt };
    const approval = who.approvalId ? await this.deps.approvals.get(who.approvalId) : undefined;
    const problem = await policyNowProblem(this.deps, record.request, approval);
    if (problem) {
      const failure = { code: ErrorCode.PolicyDenied, message: `Not run: ${problem}.` };
      if (await this.move(id, 'fail', at, { ...current, status: StepStatus.Failed, failure, endedAt: this.deps.clock.now() })) {
        await this.stop(await this.fresh(id), { step: 'finishFailed', title: `Stopped before step ${index + 1}: the policy in force now does not allow it (${problem})` });
      }
      return;
    }
    if (!(await this.move(id, 'run', at, { ...current, status: StepStatus.Running, approvedPlan: plan, ...who, startedAt: this.deps.clock.now() }))) {
      // Refused because a cancel came first: nothing of this step ran, so this is its boundary.
      const now = await this.fresh(id);
      if (now.cancel && now.state === 'running' && now.cursor?.status !== StepStatus.Running) await this.stop(now, { step: 'stopRunbook', title: `Cancelled before step ${index + 1} of ${procedure.steps.length} ran` });
      return;
    }
    const job = procedure.steps[index]!;
    this.deps.audit.line({ requestId: id, user: who.confirmedBy ?? 'sitrep', verb: record.request.verb, target: job.kind === 'run' && job.target ? job.target : job.text, cluster: record.request.cluster, outcome: 'step-started', detail: `step ${index + 1}: ${job.text}${who.approvalId ? ` under approval ${who.approvalId}` : ''}` });
    await this.queueExecution(await this.fresh(id), procedure, index, attempt, plan, who);
  }

  /**
   * Queues a step's signed execution. Redis trouble leaves it to the sweep (the job id is fixed,
   * never twice); no seal covering the step (a record forged in Redis) stops the runbook there.
   */
  private async queueExecution(record: RequestRecord, procedure: RunbookInstance, index: number, attempt: number, plan: Plan, who: Pick<JobGrant, 'approvalId' | 'confirmedBy'>): Promise<void> {
    const id = record.request.id;
    try {
      await queueStepExecution(this.deps, record, procedure, index, attempt, plan, who);
    } catch (err) {
      if (isSitrepError(err) && err.code === ErrorCode.JobForged) {
        const current = record.steps?.[index] ?? { status: StepStatus.Running };
        this.deps.logger.warn({ requestId: id, step: index, code: err.code }, err.message);
        await this.deps.approvals.auditRefusal({ requestId: id, verb: record.request.verb, cluster: record.request.cluster, user: 'sitrep', detail: `step ${index + 1}: ${err.message}` }).catch(() => {});
        if (await this.move(id, 'fail', { index, attempt }, { ...current, status: StepStatus.Failed, failure: { code: err.code, message: err.message }, endedAt: this.deps.clock.now() })) {
          await this.stop(await this.fresh(id), { step: 'finishFailed', title: `Stopped at step ${index + 1}: ${err.message}` });
        }
        return;
      }
      this.deps.logger.warn({ err, requestId: id, step: index }, 'could not queue a runbook step; the sweep will');
    }
  }

  private async queuePlan(record: RequestRecord, procedure: RunbookInstance, ref: { index: number; attempt: number; part: 'run' | 'check' }): Promise<void> {
    try {
      await queueStepPlan(this.deps, record, procedure, ref);
    } catch (err) {
      this.deps.logger.warn({ err, requestId: record.request.id, step: ref.index }, 'could not queue a runbook step plan; the sweep will');
    }
  }

  /**
   * Stops the step for a new approval of its fresh plan, under the runbook's policy decision now
   * (or the requester's Run, when the policy needs no approver).
   */
  private async askAgain(record: RequestRecord, at: { index: number; attempt: number }, current: StepRecord, fresh: Plan, why: string): Promise<void> {
    const id = record.request.id;
    const r = record.request;
    const procedure = procedureOf(r.args)!;
    const step = procedure.steps[at.index]!;
    const decision = await evaluatePolicy(this.deps, r);
    const asked = { ...current, freshPlan: fresh };
    if (!decision.allowed) {
      const failure = { code: ErrorCode.PolicyDenied, message: decision.reason };
      if (await this.move(id, 'fail', at, { ...asked, status: StepStatus.Failed, failure, endedAt: this.deps.clock.now() })) await this.stop(await this.fresh(id), { step: 'finishFailed', title: `Stopped at step ${at.index + 1}: ${decision.reason}` });
      return;
    }
    const text = `Step ${at.index + 1} of ${procedure.name} (\`${step.text}\`) needs approval again: ${why}.`;
    if (decision.approvals === 0) {
      if (await this.move(id, 'askConfirmation', at, { ...asked, status: StepStatus.AwaitingConfirmation })) await this.note(record, `s${at.index}:a${at.attempt}:asked`, EventKind.ApprovalRequested, text, { step: at.index + 1 });
      return;
    }
    let approval: ApprovalRecord;
    try {
      approval = await this.deps.approvals.create({
        requestId: id,
        verb: step.kind === 'run' ? step.verb : step.kind,
        cluster: r.cluster,
        ...(step.kind === 'run' && step.namespace ? { namespace: step.namespace } : {}),
        channelId: r.channelId,
        messageTs: record.messageTs,
        requesterId: r.userId,
        requiredApprovals: decision.approvals,
        approvers: decision.approvers,
        approversLabel: decision.approversLabel,
        approverDescription: decision.approverDescription,
        plan: fresh,
        ttlMs: decision.ttlMs,
      });
    } catch (err) {
      const d = describeError(err);
      if (await this.move(id, 'fail', at, { ...asked, status: StepStatus.Failed, failure: { code: d.code, message: d.message }, endedAt: this.deps.clock.now() })) await this.stop(await this.fresh(id), { step: 'finishFailed', title: `Stopped at step ${at.index + 1}: ${d.message}` });
      return;
    }
    // Asked before for this very plan (the same drift seen twice): that approval answers it.
    if (approval.state === 'approved') return this.execute(record, procedure, at.index, at.attempt, fresh, { approvalId: approval.id }, { ...asked, approvalId: approval.id });
    if (approval.state !== 'pending') return this.stepEnded({ ...record, steps: Object.assign([...(record.steps ?? [])], { [at.index]: { ...asked, approvalId: approval.id } }) }, approval);
    if (await this.move(id, 'askApproval', at, { ...asked, status: StepStatus.AwaitingApproval, approvalId: approval.id })) {
      await this.note(record, `s${at.index}:a${at.attempt}:asked`, EventKind.ApprovalRequested, `${text} ${decision.approverDescription}`, { approvalId: approval.id, step: at.index + 1 });
    }
  }

  // ---- approvals and clicks on a step

  async stepApproved(record: RequestRecord, approval: ApprovalRecord): Promise<void> {
    const cursor = record.cursor;
    const current = cursor && record.steps?.[cursor.index];
    if (!cursor || !current || current.approvalId !== approval.id || cursor.status !== StepStatus.AwaitingApproval) return;
    await this.note(record, `s${cursor.index}:a${cursor.attempt}:approved`, EventKind.Approved, `Step ${cursor.index + 1} approved again by ${approval.approvals.map((a) => `<@${a.userId}>`).join(', ')}`, { approvalId: approval.id, step: cursor.index + 1 });
    await this.execute(record, procedureOf(record.request.args)!, cursor.index, cursor.attempt, approval.plan, { approvalId: approval.id }, current);
  }

  /** The requester runs a step asked again when the policy needs no approver. */
  async stepConfirmed(record: RequestRecord, userId: string): Promise<boolean> {
    const cursor = record.cursor;
    const current = cursor && record.steps?.[cursor.index];
    if (!cursor || !current?.freshPlan || cursor.status !== StepStatus.AwaitingConfirmation) return false;
    // The requester's Run click on this step's new plan: sealed now, as any decision.
    await sealNow(this.deps, record.request.id, current.freshPlan.fingerprint, { confirmedBy: userId });
    await this.execute(record, procedureOf(record.request.args)!, cursor.index, cursor.attempt, current.freshPlan, { confirmedBy: userId }, { ...current, confirmedBy: userId });
    return true;
  }

  async stepEnded(record: RequestRecord, approval: ApprovalRecord): Promise<void> {
    if (record.state !== 'running') return;
    const index = (record.steps ?? []).findIndex((s) => s?.approvalId === approval.id);
    if (index < 0) return;
    const how = approval.state === 'rejected' ? 'Rejected' : approval.state === 'expired' ? 'Expired' : 'Cancelled';
    const step: Stop['step'] = approval.state === 'rejected' ? 'rejectStep' : approval.state === 'expired' ? 'expireStep' : 'stopRunbook';
    await this.stop(record, { step, title: `${how} at step ${index + 1}: its new plan was not approved${approval.reason ? ` (${approval.reason})` : ''}`, by: approval.endedBy });
  }

  /** A person pressed Done on the manual step the cursor is on. */
  async manualDone(record: RequestRecord, index: number, userId: string): Promise<boolean> {
    const cursor = record.cursor;
    if (!cursor || cursor.index !== index || cursor.status !== StepStatus.AwaitingManual) return false;
    const current = record.steps?.[index] ?? { status: StepStatus.AwaitingManual };
    const procedure = procedureOf(record.request.args)!;
    if (!(await this.move(record.request.id, 'finish', { index, attempt: cursor.attempt }, { ...current, status: StepStatus.Done, doneBy: userId, endedAt: this.deps.clock.now() }))) return false;
    await this.note(record, `s${index}:done`, EventKind.RunbookStep, `Step ${index + 1} done by <@${userId}>: ${procedure.steps[index]!.text}`, { step: index + 1, by: userId });
    await this.advance(record.request.id, index);
    return true;
  }

  /**
   * Cancel: recorded at once; the runbook stops now if no step's job is running (the cursor is at a
   * boundary, or only a read-only plan is in flight), else when the running step ends.
   */
  async cancel(record: RequestRecord, userId: string): Promise<'stopped' | 'at-boundary' | 'ended'> {
    if (record.state !== 'running') return 'ended';
    await this.deps.store.requestCancel(record.request.id, userId, this.deps.clock.now());
    const now = await this.fresh(record.request.id);
    const cursor = now.cursor;
    await this.note(now, 'cancel', EventKind.Cancelled, `Cancel of runbook requested by <@${userId}>${cursor?.status === StepStatus.Running ? `: it stops when step ${cursor.index + 1} ends` : ''}`, {});
    this.deps.changed(record.request.id);
    if (cursor && cursor.status !== StepStatus.Running) {
      const total = procedureOf(record.request.args)!.steps.length;
      await this.stop(now, { step: 'stopRunbook', title: `Cancelled at step ${Math.min(cursor.index + 1, total)} of ${total}` });
      return 'stopped';
    }
    return 'at-boundary';
  }

  // ---- the end

  private async complete(record: RequestRecord): Promise<void> {
    const procedure = procedureOf(record.request.args)!;
    const outcome = runbookOutcome(procedure, record.steps ?? []);
    const took = record.startedAt ? ` in ${formatDuration(this.deps.clock.now() - record.startedAt)}` : '';
    const result: JobResult = { ok: true, title: `Runbook ${procedure.name} done: ${procedure.steps.length} steps${took}`, text: '', changed: outcome.changed, unchanged: outcome.unchanged };
    if (!(await this.deps.store.transition(record.request.id, 'finish', { result })).ok) return;
    await this.note(record, 'finished', EventKind.JobFinished, result.title, { runbook: procedure.name, changed: result.changed });
    this.deps.changed(record.request.id);
  }

  /** Ends the runbook early, saying what state the cluster was left in. */
  private async stop(record: RequestRecord, how: Stop): Promise<void> {
    const procedure = procedureOf(record.request.args)!;
    const outcome = runbookOutcome(procedure, record.steps ?? []);
    const left = outcome.left.length ? outcome.left : ['nothing this runbook changes was changed'];
    const result: JobResult = { ok: false, title: how.title, text: `The cluster was left as the steps that ran made it: ${left.join('; ')}.`, changed: outcome.changed, unchanged: outcome.unchanged, code: how.step === 'finishFailed' ? ErrorCode.Internal : ErrorCode.RequestEnded };
    const fields: TransitionFields = { result };
    if (!(await this.deps.store.transition(record.request.id, how.step, fields)).ok) return;
    const by = how.by ?? record.cancel?.by;
    await this.note(record, 'stopped', how.step === 'finishFailed' ? EventKind.JobFailed : EventKind.Cancelled, `Runbook ${procedure.name}: ${how.title}${by && how.step !== 'finishFailed' ? ` (by <@${by}>)` : ''}. ${result.text}`, { runbook: procedure.name, changed: outcome.changed, unchanged: outcome.unchanged });
    this.deps.changed(record.request.id);
  }

  // ---- recovery

  /**
   * Makes sure every running runbook whose cursor stood still for a while has what its step needs:
   * a bot that died between moving the cursor and queueing the step's job, or between a step's
   * end and the next step, is caught up here. Safe on any number of replicas at once.
   */
  async sweep(): Promise<void> {
    const now = this.deps.clock.now();
    for (const id of await this.deps.store.runningRunbooks()) {
      try {
        const record = await this.deps.store.get(id);
        const cursor = record?.cursor;
        if (!record || record.state !== 'running' || !cursor || now - cursor.at < (this.deps.runbookStallMs ?? STALL_MS)) continue;
        const procedure = procedureOf(record.request.args)!;
        const current = record.steps?.[cursor.index] ?? { status: StepStatus.Pending };
        switch (cursor.status) {
          case StepStatus.Reached:
            await this.reach(id, cursor.index);
            break;
          case StepStatus.Done:
          case StepStatus.Skipped:
            await this.advance(id, cursor.index);
            break;
          case StepStatus.Checking:
          case StepStatus.Planning:
            await queueStepPlan(this.deps, record, procedure, { index: cursor.index, attempt: cursor.attempt, part: cursor.status === StepStatus.Checking ? 'check' : 'run' });
            break;
          case StepStatus.Running:
            if (current.approvedPlan) await this.queueExecution(record, procedure, cursor.index, cursor.attempt, current.approvedPlan, this.approvalOf(record, current));
            break;
          default:
            if (record.cancel && STEP_BOUNDARIES.includes(cursor.status)) await this.cancel(record, record.cancel.by);
        }
      } catch (err) {
        this.deps.logger.warn({ err, requestId: id }, 'runbook sweep failed for one runbook');
      }
    }
  }

  private async fresh(id: string): Promise<RequestRecord> {
    return (await this.deps.store.get(id))!;
  }

  /** A line on the incident open in the runbook's channel; the incident's id, or undefined when none is open. */
  private note(record: RequestRecord, key: string, kind: string, text: string, data: Record<string, unknown>): Promise<string | undefined> {
    return noteQuietly(this.deps, record.request, { key: `${record.request.id}:runbook:${key}`, kind, actor: 'sitrep', text, data });
  }
}
