import type { RedisClient } from '../core/redis-client.js';

/** How often a worker beats for each job it runs, ms. @defaultValue 2000 */
export const JOB_HEARTBEAT_MS = 2_000;

/** A running job whose last beat is older than this is presumed lost with its worker, ms. @defaultValue 10000 */
export const JOB_LOST_AFTER_MS = 10_000;

/** The last beat of one job on one worker. */
export interface JobBeat {
  /** The request the job serves (a runbook step's own id for a step's job). */
  requestId: string;
  workerId: string;
  /** When it last beat, ms on Redis's clock. */
  at: number;
}

/**
 * Heartbeats of running jobs, one sorted set for the installation: member `[requestId, workerId]`,
 * scored by the last beat (Redis's clock). A worker beats for all its running jobs in one ZADD and
 * removes a job's member when the job ends there; a worker that dies leaves its members behind,
 * and the bot reads those that lapsed to tell the cards (requests/worker-loss.ts). A job resumed
 * on another worker beats under that worker's member.
 */
export class JobBeats {
  constructor(private readonly redis: RedisClient, private readonly key: string) {}

  /** One beat for each of a worker's running jobs, at `now` (ms, Redis's clock). */
  async beat(workerId: string, requestIds: readonly string[], now: number): Promise<void> {
    if (!requestIds.length) return;
    await this.redis.zadd(this.key, ...requestIds.flatMap((id) => [now, member(id, workerId)]));
  }

  /** The job ended on this worker (done, failed, handed back): nothing to watch any more. */
  async end(workerId: string, requestId: string): Promise<void> {
    await this.redis.zrem(this.key, member(requestId, workerId));
  }

  /**
   * Beats older than `before` (ms, Redis's clock), oldest first, at most `limit`. A member that is
   * not a beat (written by something else, or a bad hand-edit) is removed, not returned: one such
   * member must not stop every sweep, and with it every card's "worker lost" line.
   */
  async lapsed(before: number, limit = 100): Promise<JobBeat[]> {
    const rows = await this.redis.zrangebyscore(this.key, '-inf', `(${before}`, 'WITHSCORES', 'LIMIT', 0, limit);
    const out: JobBeat[] = [];
    for (let i = 0; i < rows.length; i += 2) {
      const parsed = parseMember(rows[i]!);
      if (parsed) out.push({ ...parsed, at: Number(rows[i + 1]) });
      else await this.redis.zrem(this.key, rows[i]!);
    }
    return out;
  }

  /** When this job last beat on this worker (ms, Redis's clock), or undefined once it ended there or was forgotten. */
  async lastBeat(beat: Pick<JobBeat, 'requestId' | 'workerId'>): Promise<number | undefined> {
    const score = await this.redis.zscore(this.key, member(beat.requestId, beat.workerId));
    return score === null ? undefined : Number(score);
  }

  /** Stops watching a lapsed beat (its request ended, or another worker runs it now). */
  async forget(beat: Pick<JobBeat, 'requestId' | 'workerId'>): Promise<void> {
    await this.redis.zrem(this.key, member(beat.requestId, beat.workerId));
  }
}

function member(requestId: string, workerId: string): string {
  return JSON.stringify([requestId, workerId]);
}

/** A member as `member` writes it, or undefined for anything else. */
function parseMember(raw: string): Pick<JobBeat, 'requestId' | 'workerId'> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string' || typeof value[1] !== 'string' || !value[0] || !value[1]) return undefined;
  return { requestId: value[0], workerId: value[1] };
}
