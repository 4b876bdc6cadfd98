import type { Cluster, Redis } from 'ioredis';

/**
 * A connection to sitrep's Redis: one server (standalone or a Sentinel-managed master, both an
 * ioredis `Redis`) or a Redis Cluster (an ioredis `Cluster`). Both run the same commands; on a
 * Cluster every script, MULTI and multi-key command must name keys of one hash slot, which the
 * key layout guarantees (queue/keys.ts, "Hash tags").
 */
export type RedisClient = Redis | Cluster;

/** Whether the client is a Redis Cluster's (ioredis `Cluster`): SCAN, 'ready' and slots then work per node. */
export function isRedisCluster(redis: RedisClient): redis is Cluster {
  return (redis as Cluster).isCluster === true;
}
