import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix } from '../../src/demo/delete-prefix.js';
import { createRedis } from '../../src/queue/redis-connection.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

/**
 * `npm start -- --redis-url …` cleans up its keys when it stops (src/demo/delete-prefix.ts): on one
 * Redis and on a Redis Cluster, where SCAN sees one node and a multi-key UNLINK across slots is
 * refused. Keys of another prefix stay.
 */

const KEYS = (prefix: string) => Array.from({ length: 40 }, (_, i) => `${prefix}:{req:${i}}`);

describe('the demo deletes its keys from a Redis it did not start', () => {
  let standalone: TestRedis;
  beforeAll(async () => {
    standalone = await startTestRedis();
  });
  afterAll(async () => {
    await standalone?.stop();
  });

  it('on one Redis: every key of its prefix, none of another', async () => {
    const prefix = `demo${randomBytes(3).toString('hex')}`;
    const redis = standalone.client();
    for (const key of KEYS(prefix)) await redis.set(key, '1');
    await redis.set('other:keep', '1');
    await deletePrefix(standalone.url, prefix);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    expect(await redis.get('other:keep')).toBe('1');
  });

  it('on a Redis Cluster: every master scanned, keys of many slots deleted, none of another prefix', async () => {
    const url = inject('redisClusterUrl');
    if (!url) throw new Error('No Redis Cluster was started for this run: run the file as `npx vitest run test/redis-cluster/` (vitest.config.ts globalSetup starts one).');
    const prefix = `demo${randomBytes(3).toString('hex')}`;
    const other = `keep${randomBytes(3).toString('hex')}`;
    const cluster = createRedis(url) as Cluster;
    try {
      for (const key of [...KEYS(prefix), ...KEYS(other)]) await cluster.set(key, '1');
      await deletePrefix(url, prefix);
      const left = async (p: string) => (await Promise.all(cluster.nodes('master').map((n) => n.keys(`${p}:*`)))).flat();
      expect(await left(prefix)).toEqual([]);
      expect((await left(other)).length).toBe(40);
    } finally {
      cluster.disconnect();
    }
  });
});
