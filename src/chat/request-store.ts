import type { Redis } from 'ioredis';
import { z } from 'zod';
import { CommandRequestSchema, type CommandRequest } from '../core/request.js';
import { JobProgressSchema, JobResultSchema, type JobProgress, type JobResult } from '../core/job.js';
import { PlanSchema, type Plan } from '../core/plan.js';
import { RedisScript } from '../core/redis-script.js';

export const RequestState = {
  Queued: 'queued',
  Running: 'running',
  Planned: 'planned',
  AwaitingApproval: 'awaiting-approval',
  /** The policy needs no approver: only the requester's Run click is awaited. */
  AwaitingConfirmation: 'awaiting-confirmation',
  Approved: 'approved',
  Done: 'done',
  Failed: 'failed',
  Refused: 'refused',
  Rejected: 'rejected',
  Expired: 'expired',
  Cancelled: 'cancelled',
} as const;
export type RequestState = (typeof RequestState)[keyof typeof RequestState];

const FailureSchema = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() });
export type Failure = z.infer<typeof FailureSchema>;

export interface RequestRecord {
  request: CommandRequest;
  state: RequestState;
  /** Where the request's one message is; absent until it was posted. */
  messageTs?: string;
  workerId?: string;
  startedAt?: number;
  progress?: JobProgress;
  result?: JobResult;
  failure?: Failure;
  /** The plan shown for approval (plan jobs); `result` is then the execution's. */
  plan?: Plan;
  /** How this plan differs from the one approved before, when it was re-planned after drift. */
  drift?: { added: string[]; removed: string[] };
  /** The request this one re-plans after the cluster drifted from its approved plan. */
  replanOf?: string;
  /** For verbs that need no approval: who confirmed (always the requester). */
  confirmedBy?: string;
  approvalId?: string;
  incidentId?: string;
  /** Set once the long output went up as a file, so a replayed result uploads nothing twice. */
  fileUploaded?: boolean;
}

// Stores a progress update only if its sequence number is newer than the one stored, so two bot
// replicas relaying events out of order never move the card backwards.
const SET_PROGRESS = new RedisScript(`
local cur = tonumber(redis.call('HGET', KEYS[1], 'progressSeq') or '0')
if tonumber(ARGV[1]) > cur then
  redis.call('HSET', KEYS[1], 'progressSeq', ARGV[1], 'progress', ARGV[2])
  return 1
end
return 0`);

const RELEASE_LOCK = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

const CLEAR_DIRTY = new RedisScript(`
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if at and tonumber(at) <= tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0`);

/**
 * The bot's record of each request in Redis: what was asked, where its message is, and the
 * latest state to render. Every bot replica renders from here, never from memory (invariant 5).
 */
export class RequestStore {
  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly ttlSeconds = 30 * 86_400) {}

  private key(id: string): string {
    return `${this.prefix}:request:${id}`;
  }

  private channelKey(channelId: string): string {
    return `${this.prefix}:channel:${channelId}:requests`;
  }

  /**
   * Records a new request unless one with this id exists. Returns false for a duplicate (a Slack
   * retry of the same delivery), so the caller does nothing twice.
   */
  async claim(request: CommandRequest): Promise<boolean> {
    const key = this.key(request.id);
    const res = await this.redis
      .multi()
      .hsetnx(key, 'request', JSON.stringify(request))
      .expire(key, this.ttlSeconds)
      .exec();
    const created = res?.[0]?.[1] === 1;
    if (created) {
      await this.redis
        .multi()
        .hset(key, 'state', RequestState.Queued)
        .zadd(this.channelKey(request.channelId), request.receivedAt, request.id)
        .zremrangebyrank(this.channelKey(request.channelId), 0, -201)
        .exec();
    }
    return created;
  }

  async get(id: string): Promise<RequestRecord | undefined> {
    const h = await this.redis.hgetall(this.key(id));
    if (!h.request) return undefined;
    const json = <T>(s: string | undefined, schema: z.ZodType<T>): T | undefined => (s ? schema.parse(JSON.parse(s)) : undefined);
    return {
      request: CommandRequestSchema.parse(JSON.parse(h.request)),
      state: (h.state as RequestState) ?? RequestState.Queued,
      messageTs: h.messageTs || undefined,
      workerId: h.workerId || undefined,
      startedAt: h.startedAt ? Number(h.startedAt) : undefined,
      progress: json(h.progress, JobProgressSchema),
      result: json(h.result, JobResultSchema),
      failure: json(h.failure, FailureSchema),
      plan: json(h.plan, PlanSchema),
      drift: h.drift ? (JSON.parse(h.drift) as { added: string[]; removed: string[] }) : undefined,
      confirmedBy: h.confirmedBy || undefined,
      replanOf: h.replanOf || undefined,
      approvalId: h.approvalId || undefined,
      incidentId: h.incidentId || undefined,
      fileUploaded: h.fileUploaded === '1',
    };
  }

  async update(id: string, change: Partial<Pick<RequestRecord, 'state' | 'messageTs' | 'workerId' | 'startedAt' | 'result' | 'failure' | 'approvalId' | 'incidentId' | 'plan' | 'drift' | 'confirmedBy' | 'replanOf'>>): Promise<void> {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(change)) {
      if (v === undefined) continue;
      fields[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    if (Object.keys(fields).length) await this.redis.hset(this.key(id), fields);
  }

  /** Sets the message ts only if none is set; returns the ts that is stored. */
  async setMessageTsOnce(id: string, ts: string): Promise<string> {
    await this.redis.hsetnx(this.key(id), 'messageTs', ts);
    return (await this.redis.hget(this.key(id), 'messageTs')) ?? ts;
  }

  async setProgress(id: string, seq: number, progress: JobProgress): Promise<boolean> {
    return (await SET_PROGRESS.run(this.redis, [this.key(id)], [seq, JSON.stringify(progress)])) === 1;
  }

  /** True for exactly one caller: the requester's own confirmation of a no-approval plan. */
  async claimConfirmation(id: string, userId: string): Promise<boolean> {
    return (await this.redis.hsetnx(this.key(id), 'confirmedBy', userId)) === 1;
  }

  async releaseConfirmation(id: string): Promise<void> {
    await this.redis.hdel(this.key(id), 'confirmedBy');
  }

  /** True for the one caller that marks the file as uploaded. */
  async claimFileUpload(id: string): Promise<boolean> {
    return (await this.redis.hsetnx(this.key(id), 'fileUploaded', '1')) === 1;
  }

  private get dirtyKey(): string {
    return `${this.prefix}:cards-to-update`;
  }

  /**
   * Cards whose latest state may not have reached Slack yet. Kept in Redis so that a bot that
   * dies between relaying an event and editing the card leaves the edit to another replica or
   * to its own restart (invariant 5), rather than a card stuck on "Running".
   */
  async markDirty(id: string, at: number): Promise<void> {
    await this.redis.zadd(this.dirtyKey, at, id);
  }

  /**
   * One bot at a time edits a given card: with several replicas relaying events, an edit that
   * Slack's rate limit delayed must not land after a newer one. Returns a release function, or
   * undefined when another replica holds the card.
   */
  async lockCard(id: string, holder: string, ttlMs = 15_000): Promise<(() => Promise<void>) | undefined> {
    const key = `${this.prefix}:card-lock:${id}`;
    const ok = await this.redis.set(key, holder, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') return undefined;
    return async () => {
      await RELEASE_LOCK.run(this.redis, [key], [holder]).catch(() => undefined);
    };
  }

  /** Clears the mark only if nothing marked the card again since `renderedAt`. */
  async clearDirty(id: string, renderedAt: number): Promise<void> {
    await CLEAR_DIRTY.run(this.redis, [this.dirtyKey], [id, renderedAt]);
  }

  async dirtySince(before: number, limit = 100): Promise<string[]> {
    return this.redis.zrangebyscore(this.dirtyKey, '-inf', before, 'LIMIT', 0, limit);
  }

  async recentInChannel(channelId: string, limit = 10): Promise<RequestRecord[]> {
    const ids = await this.redis.zrevrange(this.channelKey(channelId), 0, limit - 1);
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((r): r is RequestRecord => r !== undefined);
  }
}
