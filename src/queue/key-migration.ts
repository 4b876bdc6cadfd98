import { ConfigError } from '../core/errors.js';
import { taggedName } from '../core/key-tags.js';
import { isRedisCluster, type RedisClient } from '../core/redis-client.js';

/** What a migration did (or, with `dryRun`, would do). */
export interface KeyMigration {
  /** Old name → new name, renamed. */
  renamed: [string, string][];
  /** Old name → new name, left alone because a key already has the new name. */
  kept: [string, string][];
  /** BullMQ queue keys under the old prefix (`<prefix>:k8s-…`), which are not moved. */
  queueKeys: number;
}

/**
 * Renames the keys an installation wrote before hash tags (core/key-tags.ts taggedName) to their
 * names now, so incidents, their timelines, the audit stream, requests and approvals stay readable
 * after the upgrade. RENAMENX: a key that already exists under the new name is never overwritten.
 * Run with bot and workers stopped. Safe to run again (what was renamed is not found again).
 * @throws ConfigError on a Redis Cluster: the old layout never ran on one, so there is nothing to move.
 */
export async function migrateKeys(redis: RedisClient, prefix: string, options: { dryRun?: boolean } = {}): Promise<KeyMigration> {
  if (isRedisCluster(redis)) throw new ConfigError('Nothing to migrate on a Redis Cluster: sitrep never ran on one before its keys had hash tags.');
  const out: KeyMigration = { renamed: [], kept: [], queueKeys: 0 };
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) {
    for (const key of keys) {
      if (key.startsWith(`${prefix}:k8s-`)) out.queueKeys++;
      const to = taggedName(prefix, key);
      if (!to) continue;
      if (options.dryRun) {
        ((await redis.exists(to)) ? out.kept : out.renamed).push([key, to]);
        continue;
      }
      ((await redis.renamenx(key, to)) === 1 ? out.renamed : out.kept).push([key, to]);
    }
  }
  return out;
}
