import { hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { describeError, ErrorCode, isSitrepError, JobError } from '../core/errors.js';
import { JobPayloadSchema, type JobPayload, type JobResult } from '../core/job.js';
import { randomId } from '../core/ids.js';
import { argsFor } from '../core/verbs/contract.js';
import { JobLost, type JobContext, type OperationJob, type ReadJob } from '../../jobs/job-context.js';
import { BackupStore } from './backup-store.js';
import { CheckpointStore } from './checkpoint-store.js';
import { JobRelease } from './job-release.js';
import { RedisEpoch } from './redis-epoch.js';
import { JobEventWriter, type JobEventBody } from './job-events.js';
import type { QueueKeys } from './keys.js';
import { RedisClock } from './redis-clock.js';
import { WorkerRegistry } from './worker-registry.js';

export interface JobRunnerOptions {
  cluster: string;
  kube: JobContext['kube'];
  /** A blocking-capable connection (maxRetriesPerRequest: null), used by BullMQ and for events. */
  redis: Redis;
  keys: QueueKeys;
  readJobs: Record<string, ReadJob>;
  operationJobs: Record<string, OperationJob>;
  logger: Logger;
  /** @defaultValue 4 */
  concurrency?: number;
  /** BullMQ lock; a worker that dies loses its jobs to others after this long.
   * @defaultValue 30000 */
  lockDurationMs?: number;
  /** @defaultValue lockDurationMs */
  stalledIntervalMs?: number;
  /** @defaultValue 5000 */
  heartbeatMs?: number;
  workerId?: string;
  /**
   * Checks an execution before anything of it runs (the bot's signature, its approval, replay):
   * throws a coded SitrepError to refuse it, which fails the job without retries.
   */
  guard?: (payload: JobPayload, job: { id: string; timestamp: number }) => Promise<void>;
  /** Called once an execution ended for good (done, or failed with no retry left): its grant is used up. */
  onExecutionEnded?: (payload: JobPayload, job: { id: string; timestamp: number }) => Promise<void>;
  /** Hook for metrics: called once per job attempt that ends, with how it ended. */
  onJobDone?: (info: { kind: string; verb: string; outcome: 'ok' | 'not_ok' | 'failed' | 'retry' | 'handed_back'; ms: number }) => void;
}

/** Thrown inside a job when the worker is shutting down: the job goes back to the queue. */
export class ShutdownError extends Error {
  readonly code = ErrorCode.Shutdown;

  constructor() {
    super('worker is shutting down');
    this.name = 'ShutdownError';
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
  private readonly shutdown = new AbortController();
  private readonly active = new Set<string>();
  private readonly jobAborts = new Map<string, AbortController>();
  private readonly lockLost = new Set<string>();
  /** Jobs stopped because Redis came back without its data: their records are gone, nobody continues them. */
  private readonly lostWithRedis = new Set<string>();
  private readonly epoch: RedisEpoch;
  private readonly onRedisReady = () => void this.checkEpoch();
  /** Closed while Redis is unreachable or back but not yet checked: jobs' writes wait on it (JobContext.beforeWrite). */
  private redisGate?: { promise: Promise<void>; open: () => void };
  private readonly onRedisClose = () => {
    if (this.redisGate) return;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.redisGate = { promise, open };
  };
  /** Jobs whose failure process() already reported, so the 'failed' listener does not repeat it. */
  private readonly reported = new Set<string>();

  constructor(private readonly options: JobRunnerOptions) {
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomId('w').slice(2, 8)}`;
    this.clock = new RedisClock(options.redis);
    this.registry = new WorkerRegistry(options.redis, options.keys);
    this.events = new JobEventWriter(options.redis, options.keys.events);
    this.backups = new BackupStore(options.redis, (id) => options.keys.backups(id));
    this.release = new JobRelease(options.redis, options.keys);
    this.epoch = new RedisEpoch(options.redis, options.keys.epoch);
  }

  get activeJobs(): number {
    return this.active.size;
  }

  async start(): Promise<void> {
    await this.clock.start();
    await this.epoch.start().catch((err) => this.options.logger.warn({ err }, 'could not read the Redis epoch marker'));
    // Redis back without its data (restart without AOF, failover to an empty replica, FLUSHALL):
    // checked on every reconnect, before the running jobs get far, and with every heartbeat.
    this.options.redis.on('ready', this.onRedisReady);
    this.options.redis.on('close', this.onRedisClose);
    const beat = () => {
      void this.checkEpoch();
      return this.beat();
    };
    await this.beat();
    this.heartbeat = setInterval(beat, this.options.heartbeatMs ?? 5000);
    this.heartbeat.unref();
    const lockDuration = this.options.lockDurationMs ?? 30_000;
    this.worker = new Worker(this.options.keys.queueName(this.options.cluster), (job, token) => this.process(job, token), {
      connection: this.options.redis,
      prefix: this.options.keys.prefix,
      concurrency: this.options.concurrency ?? 4,
      lockDuration,
      stalledInterval: this.options.stalledIntervalMs ?? lockDuration,
      maxStalledCount: 3,
    });
    this.worker.on('error', (err) => this.options.logger.error({ err }, 'worker error'));
    // A stalled lock (this process froze, or Redis was unreachable too long) means BullMQ may have
    // given the job to another worker: stop at the next checkpoint so two workers never race.
    this.worker.on('lockRenewalFailed', (ids) => {
      for (const id of ids) {
        this.lockLost.add(id);
        this.jobAborts.get(id)?.abort();
      }
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
    this.options.logger.info({ workerId: this.workerId }, 'worker started');
  }

  /**
   * Stops every running job when Redis lost its data: the bot tells their people "lost when Redis
   * restarted; nothing more will run", so nothing more of them may run (a drain would go on
   * evicting until its BullMQ lock renewal failed, up to half of lockDurationMs later).
   */
  private async checkEpoch(): Promise<void> {
    let lost: boolean;
    try {
      lost = await this.epoch.lost();
    } catch {
      // Not known yet: writes keep waiting for a check that succeeds (the next reconnect or heartbeat).
      return;
    }
    if (lost) {
      // The registry went with the data: register now, or the bot refuses new requests ("No live
      // worker") until the next heartbeat.
      void this.beat();
      if (this.jobAborts.size) {
        for (const [id, abort] of this.jobAborts) {
          this.lostWithRedis.add(id);
          abort.abort(new JobLost());
        }
        this.options.logger.warn({ jobIds: [...this.jobAborts.keys()] }, 'Redis came back without its data; stopped the running jobs, whose records are gone');
      }
    }
    const gate = this.redisGate;
    this.redisGate = undefined;
    gate?.open();
  }

  private beat(): Promise<void> {
    return this.registry.heartbeat(this.options.cluster, this.workerId, this.clock.now()).catch((err) => this.options.logger.warn({ err }, 'heartbeat failed'));
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
    this.active.add(job.id!);
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
      beforeWrite: () => {
        const gate = this.redisGate;
        if (!gate || signal.aborted) return Promise.resolve();
        return new Promise<void>((resolve) => {
          const done = () => {
            signal.removeEventListener('abort', done);
            resolve();
          };
          signal.addEventListener('abort', done, { once: true });
          void gate.promise.then(done);
        });
      },
      backup: async (name, objects) => {
        await this.backups.save(payload.requestId, { name, savedAt: this.clock.now(), objects });
        await ctx.event({ kind: 'job.backup', key: `backup:${name}`, text: `Saved ${objects.length} manifest(s) as backup "${name}"`, data: { name, objects: objects.length } });
      },
    };
    try {
      if (payload.kind === 'execute' && this.options.guard) await this.options.guard(payload, { id: job.id!, timestamp: job.timestamp });
      // After the guard, so a late execution still consumes its grant and a copy is a replay.
      if (payload.releaseBy !== undefined) await this.release.awaitRelease(job.id!, payload.releaseBy);
      await this.emit(job, payload, { type: 'started', workerId: this.workerId, attempt: job.attemptsMade + 1 });
      const result = await this.runJob(payload, ctx);
      await this.emit(job, payload, { type: 'result', result });
      if (payload.kind === 'execute') await this.options.onExecutionEnded?.(payload, { id: job.id!, timestamp: job.timestamp });
      log.info({ ok: result.ok, ms: this.clock.now() - started }, 'job finished');
      done(result.ok ? 'ok' : 'not_ok');
      return result;
    } catch (err) {
      if (this.lostWithRedis.has(job.id!)) {
        log.warn('stopped: Redis lost this job\'s records; what it did so far stays done');
        // The bot already told its people; a 'failed' event now would only overwrite that card.
        this.reported.add(job.id!);
        done('failed');
        throw new UnrecoverableError('job lost with Redis');
      }
      if (this.lockLost.has(job.id!)) {
        // Another worker owns the job now and continues from its checkpoints; stay out of its way.
        log.warn('lost the job lock; stopped here and left the job to the worker that holds it');
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
      this.active.delete(job.id!);
      this.jobAborts.delete(job.id!);
      this.lockLost.delete(job.id!);
      this.lostWithRedis.delete(job.id!);
      this.shutdown.signal.removeEventListener('abort', onShutdown);
    }
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
    this.options.redis.off('ready', this.onRedisReady);
    this.options.redis.off('close', this.onRedisClose);
    this.redisGate?.open();
    const worker = this.worker;
    if (!worker) return;
    void worker.pause(true).catch(() => {});
    // Jobs see the abort at their next checkpoint and hand themselves back to the queue.
    this.shutdown.abort();
    const deadline = Date.now() + timeoutMs;
    while (this.active.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Bounded too: BullMQ's close waits on Redis, which may be the reason we are stopping.
    const bounded = <T>(p: Promise<T>) => Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, 3000).unref())]);
    await bounded(worker.close(this.active.size > 0));
    await bounded(this.registry.remove(this.options.cluster, this.workerId));
    this.clock.stop();
    this.options.logger.info({ workerId: this.workerId }, 'worker stopped');
  }
}
