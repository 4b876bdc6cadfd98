import type { RedisClient } from '../core/redis-client.js';

/**
 * A job's checkpoints in one Redis hash. Steps record what they finished here, so a job that a
 * second worker resumes skips them (DESIGN.md invariant 4). Kept a week, then Redis drops them.
 */
export class CheckpointStore {
  constructor(private readonly redis: RedisClient, private readonly key: string, private readonly ttlSeconds = 7 * 86_400) {}

  async get<T>(name: string): Promise<T | undefined> {
    const raw = await this.redis.hget(this.key, name);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set(name: string, value: unknown): Promise<void> {
    await this.redis.multi().hset(this.key, name, JSON.stringify(value)).expire(this.key, this.ttlSeconds).exec();
  }
}
