import { KeyUnit, unitKey } from '../core/key-tags.js';

/**
 * Every Redis key and queue name sitrep's queue layer uses, from one prefix, so two installations
 * can share a Redis and a test can use its own prefix.
 *
 * Hash tags (core/key-tags.ts): each cluster's BullMQ queue has its own, as BullMQ documents for
 * Redis Cluster (its scripts touch several keys of one queue), so clusters' queues spread over the
 * masters. The other keys here are used one at a time and hash freely.
 */
export class QueueKeys {
  constructor(readonly prefix: string = 'sitrep') {}

  /** BullMQ queue name of a cluster (BullMQ adds its own `prefix:` in front, see bullPrefix). */
  queueName(cluster: string): string {
    return `k8s-${cluster}`;
  }

  /**
   * BullMQ's `prefix` option for a cluster's queue: `<prefix>:{cl:<cluster>}`, so every key of
   * that queue (`<prefix>:{cl:prod}:k8s-prod:wait`, …) shares one hash slot.
   * (https://docs.bullmq.io/bull/patterns/redis-cluster)
   */
  bullPrefix(cluster: string): string {
    return unitKey(this.prefix, KeyUnit.Cluster, cluster);
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
    return `${unitKey(this.prefix, KeyUnit.Cluster, cluster)}:workers`;
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
