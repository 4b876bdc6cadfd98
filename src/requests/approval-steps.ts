import type { ApprovalRecord, ApproveOutcome, EndOutcome, PolicyDecision } from '../approval/index.js';
import { formatDuration } from '../core/duration.js';
import { currentDeadline, withoutDeadline } from '../core/deadline.js';
import { describeError, ErrorCode } from '../core/errors.js';
import { GRANT_TTL_MS, signGrant, type JobGrant } from '../core/job-grant.js';
import { JobKind } from '../core/job.js';
import { planDrift, type Plan } from '../core/plan.js';
import { EventKind } from '../core/timeline-event.js';
import { foreignClick, FOREIGN_CLICK_MESSAGE, TEAM_UNKNOWN_MESSAGE, type ClickContext } from './click.js';
import type { RequestDeps } from './deps.js';
import { requireSeal, sealNow } from './decisions.js';
import { approversNow, evaluatePolicy, policyNowProblem } from './policy-check.js';
import { procedureOf } from '../runbooks/index.js';
import type { ConcurrentOperation, RequestRecord, TransitionFields } from './request-store.js';
import { isFinal, RequestState } from './request-state.js';
import { noteQuietly } from './timeline-note.js';
import { requestTarget } from './audit-log.js';

/** What a click handler tells the clicker privately; undefined means the card says it all. */
export type ClickReply = string | undefined;

/**
 * What the approval steps hand to a runbook's own steps (runbook-steps.ts): the runbook was
 * approved or confirmed as a whole, or one of its steps' own approvals ended.
 */
export interface RunbookApprovalHooks {
  /** The whole procedure may run: start its step cursor (instead of queueing one execution). */
  begin(record: RequestRecord): Promise<void>;
  /** A step asked again was approved: run it under the plan that approval is for. */
  stepApproved(record: RequestRecord, approval: ApprovalRecord): Promise<void>;
  /** A step asked again was rejected, expired or cancelled: the runbook stops there. */
  stepEnded(record: RequestRecord, approval: ApprovalRecord): Promise<void>;
}

/** `--dry-run` (any form but false): show the plan, ask no one, change nothing. */
const isDryRun = (record: RequestRecord) => Boolean(record.request.args.dryRun);

const warningData = (plan: Plan) => plan.warnings.map((w) => ({ code: w.code, severity: w.severity, message: w.message }));

/** A runbook's step asked again has its own approval; the runbook's own is record.approvalId. */
const isStepApproval = (record: RequestRecord, approvalId: string) => record.approvalId !== approvalId && procedureOf(record.request.args) !== undefined;

/**
 * The lifecycle's steps from a plan to an approved execution: show the plan and ask for what the
 * policy requires, take clicks through the atomic approval store, and queue the execution exactly
 * once, signed, with the plan that was shown. Each state change is a guarded step of transitions.ts.
 *
 * The policy is asked again at every click and once more just before signing: a vote counts only
 * from someone both the policy at the request and the policy now allow, the count needed is the
 * larger of the two, and guests approve only when a rule names them.
 */
export class ApprovalSteps {
  /** Set by the lifecycle: where approved runbooks and their steps' approvals go. */
  runbooks?: RunbookApprovalHooks;

  constructor(private readonly deps: RequestDeps) {}

  /**
   * The plan ready step: store the plan, then refuse, finish, or ask for approval or confirmation.
   * A runbook's procedure is asked for even when no step can be planned yet (its actions are empty).
   */
  async planReady(record: RequestRecord, plan: Plan): Promise<void> {
    const { store } = this.deps;
    const id = record.request.id;
    let drift: { added: string[]; removed: string[] } | undefined;
    if (record.replanOf) {
      const before = await store.get(record.replanOf);
      if (before?.plan) drift = planDrift(before.plan, plan);
    }
    const concurrent = await this.concurrent(record);
    // A replayed plan result finds the request past `planning` and changes nothing.
    if (!(await store.transition(id, 'planReady', { plan, ...(drift ? { drift } : {}), ...(concurrent.length ? { concurrent } : {}) })).ok) return;
    await noteQuietly(this.deps, record.request, {
      key: `${id}:plan`,
      kind: EventKind.Plan,
      actor: 'sitrep',
      text: `Plan: ${plan.summary}${plan.warnings.length ? ` (${plan.warnings.length} warning(s))` : ''}`,
      data: { summary: plan.summary, warnings: warningData(plan), actions: plan.actions.length, fingerprint: plan.fingerprint, ...(plan.refusal ? { refused: plan.refusal.message } : {}) },
    });
    if (plan.refusal) {
      await store.transition(id, 'refuse', { failure: { code: ErrorCode.DrainRefused, message: plan.refusal.message, ...(plan.refusal.flag ? { hint: `Add ${plan.refusal.flag} to override, if you are sure.` } : {}) } });
      return;
    }
    if (isDryRun(record)) {
      await store.transition(id, 'finishUnrun', { result: { ok: true, title: 'Dry run: nothing was changed', text: `This is what \`${record.request.verb}\` would do: ${plan.summary}`, changed: [], unchanged: [] } });
      return;
    }
    if (plan.actions.length === 0 && !procedureOf(record.request.args)) {
      await store.transition(id, 'finishUnrun', { result: { ok: true, title: 'Nothing to do', text: plan.summary, changed: [], unchanged: [] } });
      return;
    }
    const r = record.request;
    const decision = await evaluatePolicy(this.deps, r);
    if (!decision.allowed) {
      await store.transition(id, 'refuse', { failure: { code: ErrorCode.PolicyDenied, message: decision.reason } });
      return;
    }
    if (decision.approvals === 0) {
      // Only now, with the policy checked, does the card offer the requester a Run button.
      await store.transition(id, 'askConfirmation');
      return;
    }
    const current = await store.get(id);
    const approval = await this.deps.approvals.create({
      requestId: id,
      verb: r.verb,
      cluster: r.cluster,
      namespace: r.namespace,
      channelId: r.channelId,
      messageTs: current?.messageTs ?? record.messageTs,
      requesterId: r.userId,
      requiredApprovals: decision.approvals,
      approvers: decision.approvers,
      approversLabel: decision.approversLabel,
      approverDescription: decision.approverDescription,
      plan,
      ttlMs: decision.ttlMs,
    });
    await store.transition(id, 'askApproval', { approvalId: approval.id });
    await noteQuietly(this.deps, r, {
      key: `${id}:approval.requested`,
      kind: EventKind.ApprovalRequested,
      actor: 'sitrep',
      text: `Approval requested: ${decision.approverDescription}`,
      data: { approvalId: approval.id, needed: decision.approvals, approvers: decision.approversLabel, warnings: warningData(plan) },
    });
  }

  /**
   * Other operations pending or running in the request's cluster, in words, so an approver sees
   * that a scale is still running while they approve a drain of a node its pods are on.
   */
  private async concurrent(record: RequestRecord): Promise<ConcurrentOperation[]> {
    const held = await this.deps.store.locks.held(record.request.cluster);
    const others = held.filter((h) => h.requestId !== record.request.id && h.requestId !== record.replanOf);
    const found = await Promise.all(others.slice(0, 10).map((h) => this.deps.store.get(h.requestId)));
    return found
      .filter((o): o is RequestRecord => o !== undefined && !isFinal(o.state))
      .map((o) => ({ requestId: o.request.id, text: `${o.request.command} ${o.request.text}`, userId: o.request.userId, state: o.state }));
  }

  /** One audit line for a click: who clicked what on which request, and what came of it. */
  private clicked(record: RequestRecord, userId: string, outcome: 'vote' | 'reject' | 'cancel' | 'run' | 'refused', detail?: string): void {
    const r = record.request;
    this.deps.audit.line({ requestId: r.id, user: userId, verb: r.verb, target: requestTarget(r), cluster: r.cluster, outcome, ...(detail ? { detail } : {}) });
  }

  /** Refuses a click that does not belong to the request's card; audited. Undefined when it does. */
  async checkPlace(click: ClickContext, record: RequestRecord, approvalId?: string): Promise<ClickReply | undefined> {
    const why = foreignClick(click, { channelId: record.request.channelId, messageTs: record.messageTs, team: this.deps.slackTeam() });
    if (!why) return undefined;
    const r = record.request;
    if (approvalId) await this.deps.approvals.refuse(approvalId, click.userId, why);
    else await this.deps.approvals.auditRefusal({ requestId: r.id, verb: r.verb, cluster: r.cluster, user: click.userId, detail: `run: ${why}` });
    this.clicked(record, click.userId, 'refused', why);
    return this.deps.slackTeam() ? FOREIGN_CLICK_MESSAGE : TEAM_UNKNOWN_MESSAGE;
  }

  /**
   * Refuses a click on a card drawn for another plan than the one waiting now (a record changed in
   * Redis behind the card): a person approves what they saw, never what replaced it. Audited.
   */
  async staleCard(record: RequestRecord, click: ClickContext, waiting: string, approvalId?: string): Promise<ClickReply | undefined> {
    if (!click.shownPlan || click.shownPlan === waiting) return undefined;
    const why = `the card showed plan ${click.shownPlan}, but plan ${waiting} is the one waiting`;
    if (approvalId) await this.deps.approvals.refuse(approvalId, click.userId, `approve: ${why}`);
    this.clicked(record, click.userId, 'refused', why);
    return 'Stale card: the plan waiting now is not the one this card showed, so nothing was counted or run. Read the plan on the request\'s card as it is now, then decide.';
  }

  /**
   * The approve or run step: moves the request to `approved` (one caller wins), then queues the
   * execution. The state is written first, so the job's own events always find it there.
   */
  private async startExecution(record: RequestRecord, plan: Plan, step: 'approve' | 'confirm', grant: Pick<JobGrant, 'approvalId' | 'confirmedBy'>, fields: TransitionFields = {}): Promise<boolean> {
    if (!(await this.deps.store.transition(record.request.id, step, fields)).ok) return false;
    await this.queueExecution(record, plan, grant);
    return true;
  }

  /**
   * Queues the signed execution of an approved request; idempotent (the job id is fixed per
   * request). The grant names the request, cluster, verb, args and the approved plan's
   * fingerprint, and expires GRANT_TTL_MS after signing.
   */
  private async queueExecution(record: RequestRecord, plan: Plan, who: Pick<JobGrant, 'approvalId' | 'confirmedBy'>): Promise<void> {
    const r = record.request;
    try {
      const approval = who.approvalId ? await this.deps.approvals.get(who.approvalId) : undefined;
      const problem = await policyNowProblem(this.deps, record.request, approval);
      if (problem) {
        await this.deps.store.transition(r.id, 'fail', { failure: { code: ErrorCode.PolicyDenied, message: `Not run: ${problem}.`, hint: 'Nothing was changed. Run the command again to ask under the policy in force now.' } });
        return;
      }
      // A runbook runs step by step: its cursor queues each step's own signed execution.
      if (this.runbooks && procedureOf(r.args)) {
        await this.runbooks.begin(record);
        return;
      }
      // Signed only under the decision sealed at its click: a record forged in Redis has none.
      const seal = await requireSeal(this.deps, r.id, plan.fingerprint, who.approvalId ? { approvalId: who.approvalId } : { confirmedBy: who.confirmedBy! });
      // Before the release deadline is fixed and signed: the wait for a worker (up to 3 s, a
      // worker restarting in a rollout) must not use up the click's 1.8 s, or the job is added
      // after its deadline and refused as if Redis had not answered.
      await this.deps.producer.awaitLiveWorker(r.cluster);
      const now = this.deps.clock.now();
      const releaseBy = currentDeadline();
      const grant: JobGrant = { v: 1, requestId: r.id, cluster: r.cluster, verb: r.verb, args: r.args, planFingerprint: plan.fingerprint, ...who, issuedAt: now, expiresAt: now + GRANT_TTL_MS, seal, ...(releaseBy === undefined ? {} : { releaseBy }) };
      await this.deps.producer.enqueue({
        v: 1,
        kind: JobKind.Execute,
        verb: r.verb,
        requestId: r.id,
        cluster: r.cluster,
        args: r.args,
        requestedBy: r.userId,
        channelId: r.channelId,
        approvedPlan: plan,
        grant,
        signature: signGrant(grant, this.deps.jobKey),
        ...(releaseBy === undefined ? {} : { releaseBy }),
      }, { requireWorker: false });
    } catch (err) {
      const d = describeError(err);
      // Past the click's deadline too: this records what happened, whenever Redis takes it.
      await withoutDeadline(() =>
        this.deps.store.transition(r.id, 'fail', {
          failure: { code: d.code, message: `Approved, but the job could not be queued: ${d.message}`, hint: 'Nothing was changed. Run the command again once the cause is fixed.' },
        }),
      );
    }
  }

  /** Why this person's vote cannot be taken under the policy now, or undefined. Audited when refused. */
  private async voterProblem(approval: ApprovalRecord, userId: string, decision: PolicyDecision): Promise<string | undefined> {
    if (!decision.allowed) return `The policy in force now refuses this request: ${decision.reason}`;
    if (userId !== approval.requesterId && !decision.namedApprovers.includes(userId) && (await this.deps.isGuest(userId))) {
      return `Guests cannot approve a ${approval.verb} unless the policy names them as an approver. Ask someone else in ${approval.approversLabel || 'the team'}.`;
    }
    return undefined;
  }

  async approve(approvalId: string, click: ClickContext): Promise<ClickReply> {
    const found = await this.deps.approvals.get(approvalId);
    if (!found) return (await this.deps.approvals.approve(approvalId, click.userId)).message;
    const record = await this.deps.store.get(found.requestId);
    if (!record) return 'This request is no longer known to sitrep.';
    const foreign = await this.checkPlace(click, record, approvalId);
    if (foreign) return foreign;
    const userId = click.userId;
    const stale = await this.staleCard(record, click, found.planFingerprint, approvalId);
    if (stale) return stale;
    const decision = await evaluatePolicy(this.deps, record.request);
    if (found.state === 'pending') {
      const problem = await this.voterProblem(found, userId, decision);
      if (problem) {
        await this.deps.approvals.refuse(approvalId, userId, `approve: ${problem}`);
        this.clicked(record, userId, 'refused', problem);
        return problem;
      }
    }
    const outcome: ApproveOutcome = await this.deps.approvals.approve(approvalId, userId, { approvers: approversNow(decision), required: decision.approvals });
    if (outcome.kind === 'unknown' || outcome.kind === 'refused') {
      this.clicked(record, userId, 'refused', outcome.message);
      return outcome.message;
    }
    if (outcome.kind === 'ended') {
      this.clicked(record, userId, 'refused', outcome.message);
      if (outcome.justExpired) await this.ended(record, outcome.record);
      // Approved, but the bot that took the deciding click died before queueing the job: any
      // later click finishes the hand-over. Safe to repeat: the job id is fixed per request.
      if (outcome.state === 'approved') {
        if (this.runbooks && isStepApproval(record, approvalId)) await this.runbooks.stepApproved(record, outcome.record);
        else if (record.state === RequestState.AwaitingApproval) await this.startExecution(record, outcome.record.plan, 'approve', { approvalId });
        else if (record.state === RequestState.Approved) await this.queueExecution(record, outcome.record.plan, { approvalId });
        this.deps.changed(record.request.id);
      }
      return outcome.message;
    }
    this.clicked(record, userId, 'vote', `${outcome.record.approvals.length}/${Math.max(outcome.record.requiredApprovals, decision.approvals)}${outcome.kind === 'approved' ? ', approved' : ''}`);
    const approvedAt = outcome.record.approvals.find((a) => a.userId === userId)?.at ?? this.deps.clock.now();
    await noteQuietly(this.deps, record.request, {
      key: `${record.request.id}:approval:${userId}`,
      kind: EventKind.Approved,
      at: approvedAt,
      actor: userId,
      text: `Approved by <@${userId}>`,
      data: { approvalId, needed: outcome.record.requiredApprovals, approvers: outcome.record.approversLabel },
    });
    if (outcome.kind === 'approved') {
      // This very click completed the approval: seal it now, before anything reads it back.
      await sealNow(this.deps, record.request.id, outcome.record.planFingerprint, { approvalId });
      if (this.runbooks && isStepApproval(record, approvalId)) await this.runbooks.stepApproved(record, outcome.record);
      else await this.startExecution(record, outcome.record.plan, 'approve', { approvalId });
    }
    this.deps.changed(record.request.id);
    return outcome.kind === 'recorded' ? outcome.message : undefined;
  }

  async end(mode: 'reject' | 'cancel', approvalId: string, click: ClickContext, reason = ''): Promise<ClickReply> {
    const found = await this.deps.approvals.get(approvalId);
    const record = found && (await this.deps.store.get(found.requestId));
    if (found && record) {
      const foreign = await this.checkPlace(click, record, approvalId);
      if (foreign) return foreign;
    }
    const outcome: EndOutcome = mode === 'reject' ? await this.deps.approvals.reject(approvalId, click.userId, reason) : await this.deps.approvals.cancel(approvalId, click.userId);
    if (record) this.clicked(record, click.userId, outcome.kind === 'done' ? (outcome.state === 'rejected' ? 'reject' : 'cancel') : 'refused', outcome.kind === 'done' ? reason || undefined : outcome.message);
    if (outcome.kind === 'unknown' || outcome.kind === 'refused') return outcome.message;
    if (!record) return outcome.message;
    if (outcome.kind === 'ended' && !outcome.justExpired) return outcome.message;
    await this.ended(record, outcome.record);
    return undefined;
  }

  /** The reject, expire or cancel step, with a line on the timeline. */
  async ended(record: RequestRecord, approval: ApprovalRecord): Promise<void> {
    // Only the request's current approval speaks for it (an older one may expire later), except
    // a runbook step's own approval, which stops the runbook when it ends without approving.
    if (record.approvalId && record.approvalId !== approval.id) {
      if (this.runbooks && isStepApproval(record, approval.id)) await this.runbooks.stepEnded(record, approval);
      return;
    }
    const step = ({ rejected: 'reject', expired: 'expire', cancelled: 'cancel' } as const)[approval.state as 'rejected' | 'expired' | 'cancelled'];
    if (!step) return;
    await this.deps.store.transition(record.request.id, step);
    const kind = { rejected: EventKind.Rejected, expired: EventKind.Expired, cancelled: EventKind.Cancelled }[approval.state as 'rejected' | 'expired' | 'cancelled'];
    const who = approval.endedBy ? ` by <@${approval.endedBy}>` : ` after ${formatDuration(approval.expiresAt - approval.createdAt)}`;
    await noteQuietly(this.deps, record.request, {
      key: `${record.request.id}:${approval.state}`,
      kind,
      at: approval.endedAt ?? this.deps.clock.now(),
      actor: approval.endedBy ?? 'sitrep',
      text: `${approval.state[0].toUpperCase()}${approval.state.slice(1)}${who}${approval.reason ? `: ${approval.reason}` : ''}`,
      data: { approvalId: approval.id },
    });
    this.deps.changed(record.request.id);
  }

  /** The run step: the requester runs a plan that needs no approval. */
  async confirm(requestId: string, click: ClickContext): Promise<ClickReply> {
    const { store } = this.deps;
    const record = await store.get(requestId);
    if (!record || !record.plan) return 'This request is no longer known to sitrep.';
    const foreign = await this.checkPlace(click, record);
    if (foreign) return foreign;
    const userId = click.userId;
    if (record.request.userId !== userId) {
      this.clicked(record, userId, 'refused', 'run: not the requester');
      return `Only <@${record.request.userId}>, who asked for it, can run this.`;
    }
    if (record.state !== RequestState.AwaitingConfirmation || record.approvalId) return 'This request is already running or ended.';
    const stale = await this.staleCard(record, click, record.plan.fingerprint);
    if (stale) return stale;
    this.clicked(record, userId, 'run');
    // The policy may have changed since the card was posted: a Run button never bypasses approvers.
    const decision = await evaluatePolicy(this.deps, record.request);
    if (!decision.allowed || decision.approvals > 0) {
      await store.transition(requestId, 'refuse', { failure: { code: ErrorCode.PolicyDenied, message: decision.allowed ? 'The policy now requires approval for this; run the command again to ask for it.' : decision.reason } });
      this.deps.changed(requestId);
      return undefined;
    }
    await sealNow(this.deps, requestId, record.plan.fingerprint, { confirmedBy: userId });
    if (!(await this.startExecution(record, record.plan, 'confirm', { confirmedBy: userId }, { confirmedBy: userId }))) return 'This request is already running or ended.';
    await noteQuietly(this.deps, record.request, { key: `${requestId}:confirmed`, kind: EventKind.Approved, actor: userId, text: `Confirmed by <@${userId}> (no approval needed by policy)` });
    this.deps.changed(requestId);
    return undefined;
  }

  /** Ends requests whose approval window closed. Any replica may run it; each is ended once. */
  async sweepExpired(): Promise<void> {
    const expired = await this.deps.approvals.expireDue();
    for (const approval of expired) {
      // One bad record must not keep the others' cards from saying they expired.
      try {
        const record = await this.deps.store.get(approval.requestId);
        if (record) await this.ended(record, approval);
      } catch (err) {
        this.deps.logger.warn({ err, approvalId: approval.id }, 'could not mark an expired request');
      }
    }
  }
}
