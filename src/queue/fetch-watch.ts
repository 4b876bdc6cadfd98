import { REDIS_COMMAND_TIMEOUT_MS } from './redis-connection.js';

/**
 * Whether a worker still takes the jobs waiting for it. A worker's BullMQ fetch loop can stop
 * while everything else about the process looks healthy (heartbeats, Redis PING, the API server):
 * after a Redis Cluster failover it did, through an ioredis promise that never settled
 * (settled-cluster.ts), and every command typed afterwards stayed at "Planning…". Nothing in the
 * process noticed. This watch does, from what a healthy worker cannot show: jobs waiting, a free
 * slot here, and no job started, for `stuckAfterMs`.
 *
 * With more than one worker on a cluster, another idle worker would have taken the waiting job
 * within milliseconds, so "waiting with a free slot" held for a minute means this worker's loop.
 */
export interface FetchWatchOptions {
  /**
   * Jobs in the queue ready for this worker to take (BullMQ `waiting` + `prioritized`; 0 while the
   * queue is paused, when no worker may take them). Rejects when Redis does not answer.
   */
  waiting: () => Promise<number>;
  /** Whether this worker has a free slot (fewer running jobs than its concurrency). */
  freeSlot: () => boolean;
  /** How many jobs this worker has started so far (any count that grows with each start). */
  started: () => number;
  /** Called once when the worker is found stuck, with how many jobs wait and since when (ms, the `now` clock). */
  onStuck: (stuck: FetchStuck) => void;
  /** Called once when a stuck worker starts a job again (the one evidence that its loop runs). */
  onRecovered: () => void;
  /** How often to look, ms. @defaultValue 10000 */
  intervalMs?: number;
  /** How long jobs may wait with a free slot and no start before the worker counts as stuck, ms. @defaultValue 60000 */
  stuckAfterMs?: number;
  /** The clock the stretch is measured on, ms: the machine's own, so a Redis clock resync cannot shorten it. @defaultValue Date.now */
  now?: () => number;
}

/** A stuck fetch loop: `waiting` jobs were ready and none started since `sinceMs` (epoch ms). */
export interface FetchStuck {
  waiting: number;
  sinceMs: number;
}

/** @see FetchWatchOptions */
export class FetchWatch {
  private timer?: NodeJS.Timeout;
  /** When the current stretch of "jobs wait, a slot is free, nothing starts" began. */
  private idleSince?: number;
  private lastStarted = 0;
  private stuckNow?: FetchStuck;
  private looking = false;
  private stopped = false;
  /** When the last look that counted was answered: looks far apart (a frozen process) are no evidence. */
  private lastLookAt?: number;

  constructor(private readonly options: FetchWatchOptions) {}

  /** The stuck state (from the verdict until this worker starts a job), or undefined. */
  get stuck(): FetchStuck | undefined {
    return this.stuckNow;
  }

  start(): void {
    this.lastStarted = this.options.started();
    this.timer = setInterval(() => void this.look(), this.options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Stops looking; a look already waiting on Redis reports nothing. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One look. Never rejects: a Redis that does not answer (or answers late) is no evidence either way, and resets the stretch. */
  async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
      const clock = this.options.now ?? Date.now;
      const asked = clock();
      let waiting: number;
      try {
        waiting = await this.options.waiting();
      } catch {
        this.idleSince = undefined;
        return;
      }
      if (this.stopped) return;
      const now = clock();
      const previous = this.lastLookAt;
      this.lastLookAt = now;
      // Looks far apart (the process froze, or its event loop was starved): BullMQ's own loop
      // starved with them, and the first look after may run before it takes what is waiting.
      if (previous !== undefined && now - previous > 2 * (this.options.intervalMs ?? 10_000)) {
        this.idleSince = undefined;
        return;
      }
      // An answer later than REDIS_COMMAND_TIMEOUT_MS (a Redis that hung, then resumed) is no
      // evidence either: the worker's own fetch waited on the same Redis.
      if (now - asked > REDIS_COMMAND_TIMEOUT_MS) {
        this.idleSince = undefined;
        return;
      }
      const started = this.options.started();
      const startedSince = started !== this.lastStarted;
      this.lastStarted = started;
      if (startedSince) {
        this.idleSince = undefined;
        if (this.stuckNow) {
          this.stuckNow = undefined;
          this.options.onRecovered();
        }
        return;
      }
      // Nothing to take, or no room to take it: no evidence either way. A stuck loop stays stuck
      // until it starts a job: another worker emptying the queue proves nothing about this one.
      if (waiting === 0 || !this.options.freeSlot()) {
        this.idleSince = undefined;
        return;
      }
      this.idleSince ??= now;
      if (!this.stuckNow && now - this.idleSince >= (this.options.stuckAfterMs ?? 60_000)) {
        this.stuckNow = { waiting, sinceMs: this.idleSince };
        this.options.onStuck(this.stuckNow);
      }
    } finally {
      this.looking = false;
    }
  }
}
