import { randomBytes } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import { isRedisCluster, type RedisClient } from '../core/redis-client.js';

/**
 * Tells when Redis lost its data: a failover to an empty replica, FLUSHALL, or a restart without
 * AOF. A random marker is written once and read back on every check; when it is gone (or another
 * bot already replaced it after a loss), everything sitrep kept there may be gone too. A restart
 * that kept its data (AOF) keeps the marker, so it is not a loss.
 *
 * On a Redis Cluster each master can lose its data alone, so there is one marker per master, in
 * the lowest hash slot it serves (`<key>:{<tag>}`, the tag chosen to hash to that slot). A marker
 * seen before and now gone is a loss; a marker never seen (a master added, slots moved to it) is
 * written, not reported. A marker whose slot migrates moves with it, as every key does.
 */
export class RedisEpoch {
  /** The marker value last read, by marker key. */
  private known = new Map<string, string>();

  constructor(private readonly redis: RedisClient, private readonly key: string) {}

  /** Writes the markers that do not exist and remembers them. Call once at start-up. */
  async start(): Promise<void> {
    // With nothing known yet, a check only writes and remembers: it cannot report a loss.
    await this.lost();
  }

  /**
   * Whether Redis (on a Cluster: any master) lost its data since the last call (or start). A loss
   * is reported once per process; the marker is written again for the next one.
   * @throws the Redis error when Redis cannot be asked (a loss is then not known yet).
   */
  async lost(): Promise<boolean> {
    let lost = false;
    // Remembered only once every marker was read: a check that fails half-way (a master still
    // settling) must not learn one master's new marker and so forget that it changed.
    const next = new Map(this.known);
    for (const key of await this.markerKeys()) {
      const now = await this.read(key);
      const before = this.known.get(key);
      if (before !== undefined && now !== before) lost = true;
      if (now === undefined) next.delete(key);
      else next.set(key, now);
    }
    this.known = next;
    return lost;
  }

  /** The marker's value, written first when there is none. */
  private async read(key: string): Promise<string | undefined> {
    const now = await this.redis.get(key);
    if (now !== null) return now;
    await this.redis.set(key, randomBytes(8).toString('hex'), 'NX');
    return (await this.redis.get(key)) ?? undefined;
  }

  /** One marker key per master: the key itself on one Redis; on a Cluster, one in each master's lowest slot. */
  private async markerKeys(): Promise<string[]> {
    if (!isRedisCluster(this.redis)) return [this.key];
    // [start, end, [host, port, id], ...replicas] per slot range (CLUSTER SLOTS).
    const lowest = new Map<string, number>();
    for (const [start, , master] of await this.redis.cluster('SLOTS')) {
      if (!master) continue;
      const id = master[2] || `${master[0]}:${master[1]}`;
      lowest.set(id, Math.min(lowest.get(id) ?? start, start));
    }
    return [...lowest.values()].sort((a, b) => a - b).map((slot) => `${this.key}:{${tagForSlot(slot)}}`);
  }
}

const tags = new Map<number, string>();
let searched = 0;

/** A short hash tag that Redis Cluster hashes to `slot` (0-16383): `e0`, `e1`, … tried in order, remembered. */
function tagForSlot(slot: number): string {
  for (;;) {
    const found = tags.get(slot);
    if (found !== undefined) return found;
    const tag = `e${searched++}`;
    const s = calculateSlot(tag);
    if (!tags.has(s)) tags.set(s, tag);
  }
}
