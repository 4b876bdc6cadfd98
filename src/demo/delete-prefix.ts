import type { Redis } from 'ioredis';
import { isRedisCluster } from '../core/redis-client.js';
import { createRedis, whenReady } from '../queue/redis-connection.js';

/**
 * Deletes every key under `<prefix>:` from a Redis the demo did not start, so repeated demos leave
 * nothing behind. On a Redis Cluster each master is scanned (SCAN sees one node's keys) and keys
 * are unlinked one by one (a multi-key UNLINK across slots is refused with CROSSSLOT).
 * @param url a REDIS_URL (`redis://`, `redis+cluster://`, `redis+sentinel://`)
 */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = createRedis(url, { name: 'sitrep-demo-cleanup', failFast: true });
  try {
    // A fail-fast connection sends nothing before it is ready; a Redis that never gets there fails the first SCAN.
    await whenReady(redis, 5000);
    const cluster = isRedisCluster(redis);
    const nodes: Redis[] = cluster ? redis.nodes('master') : [redis];
    for (const node of nodes) {
      for await (const keys of node.scanStream({ match: `${prefix}:*`, count: 500 }) as AsyncIterable<string[]>) {
        if (!keys.length) continue;
        if (cluster) await Promise.all(keys.map((k) => node.unlink(k)));
        else await node.unlink(...keys);
      }
    }
  } finally {
    redis.disconnect();
  }
}
