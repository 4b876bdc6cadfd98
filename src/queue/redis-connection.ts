import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  /** Shown in `CLIENT LIST`, handy when debugging who holds connections. */
  name?: string;
  /**
   * Fail commands at once while disconnected instead of queueing them. The bot's request path
   * wants this: a person must hear "Redis is down" in seconds, not wait for a reconnect.
   * @defaultValue false
   */
  failFast?: boolean;
}

/**
 * An ioredis connection as BullMQ needs it (`maxRetriesPerRequest: null` for blocking workers),
 * with reconnects capped at 2 s so recovery after a Redis restart is quick.
 */
export function createRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  const redisOptions: RedisOptions = {
    maxRetriesPerRequest: options.failFast ? 1 : null,
    enableOfflineQueue: !options.failFast,
    connectionName: options.name,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    connectTimeout: 5000,
    lazyConnect: false,
  };
  const redis = new Redis(url, redisOptions);
  // Errors surface on commands; without a listener ioredis would print every reconnect attempt.
  redis.on('error', () => {});
  return redis;
}

/** Rejects after `ms` so a hung Redis never holds a Slack request past its deadline. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether an error means Redis could not be reached (as opposed to a bad command). */
export function isRedisUnavailable(err: unknown): boolean {
  const text = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  return /enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|MaxRetriesPerRequest|Stream isn't writeable|LOADING|connect ETIMEDOUT/i.test(text);
}
