import type { ApprovalRecord, ApproveOutcome, EndOutcome } from '../approval/index.js';
import { formatDuration } from '../core/duration.js';
import { describeError, ErrorCode } from '../core/errors.js';
import { JobKind } from '../core/job.js';
import { planDrift, type Plan } from '../core/plan.js';
import { EventKind } from '../core/timeline-event.js';
import type { RequestDeps } from './deps.js';
import { evaluatePolicy } from './policy-check.js';
import type { RequestRecord, TransitionFields } from './request-store.js';
import { RequestState } from './request-state.js';
import { noteQuietly } from './timeline-note.js';

/** What a click handler tells the clicker privately; undefined means the card says it all. */
export type ClickReply = string | undefined;

/** `--dry-run` (any form but false): show the plan, ask no one, change nothing. */
const isDryRun = (record: RequestRecord) => Boolean(record.request.args.dryRun);

const warningData = (plan: Plan) => plan.warnings.map((w) => ({ code: w.code, severity: w.severity, message: w.message }));

/**
 * The lifecycle's steps from a plan to an approved execution: show the plan and ask for what the
 * policy requires, take clicks through the atomic approval store, and queue the execution exactly
 * once with the plan that was shown. Each state change is a guarded step of transitions.ts.
 */
export class ApprovalSteps {
  constructor(private readonly deps: RequestDeps) {}

  /** The plan ready step: store the plan, then refuse, finish, or ask for approval or confirmation. */
  async planReady(record: RequestRecord, plan: Plan): Promise<void> {
    const { store } = this.deps;
    const id = record.request.id;
    let drift: { added: string[]; removed: string[] } | undefined;
    if (record.replanOf) {
      const before = await store.get(record.replanOf);
      if (before?.plan) drift = planDrift(before.plan, plan);
    }
    // A replayed plan result finds the request past `planning` and changes nothing.
    if (!(await store.transition(id, 'planReady', { plan, ...(drift ? { drift } : {}) })).ok) return;
    await noteQuietly(this.deps, record.request, {
      key: `${id}:plan`,
      kind: EventKind.Plan,
      actor: 'sitrep',
      text: `Plan: ${plan.summary}${plan.warnings.length ? ` (${plan.warnings.length} warning(s))` : ''}`,
      data: { summary: plan.summary, warnings: warningData(plan), actions: plan.actions.length, fingerprint: plan.fingerprint },
    });
    if (plan.refusal) {
      await store.transition(id, 'refuse', { failure: { code: ErrorCode.DrainRefused, message: plan.refusal.message, ...(plan.refusal.flag ? { hint: `Add ${plan.refusal.flag} to override, if you are sure.` } : {}) } });
      return;
    }
    if (isDryRun(record)) {
      await store.transition(id, 'finishUnrun', { result: { ok: true, title: 'Dry run: nothing was changed', text: `This is what \`${record.request.verb}\` would do: ${plan.summary}`, changed: [], unchanged: [] } });
      return;
    }
    if (plan.actions.length === 0) {
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
    const approval = await this.deps.approvals.create({
      requestId: id,
      verb: r.verb,
      cluster: r.cluster,
      namespace: r.namespace,
      channelId: r.channelId,
      messageTs: record.messageTs,
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
   * The approve or run step: moves the request to `approved` (one caller wins), then queues the
   * execution. The state is written first, so the job's own events always find it there.
   */
  private async startExecution(record: RequestRecord, plan: Plan, step: 'approve' | 'confirm', fields: TransitionFields = {}): Promise<boolean> {
    if (!(await this.deps.store.transition(record.request.id, step, fields)).ok) return false;
    await this.queueExecution(record, plan);
    return true;
  }

  /** Queues the execution of an approved request; idempotent (the job id is fixed per request). */
  private async queueExecution(record: RequestRecord, plan: Plan): Promise<void> {
    const r = record.request;
    try {
      await this.deps.producer.enqueue({ v: 1, kind: JobKind.Execute, verb: r.verb, requestId: r.id, cluster: r.cluster, args: r.args, requestedBy: r.userId, channelId: r.channelId, approvedPlan: plan });
    } catch (err) {
      const d = describeError(err);
      await this.deps.store.transition(r.id, 'fail', {
        failure: { code: d.code, message: `Approved, but the job could not be queued: ${d.message}`, hint: 'Nothing was changed. Run the command again once the cause is fixed.' },
      });
    }
  }

  async approve(approvalId: string, userId: string): Promise<ClickReply> {
    const outcome: ApproveOutcome = await this.deps.approvals.approve(approvalId, userId);
    if (outcome.kind === 'unknown' || outcome.kind === 'refused') return outcome.message;
    const record = await this.deps.store.get(outcome.record.requestId);
    if (!record) return 'This request is no longer known to sitrep.';
    if (outcome.kind === 'ended') {
      if (outcome.justExpired) await this.ended(record, outcome.record);
      // Approved, but the bot that took the deciding click died before queueing the job: any
      // later click finishes the hand-over. Safe to repeat: the job id is fixed per request.
      if (outcome.state === 'approved') {
        if (record.state === RequestState.AwaitingApproval) await this.startExecution(record, outcome.record.plan, 'approve');
        else if (record.state === RequestState.Approved) await this.queueExecution(record, outcome.record.plan);
        this.deps.changed(record.request.id);
      }
      return outcome.message;
    }
    const approvedAt = outcome.record.approvals.find((a) => a.userId === userId)?.at ?? this.deps.clock.now();
    await noteQuietly(this.deps, record.request, {
      key: `${record.request.id}:approval:${userId}`,
      kind: EventKind.Approved,
      at: approvedAt,
      actor: userId,
      text: `Approved by <@${userId}>`,
      data: { approvalId, needed: outcome.record.requiredApprovals, approvers: outcome.record.approversLabel },
    });
    if (outcome.kind === 'approved') await this.startExecution(record, outcome.record.plan, 'approve');
    this.deps.changed(record.request.id);
    return outcome.kind === 'recorded' ? outcome.message : undefined;
  }

  async end(mode: 'reject' | 'cancel', approvalId: string, userId: string, reason = ''): Promise<ClickReply> {
    const outcome: EndOutcome = mode === 'reject' ? await this.deps.approvals.reject(approvalId, userId, reason) : await this.deps.approvals.cancel(approvalId, userId);
    if (outcome.kind === 'unknown' || outcome.kind === 'refused') return outcome.message;
    const record = await this.deps.store.get(outcome.record.requestId);
    if (!record) return outcome.message;
    if (outcome.kind === 'ended' && !outcome.justExpired) return outcome.message;
    await this.ended(record, outcome.record);
    return undefined;
  }

  /** The reject, expire or cancel step, with a line on the timeline. */
  async ended(record: RequestRecord, approval: ApprovalRecord): Promise<void> {
    // Only the request's current approval speaks for it (an older one may expire later).
    if (record.approvalId && record.approvalId !== approval.id) return;
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
  async confirm(requestId: string, userId: string): Promise<ClickReply> {
    const { store } = this.deps;
    const record = await store.get(requestId);
    if (!record || !record.plan) return 'This request is no longer known to sitrep.';
    if (record.request.userId !== userId) return `Only <@${record.request.userId}>, who asked for it, can run this.`;
    if (record.state !== RequestState.AwaitingConfirmation || record.approvalId) return 'This request is already running or ended.';
    // The policy may have changed since the card was posted: a Run button never bypasses approvers.
    const decision = await evaluatePolicy(this.deps, record.request);
    if (!decision.allowed || decision.approvals > 0) {
      await store.transition(requestId, 'refuse', { failure: { code: ErrorCode.PolicyDenied, message: decision.allowed ? 'The policy now requires approval for this; run the command again to ask for it.' : decision.reason } });
      this.deps.changed(requestId);
      return undefined;
    }
    if (!(await this.startExecution(record, record.plan, 'confirm', { confirmedBy: userId }))) return 'This request is already running or ended.';
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
