import type { webApi } from '@slack/bolt';
import type { Clock } from '../core/clock.js';

export interface SlackNamesOptions {
  client: webApi.WebClient;
  clock: Clock;
  /** How long a looked-up name is trusted, ms. @defaultValue 600000 (10 minutes) */
  ttlMs?: number;
  /** Lookups at once (Slack's users.info is Tier 4, conversations.info Tier 3). @defaultValue 4 */
  concurrency?: number;
}

/**
 * People and channels by name for files read outside Slack (postmortems, timelines): users.info
 * (real name, else display name, else handle) and conversations.info (channel name), cached per
 * id. A failed lookup (missing scope, deleted user, Slack down) leaves that id out, so the caller
 * shows the id rather than failing the whole postmortem.
 */
export class SlackNames {
  private readonly users = new Map<string, { at: number; name?: string }>();
  private readonly channels = new Map<string, { at: number; name?: string }>();
  /** Web API calls made; for tests of the cache. */
  readonly stats = { lookups: 0 };

  constructor(private readonly o: SlackNamesOptions) {}

  async userNames(ids: Iterable<string>): Promise<Record<string, string>> {
    return this.resolve(ids, this.users, async (id) => {
      const res = await this.o.client.users.info({ user: id });
      const u = res.user;
      return u?.profile?.real_name || u?.real_name || u?.profile?.display_name || u?.name || undefined;
    });
  }

  async channelNames(ids: Iterable<string>): Promise<Record<string, string>> {
    return this.resolve(ids, this.channels, async (id) => (await this.o.client.conversations.info({ channel: id })).channel?.name || undefined);
  }

  private async resolve(ids: Iterable<string>, cache: Map<string, { at: number; name?: string }>, lookup: (id: string) => Promise<string | undefined>): Promise<Record<string, string>> {
    const now = this.o.clock.now();
    const ttl = this.o.ttlMs ?? 600_000;
    const wanted = [...new Set(ids)];
    const missing = wanted.filter((id) => {
      const c = cache.get(id);
      return !c || now - c.at >= ttl;
    });
    const queue = [...missing];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        this.stats.lookups++;
        const name = await lookup(id).catch(() => undefined);
        cache.set(id, { at: now, ...(name ? { name } : {}) });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency ?? 4, queue.length) }, worker));
    const out: Record<string, string> = {};
    for (const id of wanted) {
      const name = cache.get(id)?.name;
      if (name) out[id] = name;
    }
    return out;
  }
}
