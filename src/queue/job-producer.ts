import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { RedisClient } from '../core/redis-client.js';
import type { Clock } from '../core/clock.js';
import { currentDeadline } from '../core/deadline.js';
import { ErrorCode, UnavailableError } from '../core/errors.js';
import { JobPayloadSchema, type JobPayload } from '../core/job.js';
import { JobRelease } from './job-release.js';
import type { QueueKeys } from './keys.js';
import { redisFailure, withTimeout } from './redis-connection.js';
import { untilWorkerLive, type WorkerRegistry } from './worker-registry.js';
import { clusterQueue } from './cluster-queue.js';

export interface JobProducerOptions {
  /** A fail-fast connection (see createRedis). */
  redis: RedisClient;
  keys: QueueKeys;
  registry: WorkerRegistry;
  clock: Clock;
  /** How long the bot waits on Redis before telling the user it is down.
   * @defaultValue 2000 */
  redisTimeoutMs?: number;
  /**
   * With no live worker for the cluster, how long the bot looks again (every 250 ms) before
   * refusing, ms: a worker reconnecting after Redis came back empty, or restarting in a rollout,
   * registers within its Redis reconnect backoff (at most 2 s), and the command should wait for
   * it rather than be refused.
   * @defaultValue 3000 */
  noWorkerGraceMs?: number;
  /** Where the wait for a worker is logged (info). */
  logger?: Logger;
}

/** How often the bot looks for a live worker again during `noWorkerGraceMs`, ms. */
const NO_WORKER_POLL_MS = 250;

/** Job id for a request's job of a kind: deterministic, so a retried Slack delivery adds nothing. */
export function jobIdFor(payload: Pick<JobPayload, 'requestId' | 'kind'>, attempt = 0): string {
  // BullMQ refuses ':' in custom ids.
  return `${payload.requestId}.${payload.kind}${attempt ? `.${attempt}` : ''}`;
}

/**
 * Puts jobs on the queue of their cluster. Refuses up front when Redis is unreachable or no live
 * worker serves the cluster, with a message that says so, rather than queueing into silence.
 */
export class JobProducer {
  private readonly queues = new Map<string, Queue>();
  private readonly release: JobRelease;

  constructor(private readonly options: JobProducerOptions) {
    this.release = new JobRelease(options.redis, options.keys);
  }

  private queue(cluster: string): Queue {
    let q = this.queues.get(cluster);
    if (!q) {
      q = clusterQueue(this.options.redis, this.options.keys, cluster);
      this.queues.set(cluster, q);
    }
    return q;
  }

  /** Redis trouble as the one coded message; "not answering" when the deadline ran out. */
  private redisDown(doing: string): (err?: unknown) => Error {
    const hint = doing === 'queue the job' ? 'Nothing was queued. Check REDIS_URL and the Redis server, then run the command again.' : 'Check REDIS_URL and the Redis server.';
    return (err) => redisFailure(err ?? new Error('Redis is not answering'), doing, hint) ?? (err as Error);
  }

  /** Runs one Redis call of the producer with its deadline, its failures told as redisDown's. */
  private call<T>(promise: Promise<T>, doing: string): Promise<T> {
    const down = this.redisDown(doing);
    return withTimeout(promise, this.options.redisTimeoutMs ?? 2000, () => down()).catch((err: unknown) => {
      throw down(err);
    });
  }

  /**
   * Adds the job to its cluster's queue. Inside a Slack request (core/deadline.ts) the job carries
   * `releaseBy` and is released right after the add, so a hang of Redis during the add cannot make
   * it run later (queue/job-release.ts).
   * @throws UnavailableError when Redis does not answer within `redisTimeoutMs` or no worker is live.
   */
  async enqueue(payload: JobPayload, options: { attempt?: number; requireWorker?: boolean } = {}): Promise<{ jobId: string }> {
    if (options.requireWorker !== false) await this.awaitLiveWorker(payload.cluster);
    // After the wait for a worker: the release deadline counts from the add.
    const releaseBy = payload.releaseBy ?? currentDeadline();
    const data = JobPayloadSchema.parse(releaseBy === undefined ? payload : { ...payload, releaseBy });
    const jobId = jobIdFor(data, options.attempt);
    const queue = this.queue(data.cluster);
    await this.call(
      queue.add(`${data.kind}:${data.verb}`, data, {
        jobId,
        // Transient failures (API server blip) retry; handled failures are marked unrecoverable by the worker.
        attempts: data.kind === 'execute' ? 3 : 2,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { age: 7 * 86_400, count: 5000 },
        removeOnFail: { age: 30 * 86_400 },
      }),
      'queue the job',
    );
    if (data.releaseBy !== undefined) await this.call(this.release.release(jobId, data.releaseBy), 'queue the job');
    // A duplicate id (the same request enqueued twice) is a no-op in BullMQ: exactly one job.
    return { jobId };
  }

  /**
   * Resolves once a worker of the cluster is live, looking again for up to `noWorkerGraceMs`. A
   * caller that signs a release deadline into its payload (an approval's grant) waits here first,
   * so the deadline counts from after the wait, and enqueues with `requireWorker: false`.
   * @throws UnavailableError (NoWorker) when none registered by then, or Redis trouble as redisDown's.
   */
  async awaitLiveWorker(cluster: string): Promise<void> {
    const { clock, registry, logger } = this.options;
    const until = clock.now() + (this.options.noWorkerGraceMs ?? 3000);
    const live = await untilWorkerLive(() => this.call(registry.live(cluster, clock.now()), 'queue the job'), {
      until,
      now: () => clock.now(),
      pollMs: NO_WORKER_POLL_MS,
      onWait: () => logger?.info({ cluster, graceMs: until - clock.now() }, 'no live worker for the cluster yet; looking again before refusing'),
    });
    if (live) return;
    throw new UnavailableError(ErrorCode.NoWorker, `No live worker for cluster ${cluster}.`, {
      hint: `Start one with \`sitrep worker --cluster ${cluster}\`; \`/k8s status\` lists clusters and their workers.`,
    });
  }

  async depth(cluster: string): Promise<{ waiting: number; active: number; delayed: number; failed: number }> {
    const counts = await this.call(this.queue(cluster).getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'), 'read the queue');
    return { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 };
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
  }
}
