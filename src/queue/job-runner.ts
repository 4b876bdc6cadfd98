import { hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job, type JobType, type Queue } from 'bullmq';
import type { RedisClient } from '../core/redis-client.js';
import type { Logger } from 'pino';
import { describeError, ErrorCode, isSitrepError, JobError } from '../core/errors.js';
import { JobPayloadSchema, type JobPayload, type JobResult } from '../core/job.js';
import { randomId } from '../core/ids.js';
import { argsFor } from '../core/verbs/contract.js';
import { KeyUnit, unitKey } from '../core/key-tags.js';
import { parseStepRequestId } from '../core/runbook-step.js';
import type { JobContext, OperationJob, ReadJob } from '../../jobs/job-context.js';
import { BackupStore } from './backup-store.js';
import { CheckpointStore } from './checkpoint-store.js';
import { isRedisUnavailable } from './redis-connection.js';
import { JobRelease } from './job-release.js';
import { JOB_HEARTBEAT_MS, JobBeats } from './job-beats.js';
import { JobEventWriter, type JobEventBody } from './job-events.js';
import type { QueueKeys } from './keys.js';
import { RedisClock } from './redis-clock.js';
import { onEveryReady } from './redis-ready.js';
import { WorkerRegistry } from './worker-registry.js';
import { clusterQueue } from './cluster-queue.js';
import { FetchWatch, type FetchStuck } from './fetch-watch.js';

export interface JobRunnerOptions {
  cluster: string;
  kube: JobContext['kube'];
  /** A blocking-capable connection (maxRetriesPerRequest: null), used by BullMQ and for events. */
  redis: RedisClient;
  keys: QueueKeys;
  readJobs: Record<string, ReadJob>;
  operationJobs: Record<string, OperationJob>;
  logger: Logger;
  /** @defaultValue 4 */
  concurrency?: number;
  /**
   * BullMQ's lock on a running job, ms: renewed every half of it while the worker lives; a worker
   * that dies keeps its jobs until the lock expires, at most this long after its last renewal.
   * @defaultValue JOB_LOCK_MS (10000) */
  lockDurationMs?: number;
  /**
   * How often BullMQ looks for jobs whose lock expired and hands them to a live worker, ms. A dead
   * worker's lock expires lockDurationMs / 2 to lockDurationMs after its death (it was renewed at
   * most half a lock before), so its job moves within lockDurationMs + stalledIntervalMs (with the
   * defaults, 5-15 s).
   * @defaultValue lockDurationMs / 2 */
  stalledIntervalMs?: number;
  /** How often the worker says it is alive for `/k8s status` and the live-worker check, ms. @defaultValue 5000 */
  heartbeatMs?: number;
  /** How often the worker beats for each job it runs, which the bot watches (queue/job-beats.ts), ms. @defaultValue JOB_HEARTBEAT_MS (2000) */
  jobHeartbeatMs?: number;
  workerId?: string;
  /**
   * Checks an execution before anything of it runs (the bot's signature, its approval, replay):
   * throws a coded SitrepError to refuse it, which fails the job without retries.
   */
  guard?: (payload: JobPayload, job: { id: string; timestamp: number }) => Promise<void>;
  /** Called once an execution ended for good (done, or failed with no retry left): its grant is used up. */
  onExecutionEnded?: (payload: JobPayload, job: { id: string; timestamp: number }) => Promise<void>;
  /**
   * The watch on BullMQ's fetch loop (queue/fetch-watch.ts): how often it looks, and how long jobs
   * may wait while this worker has a free slot and starts none before it counts as stuck, ms.
   * @defaultValue { intervalMs: 10000, stuckAfterMs: 60000 } */
  fetchWatch?: { intervalMs?: number; stuckAfterMs?: number };
  /** Hook for metrics: called once per job attempt that ends, with how it ended. */
  onJobDone?: (info: { kind: string; verb: string; outcome: 'ok' | 'not_ok' | 'failed' | 'retry' | 'handed_back'; ms: number }) => void;
}

/** BullMQ's lock on a running job, ms (JobRunnerOptions.lockDurationMs). */
export const JOB_LOCK_MS = 10_000;

/** Thrown inside a job when the worker is shutting down: the job goes back to the queue. */
export class ShutdownError extends Error {
  readonly code = ErrorCode.Shutdown;

  constructor() {
    super('worker is shutting down');
    this.name = 'ShutdownError';
  }
}

/**
 * Thrown inside a job when this worker no longer holds its BullMQ lock: another worker took the job
 * over (this one stalled past the lock), or Redis lost it (emptied, so its owner was told nothing
 * more will run). The job stops where it is and reports nothing more.
 */
export class JobLostError extends Error {
  readonly code = ErrorCode.JobLost;

  constructor(jobId: string) {
    super(`this worker no longer holds job ${jobId}: another worker took it over, or Redis lost it`);
    this.name = 'JobLostError';
  }
}

/**
 * Runs a cluster's queue: parses each payload, hands the job module a context (Kubernetes,
 * progress, checkpoints, backups, a Redis-corrected clock) and reports every step as a job
 * event. It never talks to Slack; the bot relays the events.
 */
export class JobRunner {
  readonly workerId: string;
  private worker?: Worker;
  private readonly clock: RedisClock;
  private readonly registry: WorkerRegistry;
  private readonly events: JobEventWriter;
  private readonly backups: BackupStore;
  private readonly release: JobRelease;
  private heartbeat?: NodeJS.Timeout;
  private readonly beats: JobBeats;
  private jobBeat?: NodeJS.Timeout;
  /** Request ids of the running jobs whose cards show them running (reads and executions), by job id. */
  private readonly beating = new Map<string, string>();
  private readonly shutdown = new AbortController();
  private readonly active = new Set<string>();
  private readonly jobAborts = new Map<string, AbortController>();
  private readonly lockLost = new Set<string>();
  /** Of those, the jobs whose request record Redis lost while the lock stayed (a Cluster master back empty alone). */
  private readonly requestLost = new Set<string>();
  /** Each running job's ownership check (JobContext.assertOwned), by job id. */
  private readonly owned = new Map<string, () => Promise<void>>();
  /** Jobs whose failure process() already reported, so the 'failed' listener does not repeat it. */
  private readonly reported = new Set<string>();
  /** Stops the calls on Redis becoming ready again (start() sets them up). */
  private readonly offReady: (() => void)[] = [];
  /** Set from the first connection error of an outage until Redis is ready again, so the outage is logged once. */
  private redisDown = false;
  /** Jobs this worker has started (process() calls), for the fetch watch. */
  private jobsStarted = 0;
  private fetchWatch?: FetchWatch;
  /** This worker's queue, for counts only (the fetch watch, the queue-depth gauge); start() opens it. */
  private queue?: Queue;

  constructor(private readonly options: JobRunnerOptions) {
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomId('w').slice(2, 8)}`;
    this.clock = new RedisClock(options.redis);
    this.registry = new WorkerRegistry(options.redis, options.keys);
    this.events = new JobEventWriter(options.redis, options.keys.events);
    this.backups = new BackupStore(options.redis, (id) => options.keys.backups(id));
    this.release = new JobRelease(options.redis, options.keys);
    this.beats = new JobBeats(options.redis, options.keys.jobBeats);
  }

  /**
   * Registers this worker as live for its cluster (worker-registry.ts), unless its fetch loop is
   * stuck: then the bot says "No live worker" instead of queueing commands nobody takes. Never rejects.
   */
  private readonly beat = async (): Promise<void> => {
    if (this.fetchWatch?.stuck) return;
    try {
      await this.registry.heartbeat(this.options.cluster, this.workerId, this.clock.now());
      // Found stuck while this beat was on its way: its write must not outlive the withdrawal.
      if (this.fetchWatch?.stuck) await this.registry.remove(this.options.cluster, this.workerId);
    } catch (err) {
      this.options.logger.warn({ err }, 'heartbeat failed');
    }
  };

  /** Runs every running job's ownership check; a job found lost is stopped (loseJob) by the check itself. */
  private readonly checkOwnership = () => {
    for (const [id, check] of this.owned) {
      check().catch((err: unknown) => {
        if (!(err instanceof JobLostError)) this.options.logger.warn({ err, jobId: id }, 'could not check the job lock');
      });
    }
  };

  /** This worker no longer holds the job's lock: stop the job where it is (JobLostError). */
  private loseJob(id: string): void {
    this.lockLost.add(id);
    this.jobAborts.get(id)?.abort(new JobLostError(id));
  }

  get activeJobs(): number {
    return this.active.size;
  }

  /**
   * Why this worker is not live although its process runs: its BullMQ fetch loop takes none of the
   * jobs waiting (queue/fetch-watch.ts). The worker's /healthz fails with it, so Kubernetes
   * restarts the worker. Undefined while the worker takes its jobs.
   */
  get notTakingJobs(): string | undefined {
    const stuck = this.fetchWatch?.stuck;
    return stuck && this.stuckMessage(stuck);
  }

  /**
   * Jobs in this worker's queue by BullMQ state (`waiting`, `active`, …), for the fetch watch and
   * the worker's queue-depth gauge: one queue handle per worker.
   * @throws when called before start(), or when Redis does not answer.
   */
  async jobCounts(...states: JobType[]): Promise<Record<string, number>> {
    if (!this.queue) throw new Error('the job runner has not started');
    return this.queue.getJobCounts(...states);
  }

  private stuckMessage(stuck: FetchStuck): string {
    const s = Math.round((Date.now() - stuck.sinceMs) / 1000);
    return `this worker has started none of the ${stuck.waiting} job(s) waiting for cluster ${this.options.cluster} for ${s} s although it has a free slot: its BullMQ fetch loop is stuck`;
  }

  async start(): Promise<void> {
    await this.clock.start();
    await this.beat();
    this.heartbeat = setInterval(this.beat, this.options.heartbeatMs ?? 5000);
    this.heartbeat.unref();
    // Registered again on every reconnect: a Redis that came back empty lost the registry, and the
    // bot refuses every command for this cluster ("No live worker") until it is back.
    this.offReady.push(onEveryReady(this.options.redis, this.beat));
    // And every running job checks it still owns its lock: a Redis back empty lost the jobs, and
    // their requests already in flight to the API must be cut now, not at the next lock renewal
    // (lockDuration / 2 later) nor only at the next step that checks. On a Cluster, a master back
    // empty alone is noticed too (redis-ready.ts).
    this.offReady.push(onEveryReady(this.options.redis, this.checkOwnership));
    const beatJobs = () => this.beats.beat(this.workerId, [...this.beating.values()], this.clock.now()).catch((err) => this.options.logger.warn({ err }, 'job heartbeat failed'));
    this.jobBeat = setInterval(beatJobs, this.options.jobHeartbeatMs ?? JOB_HEARTBEAT_MS);
    this.jobBeat.unref();
    const lockDuration = this.options.lockDurationMs ?? JOB_LOCK_MS;
    const concurrency = this.options.concurrency ?? 4;
    this.worker = new Worker(this.options.keys.queueName(this.options.cluster), (job, token) => this.process(job, token), {
      connection: this.options.redis,
      prefix: this.options.keys.bullPrefix(this.options.cluster),
      concurrency,
      lockDuration,
      stalledInterval: this.options.stalledIntervalMs ?? Math.round(lockDuration / 2),
      maxStalledCount: 3,
    });
    // Redis going away is one outage, not one error per reconnect attempt of each connection: say it
    // once, as a warning (running jobs wait; ioredis reconnects), and once more when it is back.
    this.worker.on('error', (err) => {
      if (!isRedisUnavailable(err)) return this.options.logger.error({ err }, 'worker error');
      if (this.redisDown) return;
      this.redisDown = true;
      this.options.logger.warn({ reason: err.message }, `Redis is unreachable (${err.message}); reconnecting, and running jobs wait for it`);
    });
    this.offReady.push(
      onEveryReady(this.options.redis, () => {
        if (!this.redisDown) return;
        this.redisDown = false;
        this.options.logger.info('Redis is reachable again');
      }),
    );
    // A stalled lock (this process froze, or Redis was unreachable too long) means BullMQ may have
    // given the job to another worker: stop at the next checkpoint so two workers never race.
    this.worker.on('lockRenewalFailed', (ids) => {
      for (const id of ids) this.loseJob(id);
      this.options.logger.warn({ jobIds: ids }, 'job lock renewal failed; stopping those jobs');
    });
    // Failures BullMQ decides on its own (a job that stalled too often, e.g. a worker killed by
    // OOM again and again) never pass through process(): tell the bot, or its card runs forever.
    this.worker.on('failed', (job, err) => {
      if (!job || this.reported.delete(job.id!)) return;
      // BullMQ also emits 'failed' for attempts it will retry; only a final failure is news.
      if (job.attemptsMade < (job.opts.attempts ?? 1) && !/stalled/i.test(err.message)) return;
      const parsed = JobPayloadSchema.safeParse(job.data);
      if (!parsed.success) return;
      void this.emit(job, parsed.data, {
        type: 'failed',
        code: ErrorCode.Internal,
        message: `The job failed outside its steps: ${err.message}`,
        hint: 'Check the workers (they may be crashing); completed steps are checkpointed, so running the command again resumes safely.',
      }).catch((e) => this.options.logger.warn({ err: e }, 'could not report a failed job'));
    });
    await this.worker.waitUntilReady();
    this.queue = clusterQueue(this.options.redis, this.options.keys, this.options.cluster);
    this.watchFetching(this.queue, concurrency);
    this.options.logger.info({ workerId: this.workerId }, 'worker started');
  }

  /**
   * Starts the fetch watch: a worker whose BullMQ loop stopped taking jobs says so once (error),
   * withdraws from the live workers, and fails /healthz (notTakingJobs) until it takes one again.
   */
  private watchFetching(queue: Queue, concurrency: number): void {
    this.fetchWatch = new FetchWatch({
      waiting: async () => {
        // A paused queue (an operator's BullMQ dashboard) keeps its jobs in `wait`: none is this worker's to take.
        if (await queue.isPaused()) return 0;
        const c = await queue.getJobCounts('waiting', 'prioritized');
        return (c.waiting ?? 0) + (c.prioritized ?? 0);
      },
      freeSlot: () => this.active.size < concurrency,
      started: () => this.jobsStarted,
      onStuck: (stuck) => {
        this.options.logger.error(
          { workerId: this.workerId, waiting: stuck.waiting },
          `${this.stuckMessage(stuck)}. It no longer counts as a live worker (the bot answers "No live worker" rather than queue commands nobody takes) and /healthz fails, so Kubernetes restarts it.`,
        );
        this.registry.remove(this.options.cluster, this.workerId).catch((err) => this.options.logger.warn({ err }, 'could not withdraw the stuck worker'));
      },
      onRecovered: () => {
        this.options.logger.info({ workerId: this.workerId }, 'this worker started a job again: its fetch loop runs, and it counts as live again');
        void this.beat();
      },
      ...this.options.fetchWatch,
    });
    this.fetchWatch.start();
  }

  private async emit(job: Job, payload: JobPayload, body: JobEventBody): Promise<void> {
    const seq = await this.options.redis.incr(this.options.keys.sequence(job.id!));
    await this.options.redis.expire(this.options.keys.sequence(job.id!), 7 * 86_400);
    await this.events.write({
      requestId: payload.requestId,
      jobId: job.id!,
      jobKind: payload.kind,
      verb: payload.verb,
      cluster: payload.cluster,
      seq,
      at: this.clock.now(),
      body,
    });
  }

  private async process(job: Job, token?: string): Promise<JobResult> {
    const parsed = JobPayloadSchema.safeParse(job.data);
    if (!parsed.success) {
      // A payload this worker cannot read is never retried: a newer bot wrote it, or it is corrupt.
      throw new UnrecoverableError(`unreadable job payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
    const payload = parsed.data;
    const log = this.options.logger.child({ jobId: job.id, requestId: payload.requestId, verb: payload.verb, kind: payload.kind });
    const started = this.clock.now();
    const done = (outcome: 'ok' | 'not_ok' | 'failed' | 'retry' | 'handed_back') => this.options.onJobDone?.({ kind: payload.kind, verb: payload.verb, outcome, ms: this.clock.now() - started });
    // Per job: aborted on shutdown, or when this worker lost the job's lock to another worker.
    const jobAbort = new AbortController();
    const onShutdown = () => jobAbort.abort();
    this.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    if (this.shutdown.signal.aborted) jobAbort.abort();
    this.jobAborts.set(job.id!, jobAbort);
    const signal = jobAbort.signal;
    // The request record an execution runs for (a runbook step's is its runbook's), once seen.
    const step = parseStepRequestId(payload.requestId);
    const record = { key: unitKey(this.options.keys.prefix, KeyUnit.Request, step?.parentId ?? payload.requestId), seen: false };
    this.active.add(job.id!);
    this.jobsStarted += 1;
    const ctx: JobContext = {
      cluster: this.options.cluster,
      kube: this.options.kube,
      signal,
      clock: this.clock,
      log,
      progress: async (p) => {
        if (signal.aborted) throw new ShutdownError();
        await this.emit(job, payload, { type: 'progress', progress: { ...p, blocked: p.blocked ?? [], elapsedMs: p.elapsedMs ?? this.clock.now() - started } });
      },
      event: async (e) => {
        await this.emit(job, payload, { type: 'note', kind: e.kind, key: `${payload.requestId}:${e.key}`, text: e.text, data: e.data });
      },
      checkpoints: new CheckpointStore(this.options.redis, this.options.keys.checkpoints(job.id!)),
      assertOwned: this.ownership(job, token, record),
      backup: async (name, objects) => {
        await this.backups.save(payload.requestId, { name, savedAt: this.clock.now(), objects });
        await ctx.event({ kind: 'job.backup', key: `backup:${name}`, text: `Saved ${objects.length} manifest(s) as backup "${name}"`, data: { name, objects: objects.length } });
      },
    };
    this.owned.set(job.id!, ctx.assertOwned);
    try {
      if (payload.kind === 'execute') record.seen = (await this.options.redis.exists(record.key)) === 1;
      if (payload.kind === 'execute' && this.options.guard) await this.options.guard(payload, { id: job.id!, timestamp: job.timestamp });
      // After the guard, so a late execution still consumes its grant and a copy is a replay.
      if (payload.releaseBy !== undefined) await this.release.awaitRelease(job.id!, payload.releaseBy);
      if (payload.kind !== 'plan') {
        // The bot watches this beat: when it lapses, the card says the worker was lost.
        this.beating.set(job.id!, payload.requestId);
        await this.beats.beat(this.workerId, [payload.requestId], this.clock.now());
      }
      await this.emit(job, payload, { type: 'started', workerId: this.workerId, attempt: job.attemptsMade + 1 });
      const result = await this.runJob(payload, ctx);
      await this.emit(job, payload, { type: 'result', result });
      if (payload.kind === 'execute') await this.options.onExecutionEnded?.(payload, { id: job.id!, timestamp: job.timestamp });
      log.info({ ok: result.ok, ms: this.clock.now() - started }, 'job finished');
      done(result.ok ? 'ok' : 'not_ok');
      return result;
    } catch (err) {
      if (this.requestLost.has(job.id!)) {
        // The lock is still this worker's, but the card was told nothing more will run: not
        // retried, and not reported (the bot has no request left to report it on).
        log.warn({ code: ErrorCode.JobLost }, 'the request is gone from Redis (lost with its data) and its card says nothing more will run; stopped here');
        if (payload.kind === 'execute') await this.options.onExecutionEnded?.(payload, { id: job.id!, timestamp: job.timestamp }).catch((e: unknown) => log.warn({ err: e }, 'could not mark the grant used'));
        this.reported.add(job.id!);
        done('failed');
        throw new UnrecoverableError('request lost from Redis');
      }
      if (this.lockLost.has(job.id!)) {
        // Another worker owns the job now and continues from its checkpoints, or Redis lost the
        // job and its owner was told nothing more will run: either way, stay out of it.
        log.warn({ code: ErrorCode.JobLost }, 'lost the job lock (another worker took it over, or Redis lost it); stopped here, nothing more runs on this worker');
        done('handed_back');
        throw new Error('job lock lost');
      }
      if (err instanceof ShutdownError || (signal.aborted && !isSitrepError(err))) {
        // Hand the job back untouched; its checkpoints let the next worker continue where this one stopped.
        log.info('job handed back to the queue for another worker');
        await job.moveToWait(token);
        done('handed_back');
        throw new WaitingError();
      }
      const final = isSitrepError(err) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (final) {
        const d = describeError(err);
        log.warn({ err, code: d.code }, 'job failed');
        await this.emit(job, payload, { type: 'failed', code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}) });
        if (payload.kind === 'execute') await this.options.onExecutionEnded?.(payload, { id: job.id!, timestamp: job.timestamp }).catch((e: unknown) => log.warn({ err: e }, 'could not mark the grant used'));
        this.reported.add(job.id!);
        done('failed');
        throw new UnrecoverableError(d.message);
      }
      log.warn({ err }, 'job attempt failed; will retry');
      done('retry');
      throw err;
    } finally {
      if (this.beating.delete(job.id!)) await this.beats.end(this.workerId, payload.requestId).catch((err) => log.warn({ err }, 'could not end the job heartbeat'));
      this.active.delete(job.id!);
      this.jobAborts.delete(job.id!);
      this.lockLost.delete(job.id!);
      this.requestLost.delete(job.id!);
      this.owned.delete(job.id!);
      this.shutdown.signal.removeEventListener('abort', onShutdown);
    }
  }

  /**
   * The job's ownership check (JobContext.assertOwned): its lock key, `<prefix>:<queue>:<id>:lock`
   * (BullMQ's `toKey(id) + ':lock'`, which its extendLock script compares with the token), must
   * still hold this attempt's token. BullMQ only notices a lost lock at its next renewal
   * (lockDuration / 2 later); a destructive step must not wait for that. Callers that ask while a
   * check is in flight share it. The request record, when it was there at the start, must be there
   * still: on a Redis Cluster the master that holds it can come back empty while the lock's master
   * keeps the lock, and the bot then tells the card the request was lost and nothing more will run
   * (chat/redis-loss.ts); without this check the drain evicted on (found by
   * test/redis-cluster/lost-card-worker-runs.test.ts).
   */
  private ownership(job: Job, token: string | undefined, record: { key: string; seen: boolean }): () => Promise<void> {
    const lockKey = `${this.worker!.toKey(job.id!)}:lock`;
    let inFlight: Promise<void> | undefined;
    const check = async () => {
      try {
        // Both asked at once: this check sits before every destructive request.
        const [lock, recordLeft] = await Promise.all([token === undefined ? undefined : this.options.redis.get(lockKey), record.seen ? this.options.redis.exists(record.key) : 1]);
        if (token !== undefined && lock !== token) this.loseJob(job.id!);
        else if (recordLeft === 0) {
          this.requestLost.add(job.id!);
          this.loseJob(job.id!);
        }
      } finally {
        inFlight = undefined;
      }
    };
    return async () => {
      if (!this.lockLost.has(job.id!)) await (inFlight ??= check());
      if (this.lockLost.has(job.id!)) throw new JobLostError(job.id!);
    };
  }

  private async runJob(payload: JobPayload, ctx: JobContext): Promise<JobResult> {
    if (payload.cluster !== this.options.cluster) {
      throw new JobError(ErrorCode.Internal, `job for cluster ${payload.cluster} reached the worker of ${this.options.cluster}`);
    }
    if (payload.kind === 'read') {
      const job = this.options.readJobs[payload.verb];
      if (!job) throw new JobError(ErrorCode.UnknownVerb, `This worker cannot run "${payload.verb}"; it may be older than the bot.`);
      return job.run(argsFor(job.verb, payload.args), ctx);
    }
    const job = this.options.operationJobs[payload.verb];
    if (!job) throw new JobError(ErrorCode.UnknownVerb, `This worker cannot run "${payload.verb}"; it may be older than the bot.`);
    if (payload.kind === 'plan') {
      const plan = await job.plan(argsFor(job.verb, payload.args), ctx);
      return { ok: true, title: plan.summary, text: '', plan, changed: [], unchanged: [] };
    }
    if (!payload.approvedPlan) throw new JobError(ErrorCode.Internal, 'execute job without an approved plan');
    return job.execute(argsFor(job.verb, payload.args), payload.approvedPlan, ctx);
  }

  /**
   * Stops taking work and asks running jobs to stop at their next checkpoint, where they hand
   * themselves back to the queue; after `timeoutMs` the worker closes regardless, and BullMQ's
   * stalled-job check gives whatever was still running to another worker.
   */
  async stop(timeoutMs = 30_000): Promise<void> {
    clearInterval(this.heartbeat);
    this.fetchWatch?.stop();
    for (const off of this.offReady.splice(0)) off();
    const worker = this.worker;
    if (!worker) return;
    void worker.pause(true).catch(() => {});
    // Jobs see the abort at their next checkpoint and hand themselves back to the queue.
    this.shutdown.abort();
    const deadline = Date.now() + timeoutMs;
    while (this.active.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Jobs still beat while they make their way to a checkpoint: their cards are not "lost".
    clearInterval(this.jobBeat);
    // Bounded too: BullMQ's close waits on Redis, which may be the reason we are stopping.
    const bounded = <T>(p: Promise<T>) => Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, 3000).unref())]);
    await bounded(worker.close(this.active.size > 0));
    await bounded(this.registry.remove(this.options.cluster, this.workerId));
    await bounded(this.queue?.close() ?? Promise.resolve());
    this.clock.stop();
    this.options.logger.info({ workerId: this.workerId }, 'worker stopped');
  }
}
