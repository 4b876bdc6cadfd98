import type { Redis } from 'ioredis';

export interface Backup {
  name: string;
  savedAt: number;
  objects: unknown[];
}

/**
 * Manifests saved before destructive steps, per request. Written by workers, read by the bot for
 * the incident record. Stored as given: callers strip Secrets' data before saving.
 */
export class BackupStore {
  constructor(private readonly redis: Redis, private readonly keyOf: (requestId: string) => string) {}

  async save(requestId: string, backup: Backup): Promise<void> {
    await this.redis.hset(this.keyOf(requestId), backup.name, JSON.stringify(backup));
  }

  async list(requestId: string): Promise<Backup[]> {
    const all = await this.redis.hgetall(this.keyOf(requestId));
    return Object.values(all)
      .map((v) => JSON.parse(v) as Backup)
      .sort((a, b) => a.savedAt - b.savedAt || a.name.localeCompare(b.name));
  }
}
