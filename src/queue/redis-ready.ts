import type { Redis } from 'ioredis';
import { isRedisCluster, type RedisClient } from '../core/redis-client.js';

/**
 * Calls `fn` each time the client's connection to Redis becomes ready again, and returns how to
 * stop. On one Redis that is the client's own 'ready'. A Redis Cluster client stays 'ready' while
 * one master restarts (only its node's connection goes and comes back), so there it is also each
 * node's 'ready': a master back empty alone is the case the per-master loss marker
 * (redis-epoch.ts) exists for, and what runs on 'ready' (a worker checking its job locks) must run
 * then too, not at the next lock renewal (found by test/redis-cluster/lost-in-flight.test.ts: an
 * eviction withdrawn 11 s after the lock's master came back, instead of at once).
 */
export function onEveryReady(redis: RedisClient, fn: () => void): () => void {
  redis.on('ready', fn);
  if (!isRedisCluster(redis)) return () => redis.off('ready', fn);
  const cluster = redis;
  // ioredis replaces a node's client when its connection ends ('-node', then '+node'); one that
  // reconnects in place emits 'ready' again. Either way the node's 'ready' is the moment.
  const watch = (node: Redis) => node.on('ready', fn);
  for (const node of cluster.nodes('all')) watch(node);
  cluster.on('+node', watch);
  return () => {
    redis.off('ready', fn);
    cluster.off('+node', watch);
    for (const node of cluster.nodes('all')) node.off('ready', fn);
  };
}
