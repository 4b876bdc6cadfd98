import { Queue } from 'bullmq';
import type { RedisClient } from '../core/redis-client.js';
import type { QueueKeys } from './keys.js';

/**
 * A cluster's BullMQ queue, named and prefixed as workers consume it (QueueKeys.queueName and
 * bullPrefix, one hash tag per cluster). Every producer, gauge, bench and test opens it here, so
 * none can open a look-alike queue under another prefix. The caller closes it.
 *
 * The queue's 'error' events (its connection failing while Redis restarts) are dropped here: they
 * surface on the calls that fail, as each caller reports them. A BullMQ queue with no 'error'
 * listener prints each one with console.error, a raw stack trace between the log lines of an
 * operator's terminal (bullmq classes/queue-base.js `emit`; found by npm run chaos in the worker's
 * queue-depth gauge, test/faults/redis-restart-output.test.ts).
 */
export function clusterQueue(connection: RedisClient, keys: QueueKeys, cluster: string): Queue {
  const queue = new Queue(keys.queueName(cluster), { connection, prefix: keys.bullPrefix(cluster) });
  queue.on('error', () => {});
  return queue;
}
