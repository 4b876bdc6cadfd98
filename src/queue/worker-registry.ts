import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../core/redis-client.js';
import type { QueueKeys } from './keys.js';

export interface WorkerInfo {
  id: string;
  cluster: string;
  lastSeen: number;
}

/** A worker that has not been heard from for this long is presumed dead.
 * @defaultValue 15000 */
export const WORKER_TTL_MS = 15_000;

/**
 * Workers announce themselves per cluster; the bot asks who is alive before it enqueues, so a
 * request for a cluster nobody serves is refused at once instead of waiting forever.
 */
export class WorkerRegistry {
  constructor(private readonly redis: RedisClient, private readonly keys: QueueKeys, private readonly ttlMs = WORKER_TTL_MS) {}

  async heartbeat(cluster: string, workerId: string, now: number): Promise<void> {
    // The cluster's workers (its hash tag) and the list of clusters (no tag) apart: two slots.
    await this.redis.multi().zadd(this.keys.workers(cluster), now, workerId).zremrangebyscore(this.keys.workers(cluster), '-inf', now - this.ttlMs * 20).exec();
    await this.redis.sadd(this.keys.clusters, cluster);
  }

  async remove(cluster: string, workerId: string): Promise<void> {
    await this.redis.zrem(this.keys.workers(cluster), workerId);
  }

  async live(cluster: string, now: number): Promise<WorkerInfo[]> {
    const rows = await this.redis.zrangebyscore(this.keys.workers(cluster), now - this.ttlMs, '+inf', 'WITHSCORES');
    const out: WorkerInfo[] = [];
    for (let i = 0; i < rows.length; i += 2) out.push({ id: rows[i], cluster, lastSeen: Number(rows[i + 1]) });
    return out;
  }

  async clusters(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.clusters)).sort();
  }
}

/**
 * Asks `live` (a WorkerRegistry.live lookup, wrapped as the caller handles Redis trouble) every
 * `pollMs` until it names a worker (resolves true) or `until` passes (false; by `now()`, ms since
 * the epoch). `onWait` runs once, when the first answer names none. A lookup's rejection propagates.
 */
export async function untilWorkerLive(
  live: () => Promise<readonly WorkerInfo[]>,
  options: { until: number; now: () => number; pollMs: number; onWait?: () => void },
): Promise<boolean> {
  for (let waiting = false; ; waiting = true) {
    if ((await live()).length > 0) return true;
    if (options.now() >= options.until) return false;
    if (!waiting) options.onWait?.();
    await sleep(options.pollMs);
  }
}
