import type { RedisClient } from '../core/redis-client.js';
import { RedisScript } from '../core/redis-script.js';
import { KeyUnit, unitKey } from '../core/key-tags.js';

/** How long a lock may outlive its request before it is taken over regardless: a day. */
const LOCK_TTL_MS = 24 * 3_600_000;

// Deletes the lock only if this request still holds it, and drops it from the cluster's list.
const RELEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if redis.call('HGET', KEYS[2], ARGV[2]) == ARGV[1] then redis.call('HDEL', KEYS[2], ARGV[2]) end
return 0`);

// Takes over a lock from a holder the caller found finished, only if that holder still has it.
const TAKE_OVER = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[2])
return 1`);

/** What a request asks to lock: one object of one cluster. */
export interface LockTarget {
  cluster: string;
  /** `node/node02`, `deployment/shop/web`, `pod/shop/web-1` (the verb contract's targetOf). */
  target: string;
}

/** The outcome of acquire: held by this request, or by another one (still pending or running). */
export type LockOutcome = { ok: true } | { ok: false; holder: string; /** Which of several targets was held. */ target?: string };

/**
 * One destructive operation per target (DESIGN.md invariant 8): a request that changes a node,
 * workload or pod holds its target from intake until it ends; a second request on the same target
 * is refused while the first is pending or running. Each cluster's held targets are also listed,
 * so a plan can say what else is running there.
 */
export class TargetLocks {
  constructor(private readonly redis: RedisClient, private readonly prefix: string) {}

  // A lock and its cluster's list of held targets are changed by one script, so both are under
  // the cluster's hash tag (core/key-tags.ts), with that cluster's queue.
  key(t: LockTarget): string {
    return `${unitKey(this.prefix, KeyUnit.Cluster, t.cluster)}:target-lock:${t.target}`;
  }

  /** Targets held in a cluster, target → request id. */
  heldKey(cluster: string): string {
    return `${unitKey(this.prefix, KeyUnit.Cluster, cluster)}:target-locks`;
  }

  /**
   * Takes the target for `requestId`. A holder that `finished` says is over (ended, or gone from
   * Redis) is taken over; otherwise the holder is returned.
   */
  async acquire(t: LockTarget, requestId: string, finished: (holder: string) => Promise<boolean>): Promise<LockOutcome> {
    const key = this.key(t);
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await this.redis.set(key, requestId, 'PX', LOCK_TTL_MS, 'NX')) === 'OK') {
        await this.redis.hset(this.heldKey(t.cluster), t.target, requestId);
        return { ok: true };
      }
      const holder = await this.redis.get(key);
      if (holder === null) continue;
      if (holder === requestId) return { ok: true };
      if (!(await finished(holder))) return { ok: false, holder };
      if ((await TAKE_OVER.run(this.redis, [key, this.heldKey(t.cluster)], [holder, requestId, t.target, LOCK_TTL_MS])) === 1) return { ok: true };
    }
    return { ok: false, holder: (await this.redis.get(key)) ?? 'unknown' };
  }

  /** Frees the target if `requestId` holds it; safe to call more than once. */
  async release(t: LockTarget, requestId: string): Promise<void> {
    await RELEASE.run(this.redis, [this.key(t), this.heldKey(t.cluster)], [requestId, t.target]);
  }

  /** Every target held in a cluster now, with the request holding it. */
  async held(cluster: string): Promise<{ target: string; requestId: string }[]> {
    const all = await this.redis.hgetall(this.heldKey(cluster));
    return Object.entries(all).map(([target, requestId]) => ({ target, requestId }));
  }
}
