import type { RedisClient } from '../core/redis-client.js';
import { redactManifest } from '../core/text/manifest-redact.js';

export interface Backup {
  name: string;
  savedAt: number;
  objects: unknown[];
}

/**
 * Manifests saved before destructive steps, per request. Written by workers, read by the bot for
 * the incident record. Every object is made safe before it is written (core/text/manifest-redact:
 * secret values out, what was removed listed in the object), whatever the caller did.
 */
export class BackupStore {
  constructor(private readonly redis: RedisClient, private readonly keyOf: (requestId: string) => string) {}

  async save(requestId: string, backup: Backup): Promise<void> {
    const safe: Backup = { ...backup, objects: backup.objects.map(redactManifest) };
    await this.redis.hset(this.keyOf(requestId), backup.name, JSON.stringify(safe));
  }

  async list(requestId: string): Promise<Backup[]> {
    const all = await this.redis.hgetall(this.keyOf(requestId));
    return Object.values(all)
      .map((v) => JSON.parse(v) as Backup)
      .sort((a, b) => a.savedAt - b.savedAt || a.name.localeCompare(b.name));
  }
}
