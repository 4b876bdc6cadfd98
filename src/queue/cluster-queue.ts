import { Queue } from 'bullmq';
import type { RedisClient } from '../core/redis-client.js';
import type { QueueKeys } from './keys.js';

/**
 * A cluster's BullMQ queue, named and prefixed as workers consume it (QueueKeys.queueName and
 * bullPrefix, one hash tag per cluster). Every producer, gauge, bench and test opens it here, so
 * none can open a look-alike queue under another prefix. The caller closes it.
 */
export function clusterQueue(connection: RedisClient, keys: QueueKeys, cluster: string): Queue {
  return new Queue(keys.queueName(cluster), { connection, prefix: keys.bullPrefix(cluster) });
}
