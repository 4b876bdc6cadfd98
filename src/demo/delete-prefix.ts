import type { Cluster, Redis } from 'ioredis';
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
    const cluster = (redis as Cluster).isCluster ? (redis as Cluster) : undefined;
    const nodes: Redis[] = cluster ? cluster.nodes('master') : [redis as Redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (!keys.length) continue;
        if (cluster) await Promise.all(keys.map((k) => node.unlink(k)));
        else await node.unlink(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}
