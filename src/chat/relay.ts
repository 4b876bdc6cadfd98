import { ErrorCode } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import { EventKind } from '../core/timeline-event.js';
import type { JobEventEnvelope } from '../queue/job-events.js';
import type { ApprovalFlow } from './approval-flow.js';
import type { BotServices } from './bot-services.js';
import { recordOnIncident } from './request-intake.js';
import { RequestState } from './request-store.js';

const FINISHED = new Set<string>([RequestState.Done, RequestState.Failed, RequestState.Refused, RequestState.Rejected, RequestState.Expired, RequestState.Cancelled]);

/**
 * Turns job events from workers into what people see: the request's card (through the throttled
 * poster) and the incident timeline (each event keyed, so a replayed event is stored once).
 */
export class Relay {
  constructor(private readonly services: BotServices, private readonly flow: ApprovalFlow) {}

  async handle(e: JobEventEnvelope): Promise<void> {
    const { requests, poster, logger } = this.services;
    const record = await requests.get(e.requestId);
    if (!record) return; // not ours (another installation sharing the stream), or expired
    const id = e.requestId;
    const note = (kind: string, key: string, text: string, data?: Record<string, unknown>, actor = `worker:${e.cluster}`) =>
      recordOnIncident(this.services, record.request, { key: `${id}:${key}`, kind, at: e.at, actor, text, data }).catch((err) => logger.warn({ err }, 'timeline append failed'));
    // The object the job acts on (`node/node02`), as the plan named it; the text as a fallback.
    const target = record.plan?.target ?? record.request.text.split(/\s+/).slice(1).join(' ');
    const body = e.body;
    // A finished request never goes back: a late or replayed `started`/`progress` (a stalled job
    // picked up again, an event redelivered to another replica) must not reopen its card.
    const finished = FINISHED.has(record.state);
    if (finished && (body.type === 'started' || body.type === 'progress')) return;
    // A plan is acted on once; a replayed plan result must not create a second approval.
    if (e.jobKind === 'plan' && body.type === 'result' && record.plan) return;
    switch (body.type) {
      case 'started':
        if (e.jobKind !== 'plan') {
          await requests.update(id, { state: RequestState.Running, workerId: body.workerId, ...(record.startedAt ? {} : { startedAt: e.at }) });
          if (e.jobKind === 'execute') await note(EventKind.JobStarted, `${e.jobKind}:started`, `Started ${record.request.verb} of ${target} on worker ${body.workerId}`, { verb: e.verb, target });
        }
        break;
      case 'progress':
        if (!(await requests.setProgress(id, e.seq, body.progress))) return;
        break;
      case 'note':
        // Keys come from the job (stable across resumes), so a retried step notes nothing twice.
        await recordOnIncident(this.services, record.request, { key: body.key, kind: body.kind, at: e.at, actor: `worker:${e.cluster}`, text: body.text, data: body.data }).catch((err) => logger.warn({ err }, 'timeline append failed'));
        return;
      case 'result':
        if (e.jobKind === 'plan' && body.result.plan) {
          await this.flow.planReady(record, body.result.plan);
        } else {
          await requests.update(id, { result: body.result, state: body.result.ok ? RequestState.Done : RequestState.Failed });
          if (e.jobKind === 'execute') {
            const durationMs = record.startedAt ? e.at - record.startedAt : undefined;
            await note(body.result.ok ? EventKind.JobFinished : EventKind.JobFailed, `${e.jobKind}:finished`, `${body.result.ok ? 'Finished' : 'Failed'}: ${body.result.title}${durationMs ? ` (${formatDuration(durationMs)})` : ''}`, {
              summary: body.result.title,
              changed: body.result.changed,
              unchanged: body.result.unchanged,
              durationMs,
              ...(body.result.ok ? {} : { message: body.result.title, code: body.result.code ?? ErrorCode.Internal }),
            });
          }
        }
        break;
      case 'failed':
        await requests.update(id, { state: RequestState.Failed, failure: { code: body.code, message: body.message, ...(body.hint ? { hint: body.hint } : {}) } });
        if (e.jobKind === 'execute') await note(EventKind.JobFailed, `${e.jobKind}:failed`, `Failed: ${body.message}`, { message: body.message, code: body.code });
        if (e.jobKind === 'execute' && body.code === ErrorCode.PlanDrifted) {
          const attempt = Number(/\.r(\d+)$/.exec(id)?.[1] ?? 0) + 1;
          if (attempt <= 3) await this.flow.replan(record, attempt);
          else await requests.update(id, { failure: { code: body.code, message: body.message, hint: 'The cluster kept changing under three plans in a row; sitrep stopped asking. Check what is changing, then run the command again.' } });
        }
        break;
    }
    poster.schedule(id);
  }
}
