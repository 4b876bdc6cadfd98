import { execFile } from 'node:child_process';
import { Redis } from 'ioredis';
import { promisify } from 'node:util';
import type { RedisClient } from '../../src/core/redis-client.js';
import { findOnPath, startRedisServer, type RedisServer } from '../../src/demo/redis-server.js';
import { createRedis } from '../../src/queue/redis-connection.js';
import { eventually } from './eventually.js';
import { adminConnection as admin } from './redis-replication.js';

const run = promisify(execFile);

export interface TestRedisCluster {
  /** `redis+cluster://127.0.0.1:P1,…`, as REDIS_URL would name it. */
  url: string;
  nodes: RedisServer[];
  /** A client as sitrep makes one (an ioredis Cluster); closed by stop(). */
  client(): RedisClient;
  /** The node that is master of the slot `key` hashes to now (`CLUSTER KEYSLOT` + `CLUSTER SHARDS`). */
  masterOf(key: string): Promise<RedisServer>;
  /** The nodes replicating `master` (`CLUSTER MYID` on it, then `CLUSTER REPLICAS`). */
  replicasOf(master: RedisServer): Promise<RedisServer[]>;
  /** What `node` says of the cluster (`cluster_state:` of CLUSTER INFO: ok or fail), or undefined when it does not answer. */
  stateOf(node: RedisServer): Promise<string | undefined>;
  /** Waits until every live node says `cluster_state:ok` and a replica took over the slots of `dead`. */
  waitForFailover(dead: RedisServer, key: string, timeoutMs?: number): Promise<RedisServer>;
  stop(): Promise<void>;
}

/** `redis-cli` is needed to create the cluster; the message says how to get it. */
function redisCli(): string {
  const cli = findOnPath('redis-cli');
  if (!cli) throw new Error('redis-cli is not installed: the Redis Cluster tests need it (apt-get install redis-tools, or brew install redis).');
  return cli;
}


async function clusterState(port: number): Promise<string | undefined> {
  const c = admin(port);
  try {
    return /cluster_state:(\w+)/.exec(String(await c.call('CLUSTER', 'INFO')))?.[1];
  } catch {
    return undefined;
  } finally {
    c.disconnect();
  }
}

/**
 * A Redis Cluster of three masters and three replicas on free loopback ports, each a private
 * redis-server (`--cluster-enabled yes --cluster-node-timeout 1000`, no persistence), joined with
 * `redis-cli --cluster create … --cluster-replicas 1`. A master that stops answering is replaced
 * by its replica within a few seconds.
 */
export async function startRedisCluster(): Promise<TestRedisCluster> {
  const cli = redisCli();
  const nodes = await Promise.all(
    Array.from({ length: 6 }, () => startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', '1000', '--cluster-config-file', 'nodes.conf', '--cluster-require-full-coverage', 'yes'] })),
  );
  try {
    await run(cli, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });
    await eventually(async () => (await Promise.all(nodes.map((n) => clusterState(n.port)))).every((s) => s === 'ok'), { what: 'cluster_state:ok on every node', timeoutMs: 30_000 });
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop(1000)));
    throw err;
  }
  const url = `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
  const clients: RedisClient[] = [];
  const masterPortOf = async (key: string, alive: RedisServer[]): Promise<number | undefined> => {
    for (const n of alive) {
      const c = admin(n.port);
      try {
        const slot = Number(await c.call('CLUSTER', 'KEYSLOT', key));
        const shards = (await c.call('CLUSTER', 'SHARDS')) as unknown[][];
        for (const shard of shards) {
          const s = pairs(shard);
          const slots = s.get('slots') as number[];
          let owns = false;
          for (let i = 0; i + 1 < slots.length; i += 2) if (slot >= Number(slots[i]) && slot <= Number(slots[i + 1])) owns = true;
          if (!owns) continue;
          for (const nodeInfo of s.get('nodes') as unknown[][]) {
            const info = pairs(nodeInfo);
            if (info.get('role') === 'master' && info.get('health') === 'online') return Number(info.get('port'));
          }
        }
      } catch {
        // This node is down; ask another.
      } finally {
        c.disconnect();
      }
    }
    return undefined;
  };
  const dead = new Set<RedisServer>();
  return {
    url,
    nodes,
    client() {
      const c = createRedis(url);
      clients.push(c);
      return c;
    },
    async masterOf(key) {
      const port = await masterPortOf(key, nodes.filter((n) => !dead.has(n)));
      const found = nodes.find((n) => n.port === port);
      if (!found) throw new Error(`no master owns the slot of ${key}`);
      return found;
    },
    async replicasOf(master) {
      const c = admin(master.port);
      try {
        const id = String(await c.call('CLUSTER', 'MYID'));
        const lines = (await c.call('CLUSTER', 'REPLICAS', id)) as string[];
        const ports = lines.map((line) => Number(/:(\d+)@/.exec(line)?.[1]));
        return nodes.filter((n) => ports.includes(n.port));
      } finally {
        c.disconnect();
      }
    },
    stateOf: (node) => clusterState(node.port),
    async waitForFailover(gone, key, timeoutMs = 30_000) {
      dead.add(gone);
      const alive = nodes.filter((n) => !dead.has(n));
      return eventually(async () => {
        if (!(await Promise.all(alive.map((n) => clusterState(n.port)))).every((s) => s === 'ok')) return false;
        const port = await masterPortOf(key, alive);
        return port !== undefined && port !== gone.port ? nodes.find((n) => n.port === port) : false;
      }, { what: `a replica to take over the slots of ${gone.port}`, timeoutMs });
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await Promise.all(nodes.map((n) => n.stop(1000)));
    },
  };
}

/** A RESP map sent as a flat array (CLUSTER SHARDS). */
function pairs(flat: unknown[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) m.set(String(flat[i]), flat[i + 1]);
  return m;
}

/**
 * Deletes every key under `<prefix>:` on one node, as a master that came back empty alone has lost
 * them, for this installation only (other tests' prefixes on a shared cluster stay).
 */
export async function wipePrefixOn(node: { port: number }, prefix: string): Promise<void> {
  const client = new Redis(node.port, '127.0.0.1', { lazyConnect: true });
  try {
    await client.connect();
    for await (const keys of client.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) {
      for (const key of keys) await client.del(key);
    }
  } finally {
    client.disconnect();
  }
}
