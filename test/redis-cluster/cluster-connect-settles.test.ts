import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRedisCluster } from '../../src/core/redis-client.js';
import { whenReady } from '../../src/queue/redis-connection.js';
import { eventually } from '../support/eventually.js';
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js';

/**
 * A Redis Cluster client's `connect()` while the cluster says `cluster_state:fail`: ioredis's own
 * attempt fails its ready check and ioredis retries on its own; the promise must still settle when
 * a later attempt is ready. With ioredis's `Cluster` it never did, and BullMQ, which awaits it to
 * reset a worker's blocking connection after a failover, left the worker taking no more jobs
 * (queue/settled-cluster.ts). This file starts its own cluster: it kills a master and its replica.
 */

let cluster: TestRedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe('Redis Cluster connect() during cluster_state:fail', () => {
  it('settles once the cluster is whole again, though ioredis had to retry the attempt it was called for', async () => {
    const client = cluster.client();
    if (!isRedisCluster(client)) throw new Error('expected a Redis Cluster client');
    await whenReady(client, 10_000);
    const master = await cluster.masterOf('settle-me');
    const replicas = await cluster.replicasOf(master);
    expect(replicas.length).toBeGreaterThan(0);
    const gone = [master, ...replicas];
    const alive = cluster.nodes.filter((n) => !gone.includes(n));

    const ended = once(client, 'end');
    client.disconnect();
    await ended;
    // A shard with no node left: the others say cluster_state:fail, and no failover can end it.
    await Promise.all(gone.map((n) => n.kill({ signal: 'SIGKILL' })));
    await eventually(async () => (await Promise.all(alive.map((n) => cluster.stateOf(n)))).every((s) => s === 'fail'), { what: 'cluster_state:fail on every live node', timeoutMs: 30_000 });

    const listenersBefore = client.listenerCount('ready') + client.listenerCount('end');
    let retries = 0;
    client.on('reconnecting', () => (retries += 1));
    let settled: 'resolved' | 'rejected' | undefined;
    const attempt = client.connect().then(
      () => (settled = 'resolved'),
      () => (settled = 'rejected'),
    );
    // ioredis gave up the attempt it was called for (ready check failed) and retries on its own,
    // calling connect() each time: still one pair of listeners for the outcome, not one per retry.
    await eventually(() => retries >= 3, { what: 'three retries by ioredis', timeoutMs: 30_000 });
    expect(settled).toBeUndefined();
    expect(client.listenerCount('ready') + client.listenerCount('end')).toBe(listenersBefore + 2);

    await Promise.all(gone.map((n) => n.restart()));
    await eventually(async () => (await Promise.all(cluster.nodes.map((n) => cluster.stateOf(n)))).every((s) => s === 'ok'), { what: 'cluster_state:ok on every node', timeoutMs: 30_000 });
    await eventually(() => settled, { what: 'connect() to settle', timeoutMs: 30_000, describe: () => `client status ${client.status}` });
    await attempt;
    expect(settled).toBe('resolved');
    expect(client.status).toBe('ready');
    expect(await client.set('settle-me', 'ok')).toBe('OK');
  }, 120_000);
});
