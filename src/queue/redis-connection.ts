import { Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { ErrorCode, UnavailableError } from '../core/errors.js';
import type { RedisClient } from '../core/redis-client.js';
import { LATE_WRITE_ERROR } from '../core/redis-script.js';
import { parseRedisUrl } from '../core/redis-url.js';
import { SettledCluster } from './settled-cluster.js';

/**
 * How long a command on the bot's request-path connection may wait for Redis, in ms: the person
 * who typed the command hears "Redis is not answering" after this, well inside Slack's 3 s.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 2000;

/**
 * How long after it was sent a Slack request's write may still run, in ms (core/deadline.ts).
 * Shorter than REDIS_COMMAND_TIMEOUT_MS so that a write Redis accepts is always one the bot still
 * waits for: the 200 ms between them cover the clock offset to Redis and the reply's way back.
 */
export const REQUEST_DEADLINE_MS = 1800;

export interface RedisConnectionOptions {
  /** Shown in `CLIENT LIST`, handy when debugging who holds connections. */
  name?: string;
  /**
   * Fail commands at once while disconnected instead of queueing them, and give up on any command
   * after REDIS_COMMAND_TIMEOUT_MS. The bot's request path wants this: a person must hear "Redis is
   * down" in seconds, not wait for a reconnect or a hung server. @defaultValue false
   */
  failFast?: boolean;
}

/**
 * An ioredis connection as BullMQ needs it (`maxRetriesPerRequest: null` for blocking workers),
 * with reconnects capped at 2 s so recovery after a Redis restart or failover is quick.
 * `url` is REDIS_URL in any of its forms (core/redis-url.ts): one server, a Sentinel master set
 * (ioredis asks the sentinels for the master, and again whenever the connection drops, so it
 * follows a failover), or a Redis Cluster (ioredis `Cluster`, which follows MOVED/ASK redirects
 * and refreshes the slot map after a failover; a SettledCluster, whose `connect()` settles even
 * when a failover makes ioredis retry it).
 * @throws ConfigError when `url` is not one of those forms.
 */
export function createRedis(url: string, options: RedisConnectionOptions = {}): RedisClient {
  const target = parseRedisUrl(url);
  const redisOptions: RedisOptions = {
    maxRetriesPerRequest: options.failFast ? 1 : null,
    enableOfflineQueue: !options.failFast,
    ...(options.failFast ? { commandTimeout: REDIS_COMMAND_TIMEOUT_MS } : {}),
    connectionName: options.name,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    connectTimeout: 5000,
    lazyConnect: false,
  };
  let redis: RedisClient;
  if (target.kind === 'cluster') {
    const clusterOptions: ClusterOptions = {
      redisOptions: {
        ...redisOptions,
        ...(target.username ? { username: target.username } : {}),
        ...(target.password ? { password: target.password } : {}),
        ...(target.tls ? { tls: {} } : {}),
      },
      enableOfflineQueue: !options.failFast,
      clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
      // While a master is replaced (cluster-node-timeout, then the election) its slots answer
      // CLUSTERDOWN or refuse connections; retry every 100 ms instead of ioredis's default wait.
      retryDelayOnClusterDown: 100,
      retryDelayOnFailover: 100,
      retryDelayOnTryAgain: 100,
      // BullMQ's blocking workers and the relay's XREADGROUP need more patience than the default 16.
      maxRedirections: 64,
      slotsRefreshTimeout: 2000,
    };
    redis = new SettledCluster(target.nodes, clusterOptions);
  } else if (target.kind === 'sentinel') {
    redis = new Redis({
      ...redisOptions,
      sentinels: target.sentinels,
      name: target.masterName,
      db: target.db,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
      ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
      sentinelRetryStrategy: (times) => Math.min(100 * times, 2000),
      // A failover ends with the old master demoted: reconnect to whoever is master now.
      reconnectOnError: (err) => (/READONLY/.test(err.message) ? 2 : false),
    });
  } else {
    redis = new Redis(target.url, redisOptions);
  }
  // Errors surface on commands; without a listener ioredis would print every reconnect attempt.
  redis.on('error', () => {});
  return redis;
}

/**
 * Resolves once the connection is ready, or after `ms` (a fail-fast connection refuses commands
 * until then, so start-up work such as measuring the clock offset waits for it). Never rejects.
 */
export async function whenReady(redis: RedisClient, ms: number): Promise<void> {
  if (redis.status === 'ready') return;
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    redis.once('ready', () => resolve());
  });
  clearTimeout(timer);
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

const NOT_ANSWERING = new RegExp(`Command timed out|${LATE_WRITE_ERROR}|Redis is not answering`);
const UNREACHABLE = /enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|MaxRetriesPerRequest|Stream isn't writeable|LOADING|NOAUTH|WRONGPASS|connect ETIMEDOUT|CLUSTERDOWN|TRYAGAIN|Failed to refresh slots cache|All sentinels are unreachable|None of the sentinels|READONLY|Redis is unreachable/i;

/** Whether an error means Redis could not be reached or did not answer (as opposed to a bad command). */
export function isRedisUnavailable(err: unknown): boolean {
  return redisTrouble(err) !== undefined;
}

function redisTrouble(err: unknown): 'not answering' | 'unreachable' | undefined {
  if (err instanceof UnavailableError) return err.code === ErrorCode.RedisUnavailable ? 'unreachable' : undefined;
  const text = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  if (NOT_ANSWERING.test(text)) return 'not answering';
  return UNREACHABLE.test(text) ? 'unreachable' : undefined;
}

/**
 * The one coded message for Redis trouble, whatever the call that met it: "Redis is not
 * answering" (a command timed out, or a late write was refused) or "Redis is unreachable"
 * (no connection). Undefined for any other error. An UnavailableError already about Redis is
 * returned as it is.
 * @param doing what sitrep could not do, e.g. "take this request".
 * @param hint what the user should do, and what was (not) changed.
 */
export function redisFailure(err: unknown, doing: string, hint: string): UnavailableError | undefined {
  if (err instanceof UnavailableError && err.code === ErrorCode.RedisUnavailable) return err;
  const how = redisTrouble(err);
  if (!how) return undefined;
  return new UnavailableError(ErrorCode.RedisUnavailable, `Redis is ${how}, so sitrep cannot ${doing}.`, { cause: err, hint });
}
