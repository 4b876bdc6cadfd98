import type { ApprovalRecord, ApproveOutcome, EndOutcome } from '../approval/index.js';
import { ErrorCode } from '../core/errors.js';
import { JobKind } from '../core/job.js';
import { planDrift, type Plan } from '../core/plan.js';
import { EventKind } from '../core/timeline-event.js';
import { formatDuration } from '../core/duration.js';
import type { BotServices } from './bot-services.js';
import { evaluatePolicy, recordOnIncident } from './request-intake.js';
import { RequestState, type RequestRecord } from './request-store.js';

/** What a button handler tells the clicker privately; undefined means the card says it all. */
export type ClickReply = string | undefined;

/** `--dry-run` (any form but false): show the plan, ask no one, change nothing. */
const isDryRun = (record: RequestRecord) => Boolean(record.request.args.dryRun);

const warningData = (plan: Plan) => plan.warnings.map((w) => ({ code: w.code, severity: w.severity, message: w.message }));

/**
 * From a plan to an approved execution: creates the approval request (or asks the requester to
 * confirm when the policy needs no approver), takes button clicks through the atomic approval
 * store, and enqueues the execution exactly once with the plan that was shown.
 */
export class ApprovalFlow {
  constructor(private readonly services: BotServices) {}

  private note(record: RequestRecord, event: Parameters<typeof recordOnIncident>[2]): Promise<unknown> {
    return recordOnIncident(this.services, record.request, event).catch((err) => this.services.logger.warn({ err }, 'timeline append failed'));
  }

  /** A plan job finished: show the plan and ask for what the policy requires. */
  async planReady(record: RequestRecord, plan: Plan): Promise<void> {
    const { requests } = this.services;
    const id = record.request.id;
    let drift: { added: string[]; removed: string[] } | undefined;
    if (record.replanOf) {
      const before = await requests.get(record.replanOf);
      if (before?.plan) drift = planDrift(before.plan, plan);
    }
    await requests.update(id, { plan, state: RequestState.Planned, ...(drift ? { drift } : {}) });
    await this.note(record, {
      key: `${id}:plan`,
      kind: EventKind.Plan,
      actor: 'sitrep',
      text: `Plan: ${plan.summary}${plan.warnings.length ? ` (${plan.warnings.length} warning(s))` : ''}`,
      data: { summary: plan.summary, warnings: warningData(plan), actions: plan.actions.length, fingerprint: plan.fingerprint },
    });
    if (plan.refusal) {
      await requests.update(id, { state: RequestState.Refused, failure: { code: ErrorCode.DrainRefused, message: plan.refusal.message, ...(plan.refusal.flag ? { hint: `Add ${plan.refusal.flag} to override, if you are sure.` } : {}) } });
      return;
    }
    if (isDryRun(record)) {
      await requests.update(id, { state: RequestState.Done, result: { ok: true, title: 'Dry run: nothing was changed', text: `This is what \`${record.request.verb}\` would do: ${plan.summary}`, changed: [], unchanged: [] } });
      return;
    }
    if (plan.actions.length === 0) {
      await requests.update(id, { state: RequestState.Done, result: { ok: true, title: 'Nothing to do', text: plan.summary, changed: [], unchanged: [] } });
      return;
    }
    const r = record.request;
    const decision = await evaluatePolicy(this.services, r);
    if (!decision.allowed) {
      await requests.update(id, { state: RequestState.Refused, failure: { code: ErrorCode.PolicyDenied, message: decision.reason } });
      return;
    }
    if (decision.approvals === 0) {
      // Only now, with the policy checked, does the card offer the requester a Run button.
      await requests.update(id, { state: RequestState.AwaitingConfirmation });
      return;
    }
    const approval = await this.services.approvals.create({
      requestId: id,
      verb: r.verb,
      cluster: r.cluster,
      namespace: typeof r.args.namespace === 'string' ? r.args.namespace : undefined,
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
    await requests.update(id, { approvalId: approval.id, state: RequestState.AwaitingApproval });
    await this.note(record, {
      key: `${id}:approval.requested`,
      kind: EventKind.ApprovalRequested,
      actor: 'sitrep',
      text: `Approval requested: ${decision.approverDescription}`,
      data: { approvalId: approval.id, needed: decision.approvals, approvers: decision.approversLabel, warnings: warningData(plan) },
    });
  }

  private async start(record: RequestRecord, plan: Plan): Promise<void> {
    const r = record.request;
    await this.services.producer.enqueue({
      v: 1,
      kind: JobKind.Execute,
      verb: r.verb,
      requestId: r.id,
      cluster: r.cluster,
      args: r.args,
      requestedBy: r.userId,
      channelId: r.channelId,
      approvedPlan: plan,
    });
    // Marked after queueing: a crash in between leaves the request recoverable by the next click.
    await this.services.requests.update(r.id, { state: RequestState.Approved });
  }

  private async recordFor(approval: ApprovalRecord): Promise<RequestRecord | undefined> {
    return this.services.requests.get(approval.requestId);
  }

  async approve(approvalId: string, userId: string): Promise<ClickReply> {
    const outcome: ApproveOutcome = await this.services.approvals.approve(approvalId, userId);
    if (outcome.kind === 'unknown' || outcome.kind === 'refused') return outcome.message;
    const record = await this.recordFor(outcome.record);
    if (!record) return 'This request is no longer known to sitrep.';
    if (outcome.kind === 'ended') {
      if (outcome.justExpired) await this.ended(record, outcome.record);
      // Approved, but the bot that took the deciding click died before queueing the job: any
      // later click finishes the hand-over. Safe to repeat: the job id is fixed per request.
      if (outcome.state === 'approved' && (record.state === RequestState.AwaitingApproval || record.state === RequestState.Planned)) {
        await this.start(record, outcome.record.plan);
        this.services.poster.schedule(record.request.id);
      }
      return outcome.message;
    }
    const approvedAt = outcome.record.approvals.find((a) => a.userId === userId)?.at ?? this.services.clock.now();
    await this.note(record, {
      key: `${record.request.id}:approval:${userId}`,
      kind: EventKind.Approved,
      at: approvedAt,
      actor: userId,
      text: `Approved by <@${userId}>`,
      data: { approvalId, needed: outcome.record.requiredApprovals, approvers: outcome.record.approversLabel },
    });
    if (outcome.kind === 'approved') {
      try {
        await this.start(record, outcome.record.plan);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await this.services.requests.update(record.request.id, { state: RequestState.Failed, failure: { code: ErrorCode.Internal, message: `Approved, but the job could not be queued: ${message}`, hint: 'Nothing was changed. Run the command again once the cause is fixed.' } });
      }
    }
    this.services.poster.schedule(record.request.id);
    return outcome.kind === 'recorded' ? outcome.message : undefined;
  }

  async end(mode: 'reject' | 'cancel', approvalId: string, userId: string, reason = ''): Promise<ClickReply> {
    const outcome: EndOutcome = mode === 'reject' ? await this.services.approvals.reject(approvalId, userId, reason) : await this.services.approvals.cancel(approvalId, userId);
    if (outcome.kind === 'unknown' || outcome.kind === 'refused') return outcome.message;
    const record = await this.recordFor(outcome.record);
    if (!record) return outcome.message;
    if (outcome.kind === 'ended' && !outcome.justExpired) return outcome.message;
    await this.ended(record, outcome.record);
    return undefined;
  }

  /** Marks a request whose approval ended without running, and says so on card and timeline. */
  async ended(record: RequestRecord, approval: ApprovalRecord): Promise<void> {
    // Only the request's current approval speaks for it (an older one may expire later).
    if (record.approvalId && record.approvalId !== approval.id) return;
    const state = { rejected: RequestState.Rejected, expired: RequestState.Expired, cancelled: RequestState.Cancelled }[approval.state as 'rejected' | 'expired' | 'cancelled'];
    if (!state) return;
    await this.services.requests.update(record.request.id, { state });
    const kind = { rejected: EventKind.Rejected, expired: EventKind.Expired, cancelled: EventKind.Cancelled }[approval.state as 'rejected' | 'expired' | 'cancelled'];
    const who = approval.endedBy ? ` by <@${approval.endedBy}>` : ` after ${formatDuration(approval.expiresAt - approval.createdAt)}`;
    await this.note(record, {
      key: `${record.request.id}:${approval.state}`,
      kind,
      at: approval.endedAt ?? this.services.clock.now(),
      actor: approval.endedBy ?? 'sitrep',
      text: `${approval.state[0].toUpperCase()}${approval.state.slice(1)}${who}${approval.reason ? `: ${approval.reason}` : ''}`,
      data: { approvalId: approval.id },
    });
    this.services.poster.schedule(record.request.id);
  }

  /** The requester runs a plan that needs no approval. */
  async confirm(requestId: string, userId: string): Promise<ClickReply> {
    const record = await this.services.requests.get(requestId);
    if (!record || !record.plan) return 'This request is no longer known to sitrep.';
    if (record.request.userId !== userId) return `Only <@${record.request.userId}>, who asked for it, can run this.`;
    if (record.state !== RequestState.AwaitingConfirmation || record.approvalId) return 'This request is already running or ended.';
    // The policy may have changed since the card was posted: a Run button never bypasses approvers.
    const r = record.request;
    const decision = await evaluatePolicy(this.services, r);
    if (!decision.allowed || decision.approvals > 0) {
      await this.services.requests.update(requestId, { state: RequestState.Refused, failure: { code: ErrorCode.PolicyDenied, message: decision.allowed ? 'The policy now requires approval for this; run the command again to ask for it.' : decision.reason } });
      this.services.poster.schedule(requestId);
      return undefined;
    }
    if (!(await this.services.requests.claimConfirmation(requestId, userId))) return 'This request is already running or ended.';
    try {
      await this.start(record, record.plan);
    } catch (err) {
      // Let the requester try again once the cause (e.g. no live worker) is fixed.
      await this.services.requests.releaseConfirmation(requestId);
      throw err;
    }
    await this.note(record, { key: `${requestId}:confirmed`, kind: EventKind.Approved, actor: userId, text: `Confirmed by <@${userId}> (no approval needed by policy)` });
    this.services.poster.schedule(requestId);
    return undefined;
  }

  /** Updates cards and timelines of requests whose approval window closed. Any replica may run it. */
  async sweepExpired(): Promise<void> {
    const expired = await this.services.approvals.expireDue();
    for (const approval of expired) {
      // One bad record must not keep the others' cards from saying they expired.
      try {
        const record = await this.recordFor(approval);
        if (record) await this.ended(record, approval);
      } catch (err) {
        this.services.logger.warn({ err, approvalId: approval.id }, 'could not mark an expired request');
      }
    }
  }

  /**
   * The cluster drifted from the approved plan, so the execution stopped before changing
   * anything. Plans again as a new request and asks for approval anew, showing the difference.
   */
  async replan(record: RequestRecord, attempt: number): Promise<void> {
    const r = record.request;
    const next = { ...r, id: `${r.id.replace(/\.r\d+$/, '')}.r${attempt}`, receivedAt: this.services.clock.now() };
    if (!(await this.services.requests.claim(next))) return;
    await this.services.requests.update(next.id, { replanOf: r.id, ...(record.incidentId ? { incidentId: record.incidentId } : {}) });
    // The stopped card points at the new one instead of telling people to run the command again.
    const stopped = await this.services.requests.get(r.id);
    if (stopped?.failure) await this.services.requests.update(r.id, { failure: { ...stopped.failure, hint: 'Nothing was changed. sitrep planned again: approve the new card below if the new plan is right.' } });
    this.services.poster.schedule(next.id);
    await this.services.producer.enqueue({ v: 1, kind: JobKind.Plan, verb: next.verb, requestId: next.id, cluster: next.cluster, args: next.args, requestedBy: next.userId, channelId: next.channelId });
  }
}
