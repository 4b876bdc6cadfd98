import { formatDuration } from '../core/duration.js';
import { ErrorCode } from '../core/errors.js';
import { JobKind } from '../core/job.js';
import { EventKind } from '../core/timeline-event.js';
import { parseStepRequestId } from '../core/runbook-step.js';
import type { JobEventEnvelope } from '../queue/job-events.js';
import type { ApprovalSteps } from './approval-steps.js';
import type { RequestDeps } from './deps.js';
import type { RequestRecord } from './request-store.js';
import type { RunbookSteps } from './runbook-steps.js';
import { noteQuietly } from './timeline-note.js';
import type { WorkerLossSteps } from './worker-loss.js';

/** How many times a drifted execution is planned again before sitrep stops asking. */
const MAX_REPLANS = 3;

/**
 * The lifecycle's steps driven by what workers report (started, progress, notes, result, failed),
 * each a guarded transition: a late or replayed event (a stalled job picked up again, an event
 * redelivered to another replica) finds the request past that step and changes nothing.
 */
export class JobEventSteps {
  constructor(private readonly deps: RequestDeps, private readonly approvals: ApprovalSteps, private readonly runbooks: RunbookSteps, private readonly workerLoss: WorkerLossSteps) {}

  async apply(e: JobEventEnvelope): Promise<void> {
    const { store } = this.deps;
    const record = await store.get(e.requestId);
    if (!record) {
      // A runbook step's job carries the step's own id; its runbook applies the event.
      const step = parseStepRequestId(e.requestId);
      if (step) await this.runbooks.onEvent(e, step);
      return; // otherwise not ours (another installation sharing the stream), or expired
    }
    const id = e.requestId;
    const body = e.body;
    switch (body.type) {
      case 'started':
        if (e.jobKind === JobKind.Plan) return;
        if ((await store.transition(id, 'start', { workerId: body.workerId, startedAt: e.at })).ok) {
          if (e.jobKind === JobKind.Execute) await this.note(record, e, EventKind.JobStarted, 'started', `Started ${record.request.verb} of ${this.target(record)} on worker ${body.workerId}`, { verb: e.verb, target: this.target(record) });
        } else if (!(await this.workerLoss.resumed(record, body.workerId, e.at, e.jobKind === JobKind.Execute))) {
          return;
        }
        break;
      case 'progress':
        if (!(await store.setProgress(id, e.seq, body.progress))) return;
        break;
      case 'note':
        // Keys come from the job (stable across resumes), so a retried step notes nothing twice.
        await noteQuietly(this.deps, record.request, { key: body.key, kind: body.kind, at: e.at, actor: `worker:${e.cluster}`, text: body.text, ...(body.data ? { data: body.data } : {}) });
        return;
      case 'result':
        if (e.jobKind === JobKind.Plan && body.result.plan) {
          await this.approvals.planReady(record, body.result.plan);
          break;
        }
        if (!(await store.transition(id, body.result.ok ? 'finish' : 'finishFailed', { result: body.result })).ok) return;
        if (e.jobKind === JobKind.Execute) {
          const durationMs = record.startedAt ? e.at - record.startedAt : undefined;
          await this.note(record, e, body.result.ok ? EventKind.JobFinished : EventKind.JobFailed, 'finished', `${body.result.ok ? 'Finished' : 'Failed'}: ${body.result.title}${durationMs ? ` (${formatDuration(durationMs)})` : ''}`, {
            summary: body.result.title,
            changed: body.result.changed,
            unchanged: body.result.unchanged,
            durationMs,
            ...(body.result.ok ? {} : { message: body.result.title, code: body.result.code ?? ErrorCode.Internal }),
          });
        }
        break;
      case 'failed': {
        const failure = { code: body.code, message: body.message, ...(body.hint ? { hint: body.hint } : {}) };
        const drifted = e.jobKind === JobKind.Execute && body.code === ErrorCode.PlanDrifted;
        if (!(await store.transition(id, drifted ? 'drift' : 'fail', { failure })).ok) return;
        if (e.jobKind === JobKind.Execute) await this.note(record, e, EventKind.JobFailed, 'failed', `Failed: ${body.message}`, { message: body.message, code: body.code });
        if (drifted) await this.replan(record, failure);
        break;
      }
    }
    this.deps.changed(id);
  }

  private target(record: RequestRecord): string {
    // The object the job acts on (`node/node02`), as the plan named it; the text as a fallback.
    return record.plan?.target ?? record.request.text.split(/\s+/).slice(1).join(' ');
  }

  private note(record: RequestRecord, e: JobEventEnvelope, kind: string, key: string, text: string, data: Record<string, unknown>): Promise<unknown> {
    return noteQuietly(this.deps, record.request, { key: `${record.request.id}:${e.jobKind}:${key}`, kind, at: e.at, actor: `worker:${e.cluster}`, text, data });
  }

  /**
   * The re-plan step: the cluster drifted from the approved plan, so the execution stopped before
   * changing anything. Plans again as a new request, which asks for approval anew and shows the
   * difference; the stopped card points at it.
   */
  async replan(record: RequestRecord, failure: { code: string; message: string; hint?: string }): Promise<void> {
    const { store } = this.deps;
    const r = record.request;
    const attempt = Number(/\.r(\d+)$/.exec(r.id)?.[1] ?? 0) + 1;
    if (attempt > MAX_REPLANS) {
      await store.annotate(r.id, { failure: { ...failure, hint: 'The cluster kept changing under three plans in a row; sitrep stopped asking. Check what is changing, then run the command again.' } });
      return;
    }
    const next = { ...r, id: `${r.id.replace(/\.r\d+$/, '')}.r${attempt}`, receivedAt: this.deps.clock.now() };
    if (!(await store.claim(next))) return;
    await store.annotate(next.id, { replanOf: r.id, ...(record.incidentId ? { incidentId: record.incidentId } : {}) });
    // The drifted request released its target when it ended; the re-plan holds it now.
    if (record.lock) await store.lockTarget(next.id, record.lock);
    await store.annotate(r.id, { failure: { ...failure, hint: 'Nothing was changed. sitrep planned again: approve the new card below if the new plan is right.' } });
    await store.transition(next.id, 'queuePlan');
    this.deps.changed(next.id);
    try {
      await this.deps.producer.enqueue({ v: 1, kind: JobKind.Plan, verb: next.verb, requestId: next.id, cluster: next.cluster, args: next.args, requestedBy: next.userId, channelId: next.channelId });
    } catch (err) {
      await store.transition(next.id, 'fail', { failure: { code: ErrorCode.Internal, message: `Could not plan again: ${(err as Error).message}`, hint: 'Run the command again.' } });
    }
  }
}
