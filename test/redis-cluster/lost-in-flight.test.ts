import { afterAll, beforeAll, describe, it } from 'vitest';
import { QueueKeys } from '../../src/queue/keys.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { eventually } from '../support/eventually.js';
import { heldDrain } from '../support/held-drain.js';
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js';
import { startStack, type SharedRedis, type Stack } from '../support/stack.js';

/**
 * test/faults/redis-lost-in-flight.test.ts on a Redis Cluster: the master holding the drain's job
 * lock restarts empty while the drain's eviction waits in the API server's queue. The other masters
 * stay up, so the worker's Cluster client never leaves 'ready': its per-node reconnect must still
 * make the worker check its locks and withdraw the eviction, not wait for the lock renewal.
 */

let cluster: TestRedisCluster;
let stack: Stack<TestRedisCluster>;
beforeAll(async () => {
  cluster = await startRedisCluster();
  // A lock renewed only every 5 minutes: the loss must be noticed when the master is back, not at a renewal.
  stack = await startStack({ redis: cluster, scenario: 'maintenance', lockDurationMs: 600_000 });
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  await cluster?.stop();
});

describe('an eviction in flight when the master of its job lock comes back empty (Redis Cluster)', () => {
  it('is withdrawn from the API server\'s queue at once, as on a single Redis', async () => {
    await heldDrain(stack as unknown as Stack<SharedRedis>);
    stack.sandbox.apiOutage({ durationMs: 60_000, mode: 'queued' });
    await setMinAvailable(stack.sandbox, 'shop', 'web', 2);
    await eventually(() => stack.sandbox.requests().waiting['create pods/eviction'] === 1, { what: 'the eviction waiting in the API queue', timeoutMs: 10_000 });

    const victim = await cluster.masterOf(`${new QueueKeys(stack.prefix).bullPrefix('sandbox')}:k8s-sandbox:wait`);
    // Back at once and empty (no persistence), faster than its replica could take over.
    await victim.restart();
    // Within the queue's 15 s wait limit, after which the API would reject it anyway.
    await eventually(() => stack.sandbox.requests().withdrawn['create pods/eviction'] === 1 && !stack.sandbox.requests().waiting['create pods/eviction'], {
      what: 'the eviction withdrawn from the API queue by the worker that lost its job',
      timeoutMs: 12_000,
    });
  }, 120_000);
});
