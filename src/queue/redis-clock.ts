import type { RedisClient } from '../core/redis-client.js';
import type { Clock } from '../core/clock.js';

/**
 * A clock corrected to Redis's: every process stamps events against one time source, so
 * timelines written by several workers (one of them skewed) still line up. The offset is
 * re-measured every minute; a failed measurement keeps the last one.
 */
export class RedisClock implements Clock {
  private offsetMs = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly redis: RedisClient, private readonly local: () => number = Date.now) {}

  async sync(): Promise<void> {
    const before = this.local();
    const [sec, usec] = await this.redis.time();
    const after = this.local();
    const redisMs = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    this.offsetMs = redisMs - (before + after) / 2;
  }

  async start(): Promise<this> {
    await this.sync().catch(() => {});
    this.timer = setInterval(() => void this.sync().catch(() => {}), 60_000);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  now(): number {
    return Math.round(this.local() + this.offsetMs);
  }
}
