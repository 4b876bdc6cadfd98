import { formatDuration } from '../core/duration.js';
import { EventKind } from '../core/timeline-event.js';
import { JOB_LOST_AFTER_MS, type JobBeat } from '../queue/job-beats.js';
import type { RequestDeps } from './deps.js';
import { parseStepRequestId } from '../core/runbook-step.js';
import { isFinal, RequestState } from './request-state.js';
import type { RequestRecord, WorkerField } from './request-store.js';
import { noteQuietly } from './timeline-note.js';

/**
 * The bot's side of job heartbeats (queue/job-beats.ts), so a card never sits on "Running" with
 * no sign while its worker is dead. The sweep marks a running request whose worker has not beaten
 * for `jobLostAfterMs` as lost, and its card says "worker lost, resuming on another"; BullMQ hands
 * the job to a live worker once its lock expires, and that worker's `started` clears the mark, so
 * the card shows live progress again. A worker that was only silent (frozen, or cut off from Redis,
 * for less than its lock lasts: SITREP_JOB_LOCK above SITREP_JOB_LOST_AFTER) beats again and carries
 * on with the job itself; the sweep sees its beat fresh and clears the mark the same way. Each move
 * is a compare-and-set on the request and a line on the incident's timeline.
 */
export class WorkerLossSteps {
  /**
   * Jobs whose card says their worker was lost, as this bot saw them in the sweep (by beat member):
   * watched until that worker beats again, or its job ends or moves. Every bot replica watches the
   * ones it sees, so the mark is cleared even when the replica that set it is gone.
   */
  private readonly silent = new Map<string, { beat: Pick<JobBeat, 'requestId' | 'workerId'>; id: string; field: WorkerField }>();

  /** Whether this bot looked for the marks set before it ran (watchMarked). */
  private marksSeen = false;

  constructor(private readonly deps: RequestDeps) {}

  /** Marks the requests whose worker went silent; forgets beats of requests that ended or moved on. */
  async sweep(): Promise<void> {
    const { store, clock, beats } = this.deps;
    if (!this.marksSeen) {
      await this.watchMarked();
      this.marksSeen = true;
    }
    const lostAfter = this.deps.jobLostAfterMs ?? JOB_LOST_AFTER_MS;
    for (const beat of await beats.lapsed(clock.now() - lostAfter)) {
      const { step, record, field } = await this.recordOf(beat);
      const runsIt = step ? record?.cursor?.index === step.step && record.cursor.attempt === step.attempt && record.stepWorkerId === beat.workerId : record?.workerId === beat.workerId;
      // Ended, not ours (another installation), or another worker (another step) runs it now.
      if (!record || isFinal(record.state) || (record.state === RequestState.Running && !runsIt)) {
        await beats.forget(beat);
        continue;
      }
      const id = record.request.id;
      if (record.workerLost?.workerId === beat.workerId) this.watch(beat, id, field);
      if (!(await store.markWorkerLost(id, { workerId: beat.workerId, since: beat.at }, field))) continue;
      this.watch(beat, id, field);
      this.deps.logger.warn({ requestId: id, workerId: beat.workerId, silentMs: clock.now() - beat.at }, 'worker lost: no job heartbeat; its job resumes on another worker');
      await noteQuietly(this.deps, record.request, {
        key: `${id}:worker-lost:${beat.workerId}`,
        kind: EventKind.JobProgress,
        actor: `worker:${record.request.cluster}`,
        text: `Worker ${beat.workerId} lost: no heartbeat for ${formatDuration(lostAfter)}; resuming on another worker`,
        data: { workerId: beat.workerId, lastBeatAt: beat.at },
      });
      this.deps.changed(id);
    }
    await this.backAgain(clock.now() - lostAfter);
  }

  /**
   * Watches the jobs whose card already says their worker was lost when this bot starts (an
   * earlier run of it, or another replica, set the mark). A worker back while no bot ran beats
   * fresh, so the sweep never meets its beat among the lapsed ones, and the card said "worker
   * lost, resuming on another" until the job ended (test/faults/worker-silent-bot-restart.test.ts).
   */
  private async watchMarked(): Promise<void> {
    // Every beat, fresh or not: they are few (one per running job).
    for (const beat of await this.deps.beats.lapsed(Number.MAX_SAFE_INTEGER, 1000)) {
      const { record, field } = await this.recordOf(beat);
      if (!record || isFinal(record.state) || record.workerLost?.workerId !== beat.workerId) continue;
      this.watch(beat, record.request.id, field);
    }
  }

  /** The request a beat is for and the field naming its worker: a runbook step's job beats under the step's id, and its card is the runbook's. */
  private async recordOf(beat: Pick<JobBeat, 'requestId'>): Promise<{ step: ReturnType<typeof parseStepRequestId>; record: RequestRecord | undefined; field: WorkerField }> {
    const step = parseStepRequestId(beat.requestId);
    const record = await this.deps.store.get(step?.parentId ?? beat.requestId);
    return { step, record, field: step ? 'stepWorkerId' : 'workerId' };
  }

  /** Watches a job whose card says its worker was lost, until that worker beats again (backAgain). */
  private watch(beat: Pick<JobBeat, 'requestId' | 'workerId'>, id: string, field: WorkerField): void {
    this.silent.set(JSON.stringify([beat.requestId, beat.workerId]), { beat, id, field });
  }

  /** Clears the lost mark of the jobs whose silent worker beats again (since `after`, ms on Redis's clock): it carries on with them. */
  private async backAgain(after: number): Promise<void> {
    const { store, beats } = this.deps;
    for (const [key, { beat, id, field }] of this.silent) {
      const at = await beats.lastBeat(beat);
      if (at !== undefined && at < after) continue; // still silent
      this.silent.delete(key);
      // Gone from the set: the job ended on that worker, or moved on (the sweep forgot it).
      if (at === undefined) continue;
      const record = await store.get(id);
      if (!record?.workerLost || record.workerLost.workerId !== beat.workerId) continue;
      const { changed } = await store.resumedOn(id, beat.workerId, field);
      if (!changed) continue;
      this.deps.logger.info({ requestId: id, workerId: beat.workerId }, 'worker back: its job heartbeat resumed; it carries on with the job');
      await noteQuietly(this.deps, record.request, {
        key: `${id}:worker-back:${beat.workerId}:${record.workerLost.since}`,
        kind: EventKind.JobProgress,
        at,
        actor: `worker:${record.request.cluster}`,
        text: `Worker ${beat.workerId} is back after ${formatDuration(at - record.workerLost.since)} without a heartbeat; it carries on with the job`,
        data: { workerId: beat.workerId, lastBeatAt: record.workerLost.since },
      });
      this.deps.changed(id);
    }
  }

  /**
   * A worker started a request already running: its job was handed over (a worker lost, or one
   * that stopped). That worker runs it now; the card drops the lost line. False when nothing changed.
   */
  async resumed(record: RequestRecord, workerId: string, at: number, note: boolean, field: WorkerField = 'workerId'): Promise<boolean> {
    const id = record.request.id;
    const { changed, previous } = await this.deps.store.resumedOn(id, workerId, field);
    if (!changed) return false;
    if (note) {
      await noteQuietly(this.deps, record.request, {
        key: `${id}:resumed:${field}:${workerId}:${at}`,
        kind: EventKind.JobProgress,
        at,
        actor: `worker:${record.request.cluster}`,
        text: `Resumed on worker ${workerId}${previous && previous !== workerId ? ` (it was running on ${previous})` : ''}, from its checkpoints`,
        data: { workerId, ...(previous ? { previousWorkerId: previous } : {}) },
      });
    }
    return true;
  }
}
