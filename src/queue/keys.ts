/**
 * Every Redis key and queue name sitrep's queue layer uses, from one prefix, so two installations
 * can share a Redis and a test can use its own prefix.
 */
export class QueueKeys {
  constructor(readonly prefix: string = 'sitrep') {}

  /** BullMQ queue name of a cluster (BullMQ adds its own `prefix:` in front). */
  queueName(cluster: string): string {
    return `k8s-${cluster}`;
  }

  /** The stream workers write job events to and the bot relays from. */
  get events(): string {
    return `${this.prefix}:job-events`;
  }

  /** A random marker whose disappearance means Redis lost its data (queue/redis-epoch.ts). */
  get epoch(): string {
    return `${this.prefix}:epoch`;
  }

  /** Sorted set of live workers of a cluster, scored by last heartbeat (ms, Redis time). */
  workers(cluster: string): string {
    return `${this.prefix}:workers:${cluster}`;
  }

  /** Last heartbeat of every running job, scored by time (queue/job-beats.ts). */
  get jobBeats(): string {
    return `${this.prefix}:job-beats`;
  }

  /** Set of clusters that have ever had a worker. */
  get clusters(): string {
    return `${this.prefix}:clusters`;
  }

  checkpoints(jobId: string): string {
    return `${this.prefix}:checkpoint:${jobId}`;
  }

  backups(requestId: string): string {
    return `${this.prefix}:backup:${requestId}`;
  }

  /** Whether a job queued for a Slack request was released in time (queue/job-release.ts). */
  release(jobId: string): string {
    return `${this.prefix}:release:${jobId}`;
  }

  /** Per-job sequence counter for events, so relays can drop stale progress. */
  sequence(jobId: string): string {
    return `${this.prefix}:seq:${jobId}`;
  }
}
