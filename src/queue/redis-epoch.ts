import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../core/redis-client.js';

/**
 * Tells when Redis lost its data: a failover to an empty replica, FLUSHALL, or a restart without
 * AOF. A random marker is written once and read back on every check; when it is gone (or another
 * bot already replaced it after a loss), everything sitrep kept in Redis may be gone too.
 * A restart that kept its data (AOF) keeps the marker, so it is not a loss.
 */
export class RedisEpoch {
  private known?: string;

  constructor(private readonly redis: RedisClient, private readonly key: string) {}

  /** Writes the marker if none exists and remembers it. Call once at start-up. */
  async start(): Promise<void> {
    await this.redis.set(this.key, randomBytes(8).toString('hex'), 'NX');
    this.known = (await this.redis.get(this.key)) ?? undefined;
  }

  /**
   * Whether Redis lost its data since the last call (or start). A loss is reported once per
   * process; the marker is written again for the next one.
   * @throws the Redis error when Redis cannot be asked (a loss is then not known yet).
   */
  async lost(): Promise<boolean> {
    let now = await this.redis.get(this.key);
    if (now === null) {
      await this.redis.set(this.key, randomBytes(8).toString('hex'), 'NX');
      now = await this.redis.get(this.key);
    }
    const lost = this.known !== undefined && now !== this.known;
    this.known = now ?? undefined;
    return lost;
  }
}
