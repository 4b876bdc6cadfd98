import { startRedisServer, type RedisServer } from '../../src/demo/redis-server.js';
import { createRedis } from '../../src/queue/redis-connection.js';
import type { RedisClient } from '../../src/core/redis-client.js';
import { eventually } from './eventually.js';
import { adminConnection as admin, waitForReplicasOf } from './redis-replication.js';

/** The master set's name the sentinels watch. */
export const MASTER_NAME = 'sitrep-test';

export interface TestSentinelSet {
  /** `redis+sentinel://…/sitrep-test`, as REDIS_URL would name it. */
  url: string;
  /** The data servers, master first as started (after a failover the first is no longer master). */
  servers: RedisServer[];
  sentinels: RedisServer[];
  /** A client that finds the master through the sentinels (createRedis); closed by stop(). */
  client(): RedisClient;
  /** The data server that is master now, as the sentinels say. */
  master(): Promise<RedisServer>;
  /** Waits until the sentinels name a master other than `old` and it accepts writes. */
  waitForNewMaster(old: RedisServer, timeoutMs?: number): Promise<RedisServer>;
  /** Waits until every replica has all the master's writes (replication offsets equal). */
  waitForReplicas(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One master, one replica and three sentinels (quorum 2) on free loopback ports, each a
 * redis-server of its own (`--sentinel` mode for the sentinels: Debian's redis-server package
 * ships no separate redis-sentinel binary). A master is judged down after 1 s without an answer
 * (`down-after-milliseconds`), so a failover takes a few seconds.
 */
export async function startSentinelSet(): Promise<TestSentinelSet> {
  const master = await startRedisServer();
  const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port), '--replica-serve-stale-data', 'no'] });
  const servers = [master, replica];
  await eventually(async () => {
    const c = admin(replica.port);
    try {
      return /master_link_status:up/.test(await c.info('replication'));
    } finally {
      c.disconnect();
    }
  }, { what: 'the replica to sync with its master' });
  const config = [
    'bind 127.0.0.1',
    `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 2`,
    `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
    `sentinel failover-timeout ${MASTER_NAME} 5000`,
    `sentinel parallel-syncs ${MASTER_NAME} 1`,
    '',
  ].join('\n');
  const sentinels = await Promise.all([0, 1, 2].map(() => startRedisServer({ config, args: ['--sentinel'], readyLine: '+monitor master' })));
  // Sentinels find each other and the replica through the master's hello channel; a failover
  // needs both, so wait for them before any test kills the master.
  await eventually(async () => {
    for (const s of sentinels) {
      const c = admin(s.port);
      try {
        const [m] = (await c.call('SENTINEL', 'MASTERS')) as string[][];
        const info = new Map<string, string>();
        for (let i = 0; i + 1 < (m?.length ?? 0); i += 2) info.set(m![i]!, m![i + 1]!);
        if (info.get('num-slaves') !== '1' || info.get('num-other-sentinels') !== '2') return false;
      } finally {
        c.disconnect();
      }
    }
    return true;
  }, { what: 'the sentinels to know the replica and each other', timeoutMs: 30_000 });
  const url = `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${MASTER_NAME}`;
  const clients: RedisClient[] = [];
  const masterPort = async (): Promise<number | undefined> => {
    for (const s of sentinels) {
      const c = admin(s.port);
      try {
        const addr = (await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as [string, string] | null;
        if (addr) return Number(addr[1]);
      } catch {
        // This sentinel is down; ask the next.
      } finally {
        c.disconnect();
      }
    }
    return undefined;
  };
  const set: TestSentinelSet = {
    url,
    servers,
    sentinels,
    client() {
      const c = createRedis(url);
      clients.push(c);
      return c;
    },
    async master() {
      const port = await masterPort();
      const found = servers.find((s) => s.port === port);
      if (!found) throw new Error(`the sentinels name no master of ours (port ${port})`);
      return found;
    },
    async waitForNewMaster(old, timeoutMs = 30_000) {
      return eventually(async () => {
        const port = await masterPort();
        if (!port || port === old.port) return false;
        const c = admin(port);
        try {
          if (!/role:master/.test(await c.info('replication'))) return false;
        } finally {
          c.disconnect();
        }
        return servers.find((s) => s.port === port);
      }, { what: `a new master after ${old.port} went down`, timeoutMs });
    },
    async waitForReplicas() {
      await waitForReplicasOf((await set.master()).port);
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await Promise.all([...sentinels, ...servers].map((s) => s.stop(1000)));
    },
  };
  return set;
}
