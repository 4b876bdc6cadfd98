import type { RedisClient } from '../core/redis-client.js';
import { z } from 'zod';
import { JobProgressSchema, JobResultSchema, type JobProgress, type JobResult } from '../core/job.js';
import { PlanSchema, type Plan } from '../core/plan.js';
import { SealedDecisionSchema, type SealedDecision } from '../core/decision-seal.js';
import { RedisScript } from '../core/redis-script.js';
import { KeyUnit, unitKey } from '../core/key-tags.js';
import { CommandRequestSchema, type CommandRequest } from '../core/request.js';
import { isFinal, RequestState } from './request-state.js';
import { TargetLocks, type LockOutcome, type LockTarget } from './target-locks.js';
import { STEP_MOVES, STEPS, StepStatus, type Step, type StepMove } from './transitions.js';

const FailureSchema = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() });
export type Failure = z.infer<typeof FailureSchema>;

const DriftSchema = z.object({ added: z.array(z.string()), removed: z.array(z.string()) });
const LockTargetSchema = z.object({ cluster: z.string(), target: z.string() });
const ConcurrentSchema = z.object({ requestId: z.string(), text: z.string(), userId: z.string(), state: z.string() });
/** Another operation in the same cluster, as a card lists it. */
export type ConcurrentOperation = z.infer<typeof ConcurrentSchema>;

/**
 * One step of a runbook as its card shows it and its next move needs it: the plans (the one shown
 * at approval or made when reached, and the one it runs under), its `if:`, its approval if it was
 * asked again, and how it ended. Written whole with each cursor move (a compare-and-set).
 */
export const StepRecordSchema = z.object({
  status: z.enum(Object.values(StepStatus) as [StepStatus, ...StepStatus[]]),
  /** The plan shown when the runbook was approved (absent: planned only when reached). */
  plan: PlanSchema.optional(),
  /** The plan made when the step was reached, compared with `plan` before it runs. */
  freshPlan: PlanSchema.optional(),
  /** The plan it runs under: the approved one, one approved for this step, or the fresh one. */
  approvedPlan: PlanSchema.optional(),
  /** Its `if:` as last read: whether it held, and what was seen. */
  holds: z.boolean().optional(),
  seen: z.string().optional(),
  /** The step's own approval, when it was asked again. */
  approvalId: z.string().optional(),
  confirmedBy: z.string().optional(),
  drift: DriftSchema.optional(),
  result: JobResultSchema.optional(),
  failure: FailureSchema.optional(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  workerId: z.string().optional(),
  /** Who pressed Done on a manual step. */
  doneBy: z.string().optional(),
  /** Why it was skipped, or why its job was not needed. */
  note: z.string().optional(),
});
export type StepRecord = z.infer<typeof StepRecordSchema>;

/** Where a runbook is: the step (0-based), that step's attempt (each plan of it adds one) and its status. */
export interface StepCursor {
  index: number;
  attempt: number;
  status: StepStatus;
  /** When the cursor last moved, ms since the epoch. */
  at: number;
}

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
  /** The request that re-plans this one, when it drifted. */
  replannedAs?: string;
  /** For verbs that need no approval: who confirmed (always the requester). */
  confirmedBy?: string;
  approvalId?: string;
  incidentId?: string;
  /** Set once the long output went up as a file, so a replayed result uploads nothing twice. */
  fileUploaded?: boolean;
  /** The target this request holds (one destructive operation per target), until it ends. */
  lock?: LockTarget;
  /** Other operations pending or running in the same cluster when the plan was made. */
  concurrent?: ConcurrentOperation[];
  /** A runbook's targets, all held until it ends (one operation per target). */
  locks?: LockTarget[];
  /** A runbook's step cursor, once it runs. */
  cursor?: StepCursor;
  /** A runbook's steps by index (absent: not planned at approval, not reached). */
  steps?: (StepRecord | undefined)[];
  /** The running step's live progress, its worker and start. */
  stepProgress?: JobProgress;
  stepWorkerId?: string;
  stepStartedAt?: number;
  /** Who cancelled a running runbook, and when: it stops at the next step boundary. */
  cancel?: { by: string; at: number };
  /** The running job's worker stopped beating (requests/worker-loss.ts): since its last beat, ms. Cleared when a worker takes the job up again. */
  workerLost?: WorkerLost;
}

const WorkerLostSchema = z.object({ workerId: z.string(), since: z.number() });
/** A running request whose worker went silent, and since when (its last beat, ms). */
export type WorkerLost = z.infer<typeof WorkerLostSchema>;
/** Where a record names the worker running its job: the request's own, or a runbook's running step's. */
export type WorkerField = 'workerId' | 'stepWorkerId';

/** Fields a transition may write with the new state. */
export type TransitionFields = Partial<Pick<RequestRecord, 'workerId' | 'startedAt' | 'result' | 'failure' | 'approvalId' | 'plan' | 'drift' | 'confirmedBy' | 'replannedAs' | 'concurrent'>>;

/** A change of a request's state, as the store reports it to its `onChange` hook (the audit log). */
export interface RequestChange {
  request: CommandRequest;
  /** Undefined when the request was just claimed. */
  from?: RequestState;
  to: RequestState;
  fields: TransitionFields;
}

export interface RequestStoreOptions {
  /** How long a request's record is kept, in seconds. @defaultValue 30 days */
  ttlSeconds?: number;
  /** Called once after every change of state that happened (never for a refused step). */
  onChange?: (change: RequestChange) => void | Promise<void>;
}

/** What a transition did: `moved` from the state it found, or `refused` in the state it found. */
export type TransitionOutcome = { ok: true; from: RequestState } | { ok: false; state: RequestState | undefined };

// Compare-and-set of the state: the step's allowed from-states come from transitions.ts. A step
// taken for a Slack request is refused once that request's deadline passed (core/deadline.ts).
const TRANSITION = new RedisScript(
  `
local cur = redis.call('HGET', KEYS[1], 'state')
if not cur then return {'missing', ''} end
for i = 1, tonumber(argv[2]) do
  if argv[2 + i] == cur then
    local fields = {}
    for j = 3 + tonumber(argv[2]), #argv do fields[#fields + 1] = argv[j] end
    redis.call('HSET', KEYS[1], 'state', argv[1], unpack(fields))
    return {'moved', cur, redis.call('HGET', KEYS[1], 'request') or '', redis.call('HGET', KEYS[1], 'lock') or ''}
  end
end
return {'refused', cur}`,
  { deadline: true },
);

// Stores a progress update only if its sequence number is newer than the one stored and the
// request is still running, so replicas relaying events out of order never move the card backwards.
const SET_PROGRESS = new RedisScript(`
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
local cur = tonumber(redis.call('HGET', KEYS[1], 'progressSeq') or '0')
if tonumber(ARGV[1]) > cur then
  redis.call('HSET', KEYS[1], 'progressSeq', ARGV[1], 'progress', ARGV[2])
  return 1
end
return 0`);

// The runbook step cursor's compare-and-set (transitions.ts STEP_MOVES): moves only a running
// runbook whose cursor is on the expected step, attempt and one of the move's from-statuses.
// A move to another step or attempt clears the last step's progress, worker and start. Like
// TRANSITION, a move made for a Slack click is refused once that click's deadline passed.
const STEP_MOVE = new RedisScript(
  `
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
if redis.call('HGET', KEYS[1], 'stepIndex') ~= argv[1] then return 0 end
if argv[2] ~= '' and redis.call('HGET', KEYS[1], 'stepAttempt') ~= argv[2] then return 0 end
local st = redis.call('HGET', KEYS[1], 'stepStatus')
local n = tonumber(argv[3])
local ok = false
for i = 1, n do if argv[3 + i] == st then ok = true end end
if not ok then return 0 end
local base = 3 + n
local idx, status, attempt = argv[base + 1], argv[base + 2], argv[base + 3]
-- Once a cancel is recorded, no step's job starts: cancel and start cannot both win.
if status == 'running' and redis.call('HEXISTS', KEYS[1], 'cancelBy') == 1 then return 0 end
if idx ~= argv[1] or attempt ~= redis.call('HGET', KEYS[1], 'stepAttempt') then
  redis.call('HDEL', KEYS[1], 'stepProgress', 'stepProgressSeq', 'stepWorkerId', 'stepStartedAt', 'workerLost')
end
local fields = {}
for j = base + 4, #argv do fields[#fields + 1] = argv[j] end
redis.call('HSET', KEYS[1], 'stepIndex', idx, 'stepStatus', status, 'stepAttempt', attempt, unpack(fields))
return 1`,
  { deadline: true },
);

// A step's record while the runbook is still being planned (before its cursor exists).
const SET_STEP_IN_STATE = new RedisScript(
  `
if redis.call('HGET', KEYS[1], 'state') ~= argv[1] then return 0 end
redis.call('HSET', KEYS[1], argv[2], argv[3])
return 1`,
  { deadline: true },
);

// Who cancelled a running runbook, first caller only; refused past a click's deadline.
const REQUEST_CANCEL = new RedisScript(
  `
if redis.call('HSETNX', KEYS[1], 'cancelBy', argv[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'cancelAt', argv[2])
return 1`,
  { deadline: true },
);

// Progress of the running step's job, newer than what is stored, for the step the cursor is on.
const SET_STEP_PROGRESS = new RedisScript(`
if redis.call('HGET', KEYS[1], 'state') ~= 'running' or redis.call('HGET', KEYS[1], 'stepStatus') ~= 'running' then return 0 end
if redis.call('HGET', KEYS[1], 'stepIndex') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'stepAttempt') ~= ARGV[2] then return 0 end
local cur = tonumber(redis.call('HGET', KEYS[1], 'stepProgressSeq') or '0')
if tonumber(ARGV[3]) <= cur then return 0 end
redis.call('HSET', KEYS[1], 'stepProgressSeq', ARGV[3], 'stepProgress', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSETNX', KEYS[1], 'stepWorkerId', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSETNX', KEYS[1], 'stepStartedAt', ARGV[6]) end
return 1`);

// Marks a running request's worker lost, once, only if that worker still runs it (ARGV[3] names
// the field: `workerId`, or a runbook's `stepWorkerId`): a job another worker took up is not lost.
const MARK_WORKER_LOST = new RedisScript(`
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
if redis.call('HGET', KEYS[1], ARGV[3]) ~= ARGV[1] then return 0 end
return redis.call('HSETNX', KEYS[1], 'workerLost', ARGV[2])`);

// A worker (re)started a request that is already running: it runs it now (ARGV[2]: the field, as
// above). Returns whether the record changed (another worker, or a lost mark cleared) and the
// worker it had before.
const RESUMED_ON = new RedisScript(`
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return {0, ''} end
local cleared = redis.call('HDEL', KEYS[1], 'workerLost')
local prev = redis.call('HGET', KEYS[1], ARGV[2]) or ''
if prev == ARGV[1] then return {cleared, prev} end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[1])
return {1, prev}`);

const RELEASE_LOCK = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

const CLEAR_DIRTY = new RedisScript(`
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if at and tonumber(at) <= tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0`);

/** The Redis keys of requests, for the store and for tests that check what is (not) stored. */
export class RequestKeys {
  constructor(readonly prefix: string) {}

  /** One hash per request, under its own hash tag (core/key-tags.ts). */
  request(id: string): string {
    return unitKey(this.prefix, KeyUnit.Request, id);
  }

  /** A channel's recent requests, newest last (a sorted set by receivedAt). */
  channel(channelId: string): string {
    return `${this.prefix}:channel:${channelId}:requests`;
  }

  /** Cards whose latest state may not have reached Slack yet. */
  get dirtyCards(): string {
    return `${this.prefix}:cards-to-update`;
  }

  /** The lock one bot replica holds while it edits a card. */
  cardLock(id: string): string {
    return `${this.prefix}:card-lock:${id}`;
  }

  /** Runbooks that run now (a sorted set by when their cursor was set going), for the recovery sweep. */
  get activeRunbooks(): string {
    return `${this.prefix}:runbooks:running`;
  }
}

/** The fields of a runbook's record: its targets, cursor, steps, the running step and a cancel. */
function runbookFields(h: Record<string, string>, json: <T>(s: string | undefined, schema: z.ZodType<T>) => T | undefined): Partial<RequestRecord> {
  const out: Partial<RequestRecord> = {};
  if (h.locks) out.locks = json(h.locks, z.array(LockTargetSchema));
  if (h.stepIndex !== undefined) {
    out.cursor = { index: Number(h.stepIndex), attempt: Number(h.stepAttempt ?? 0), status: h.stepStatus as StepStatus, at: Number(h.cursorAt ?? 0) };
  }
  const steps: (StepRecord | undefined)[] = [];
  for (const [k, v] of Object.entries(h)) {
    const m = /^step:(\d+)$/.exec(k);
    if (m) steps[Number(m[1])] = StepRecordSchema.parse(JSON.parse(v));
  }
  if (steps.length) out.steps = steps;
  if (h.stepProgress) out.stepProgress = json(h.stepProgress, JobProgressSchema);
  if (h.stepWorkerId) out.stepWorkerId = h.stepWorkerId;
  if (h.stepStartedAt) out.stepStartedAt = Number(h.stepStartedAt);
  if (h.cancelBy) out.cancel = { by: h.cancelBy, at: Number(h.cancelAt ?? 0) };
  return out;
}

function encode(fields: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    out.push(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  return out;
}

/**
 * Each request's record in Redis: what was asked, its state, where its message is, and what to
 * render. Every bot replica reads from here, never from memory (invariant 5). The state changes
 * only through `transition`, one compare-and-set per step of transitions.ts.
 */
export class RequestStore {
  readonly keys: RequestKeys;
  readonly locks: TargetLocks;

  private readonly ttlSeconds: number;
  private readonly onChange?: RequestStoreOptions['onChange'];

  constructor(private readonly redis: RedisClient, prefix: string, options: RequestStoreOptions = {}) {
    this.keys = new RequestKeys(prefix);
    this.locks = new TargetLocks(redis, prefix);
    this.ttlSeconds = options.ttlSeconds ?? 30 * 86_400;
    this.onChange = options.onChange;
  }

  /**
   * Holds `target` for this request until it ends (released by the transition to a final state).
   * Refused while another request that has not ended holds it; returns that request's id.
   */
  async lockTarget(id: string, target: LockTarget): Promise<LockOutcome> {
    const outcome = await this.locks.acquire(target, id, async (holder) => {
      const record = await this.get(holder);
      return !record || isFinal(record.state);
    });
    if (outcome.ok) await this.redis.hset(this.keys.request(id), 'lock', JSON.stringify(target));
    return outcome;
  }

  /**
   * Holds every target of a runbook until it ends, or none: when one is held by another request,
   * those already taken are freed again and that holder is returned.
   */
  async lockTargets(id: string, targets: readonly LockTarget[]): Promise<LockOutcome> {
    const taken: LockTarget[] = [];
    for (const target of targets) {
      const outcome = await this.locks.acquire(target, id, async (holder) => {
        const record = await this.get(holder);
        return !record || isFinal(record.state);
      });
      if (!outcome.ok) {
        for (const t of taken) await this.locks.release(t, id);
        return { ...outcome, target: target.target };
      }
      taken.push(target);
    }
    if (taken.length) await this.redis.hset(this.keys.request(id), 'locks', JSON.stringify(taken));
    return { ok: true };
  }

  /**
   * Records a new request in state `received` unless one with this id exists. Returns false for a
   * duplicate (a Slack retry of the same delivery), so the caller does nothing twice.
   * @param options.listed list it in its channel's `/k8s jobs` (default true; bot-side verbs are not).
   */
  async claim(request: CommandRequest, options: { listed?: boolean } = {}): Promise<boolean> {
    const key = this.keys.request(request.id);
    const res = await this.redis
      .multi()
      .hsetnx(key, 'request', JSON.stringify(request))
      .expire(key, this.ttlSeconds)
      .exec();
    const created = res?.[0]?.[1] === 1;
    if (created) {
      // The state first, then the channel's list (another hash tag, core/key-tags.ts): a crash in
      // between leaves a request that runs but is missing from `/k8s jobs`, never the reverse.
      await this.redis.hset(key, 'state', RequestState.Received);
      if (options.listed !== false) {
        const channel = this.keys.channel(request.channelId);
        await this.redis.multi().zadd(channel, request.receivedAt, request.id).zremrangebyrank(channel, 0, -201).exec();
      }
      if (this.onChange) await Promise.resolve(this.onChange({ request, to: RequestState.Received, fields: {} })).catch(() => {});
    }
    return created;
  }

  async get(id: string): Promise<RequestRecord | undefined> {
    const h = await this.redis.hgetall(this.keys.request(id));
    if (!h.request) return undefined;
    const json = <T>(s: string | undefined, schema: z.ZodType<T>): T | undefined => (s ? schema.parse(JSON.parse(s)) : undefined);
    return {
      request: CommandRequestSchema.parse(JSON.parse(h.request)),
      state: (h.state as RequestState) ?? RequestState.Received,
      messageTs: h.messageTs || undefined,
      workerId: h.workerId || undefined,
      startedAt: h.startedAt ? Number(h.startedAt) : undefined,
      progress: json(h.progress, JobProgressSchema),
      result: json(h.result, JobResultSchema),
      failure: json(h.failure, FailureSchema),
      plan: json(h.plan, PlanSchema),
      drift: json(h.drift, DriftSchema),
      confirmedBy: h.confirmedBy || undefined,
      replanOf: h.replanOf || undefined,
      replannedAs: h.replannedAs || undefined,
      approvalId: h.approvalId || undefined,
      incidentId: h.incidentId || undefined,
      fileUploaded: h.fileUploaded === '1',
      lock: json(h.lock, LockTargetSchema),
      concurrent: json(h.concurrent, z.array(ConcurrentSchema)),
      workerLost: json(h.workerLost, WorkerLostSchema),
      ...runbookFields(h, json),
    };
  }

  /**
   * Takes one step of the lifecycle: sets the step's state and `fields` only if the request is in
   * one of the step's from-states, atomically. A refused step changes nothing.
   */
  async transition(id: string, step: Step, fields: TransitionFields = {}, cursor: string[] = []): Promise<TransitionOutcome> {
    const { from, to } = STEPS[step];
    const [outcome, cur, requestJson, lock] = (await TRANSITION.run(this.redis, [this.keys.request(id)], [to, from.length, ...from, ...encode(fields), ...cursor])) as [string, string, string?, string?];
    if (outcome === 'moved') {
      if (isFinal(to)) {
        // A runbook holds several targets (`locks`), for its whole run.
        const locks = await this.redis.hget(this.keys.request(id), 'locks');
        const held = [...(lock ? [LockTargetSchema.parse(JSON.parse(lock))] : []), ...(locks ? z.array(LockTargetSchema).parse(JSON.parse(locks)) : [])];
        for (const t of held) await this.locks.release(t, id);
        await this.redis.zrem(this.keys.activeRunbooks, id);
      }
      // The change happened: a hook that fails (its own Redis write, say) must not make it look undone.
      if (this.onChange && requestJson) await Promise.resolve(this.onChange({ request: CommandRequestSchema.parse(JSON.parse(requestJson)), from: cur as RequestState, to, fields })).catch(() => {});
      return { ok: true, from: cur as RequestState };
    }
    return { ok: false, state: outcome === 'missing' ? undefined : (cur as RequestState) };
  }

  /**
   * Starts a runbook's step cursor on its first step, with the `start` transition (approved →
   * running) in the same compare-and-set, and lists it for the recovery sweep. Attempt 0 is the
   * plan made for approval; a step's first attempt when reached is 1.
   */
  async startRunbook(id: string, at: number): Promise<boolean> {
    const cursor = ['stepIndex', '0', 'stepAttempt', '1', 'stepStatus', StepStatus.Reached, 'cursorAt', String(at)];
    if (!(await this.transition(id, 'start', { startedAt: at }, cursor)).ok) return false;
    await this.redis.zadd(this.keys.activeRunbooks, at, id);
    return true;
  }

  /**
   * One move of a running runbook's step cursor (transitions.ts STEP_MOVES), as one
   * compare-and-set: only if the cursor is on step `at.index` (and `at.attempt`, when given) in one
   * of the move's from-statuses. `to.step` is written as the record of the step moved to.
   * Returns false, changing nothing, when the cursor is elsewhere (a late or replayed event).
   */
  async moveStep(id: string, move: StepMove, at: { index: number; attempt?: number }, to: { attempt?: number; step?: StepRecord; now: number; fields?: Record<string, string> }): Promise<boolean> {
    const { from, to: status } = STEP_MOVES[move];
    const index = move === 'next' ? at.index + 1 : at.index;
    // A step's first attempt when reached is 1 (attempt 0 is its plan for approval).
    const attempt = to.attempt ?? (move === 'next' ? 1 : at.attempt);
    const current = attempt ?? Number((await this.redis.hget(this.keys.request(id), 'stepAttempt')) ?? 0);
    const fields = ['cursorAt', String(to.now), ...(to.step ? [`step:${index}`, JSON.stringify(to.step)] : []), ...Object.entries(to.fields ?? {}).flat()];
    const moved = await STEP_MOVE.run(this.redis, [this.keys.request(id)], [at.index, at.attempt ?? '', from.length, ...from, index, status, current, ...fields]);
    return moved === 1;
  }

  /** A step's record while its runbook is still `planning` (the plans shown for approval). */
  async setPlannedStep(id: string, index: number, step: StepRecord): Promise<boolean> {
    return (await SET_STEP_IN_STATE.run(this.redis, [this.keys.request(id)], [RequestState.Planning, `step:${index}`, JSON.stringify(step)])) === 1;
  }

  /** Progress of the running step's job if `seq` is newer; also its worker and start, once. */
  async setStepProgress(id: string, at: { index: number; attempt: number }, seq: number, progress: JobProgress | undefined, started?: { workerId: string; at: number }): Promise<boolean> {
    const body = progress ? JSON.stringify(progress) : '';
    if (!progress) {
      // A `started` event: no progress yet, only who runs it and since when.
      const key = this.keys.request(id);
      const [state, idx, att] = await this.redis.hmget(key, 'stepStatus', 'stepIndex', 'stepAttempt');
      if (state !== StepStatus.Running || idx !== String(at.index) || att !== String(at.attempt) || !started) return false;
      await this.redis.multi().hsetnx(key, 'stepWorkerId', started.workerId).hsetnx(key, 'stepStartedAt', String(started.at)).exec();
      return true;
    }
    return (await SET_STEP_PROGRESS.run(this.redis, [this.keys.request(id)], [at.index, at.attempt, seq, body, started?.workerId ?? '', started ? String(started.at) : ''])) === 1;
  }

  /** Records who cancelled a running runbook; true for the first caller only. */
  async requestCancel(id: string, by: string, at: number): Promise<boolean> {
    return (await REQUEST_CANCEL.run(this.redis, [this.keys.request(id)], [by, at])) === 1;
  }

  /** Runbooks running now (at most `limit`), for the recovery sweep. */
  async runningRunbooks(limit = 100): Promise<string[]> {
    return this.redis.zrange(this.keys.activeRunbooks, 0, limit - 1);
  }

  /** Keeps a sealed decision (core/decision-seal.ts) with the request, under its key. */
  async putSeal(id: string, key: string, sealed: SealedDecision): Promise<void> {
    await this.redis.hset(this.keys.request(id), `seal:${key}`, JSON.stringify(sealed));
  }

  /** A sealed decision kept with the request, or undefined (unreadable counts as none). */
  async sealOf(id: string, key: string): Promise<SealedDecision | undefined> {
    const raw = await this.redis.hget(this.keys.request(id), `seal:${key}`);
    if (!raw) return undefined;
    try {
      const parsed = SealedDecisionSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Facts about a request that are not its state: which incident it belongs to, the request it
   * re-plans, a failure's better hint. Never the state.
   */
  async annotate(id: string, fields: Partial<Pick<RequestRecord, 'incidentId' | 'replanOf' | 'failure'>>): Promise<void> {
    const flat = encode(fields);
    if (flat.length) await this.redis.hset(this.keys.request(id), ...flat);
  }

  /** Sets the message ts only if none is set; returns the ts that is stored. */
  async setMessageTsOnce(id: string, ts: string): Promise<string> {
    await this.redis.hsetnx(this.keys.request(id), 'messageTs', ts);
    return (await this.redis.hget(this.keys.request(id), 'messageTs')) ?? ts;
  }

  /**
   * The running request's worker stopped beating: marks it lost (the card says so), once, and only
   * while `workerId` still runs it. True when this call marked it.
   */
  async markWorkerLost(id: string, lost: WorkerLost, field: WorkerField = 'workerId'): Promise<boolean> {
    return (await MARK_WORKER_LOST.run(this.redis, [this.keys.request(id)], [lost.workerId, JSON.stringify(lost), field])) === 1;
  }

  /**
   * A worker started a request that was already running (its job resumed after a worker was lost
   * or stopped): that worker runs it now and any lost mark is cleared. `changed` when the record
   * changed; `previous` is the worker it had.
   */
  async resumedOn(id: string, workerId: string, field: WorkerField = 'workerId'): Promise<{ changed: boolean; previous?: string }> {
    const [changed, previous] = (await RESUMED_ON.run(this.redis, [this.keys.request(id)], [workerId, field])) as [number, string];
    return { changed: changed === 1, ...(previous ? { previous } : {}) };
  }

  /** Stores progress of a running request if `seq` is newer than the stored one. */
  async setProgress(id: string, seq: number, progress: JobProgress): Promise<boolean> {
    return (await SET_PROGRESS.run(this.redis, [this.keys.request(id)], [seq, JSON.stringify(progress)])) === 1;
  }

  /**
   * True for the one caller that marks the file as uploaded. A request may upload a few files
   * (the whole plan when approval is asked, the whole output when it ends), one claim each by `name`.
   * @defaultValue name 'result'
   */
  async claimFileUpload(id: string, name = 'result'): Promise<boolean> {
    return (await this.redis.hsetnx(this.keys.request(id), name === 'result' ? 'fileUploaded' : `fileUploaded:${name}`, '1')) === 1;
  }

  /**
   * Cards whose latest state may not have reached Slack yet. Kept in Redis so that a bot that
   * dies between relaying an event and editing the card leaves the edit to another replica or
   * to its own restart (invariant 5), rather than a card stuck on "Running".
   */
  async markDirty(id: string, at: number): Promise<void> {
    await this.redis.zadd(this.keys.dirtyCards, at, id);
  }

  /**
   * One bot at a time edits a given card: with several replicas relaying events, an edit that
   * Slack's rate limit delayed must not land after a newer one. Returns a release function, or
   * undefined when another replica holds the card.
   */
  async lockCard(id: string, holder: string, ttlMs = 15_000): Promise<(() => Promise<void>) | undefined> {
    const key = this.keys.cardLock(id);
    const ok = await this.redis.set(key, holder, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') return undefined;
    return async () => {
      await RELEASE_LOCK.run(this.redis, [key], [holder]).catch(() => undefined);
    };
  }

  /** Clears the mark only if nothing marked the card again since `renderedAt`. */
  async clearDirty(id: string, renderedAt: number): Promise<void> {
    await CLEAR_DIRTY.run(this.redis, [this.keys.dirtyCards], [id, renderedAt]);
  }

  async dirtySince(before: number, limit = 100): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.dirtyCards, '-inf', before, 'LIMIT', 0, limit);
  }

  async recentInChannel(channelId: string, limit = 10): Promise<RequestRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.channel(channelId), 0, limit - 1);
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((r): r is RequestRecord => r !== undefined);
  }
}
