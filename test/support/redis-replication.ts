import { Redis as IORedis } from 'ioredis';
import { eventually } from './eventually.js';

/** A plain connection to one redis-server on loopback, for INFO, CLUSTER and SENTINEL commands. */
export function adminConnection(port: number): IORedis {
  const c = new IORedis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  c.on('error', () => {});
  return c;
}

/**
 * Waits until every replica of the master on `port` has all its writes so far (each replica's
 * acknowledged offset equals `master_repl_offset`). Replication is asynchronous: a master killed
 * before this may take its last acknowledged writes with it, and the promoted replica lacks them.
 */
export async function waitForReplicasOf(port: number): Promise<void> {
  await eventually(async () => {
    const c = adminConnection(port);
    try {
      const info = await c.info('replication');
      const offset = /master_repl_offset:(\d+)/.exec(info)?.[1];
      const replicas = [...info.matchAll(/slave\d+:.*offset=(\d+)/g)].map((r) => r[1]);
      return replicas.length > 0 && replicas.every((o) => o === offset);
    } finally {
      c.disconnect();
    }
  }, { what: `the replicas of ${port} to catch up` });
}
