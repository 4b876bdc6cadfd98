import type { RedisClient } from '../core/redis-client.js';
import { ErrorCode, JobError } from '../core/errors.js';
import { LATE_WRITE_ERROR, RedisScript } from '../core/redis-script.js';
import type { QueueKeys } from './keys.js';

/** How long a release decision is remembered, in seconds: longer than any job waits in a queue. */
const RELEASE_TTL_S = 7 * 86_400;

// The bot's release, after BullMQ added the job: refused once Redis's clock is past the job's
// releaseBy, so a job added by a command Redis ran late is never released.
const RELEASE = new RedisScript(`
local t = redis.call('TIME')
if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) <= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], 'released', 'NX', 'EX', ARGV[2])
end
return redis.call('GET', KEYS[1]) or 'late'`);

// The worker's check. Once Redis's clock is past the deadline the answer is final: the release
// script would be refused from then on, and 'expired' is written so both sides agree.
const CHECK = new RedisScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
local t = redis.call('TIME')
if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], 'expired', 'NX', 'EX', ARGV[2])
  return redis.call('GET', KEYS[1])
end
return 'wait'`);

/**
 * The last write of queueing a job for a Slack request. BullMQ's add is its own Lua script and
 * cannot compare a deadline with Redis's clock, so a job added by a command Redis ran after it
 * hung would run although the user was told nothing was queued. Instead the job carries
 * `releaseBy` and runs only once the bot's release, a script sent right after the add that Redis
 * refuses past `releaseBy`, is recorded; the worker waits for it (usually one round trip) and refuses the job
 * once Redis's clock is past `releaseBy` without it.
 */
export class JobRelease {
  constructor(private readonly redis: RedisClient, private readonly keys: QueueKeys) {}

  /**
   * Releases a job (bot side).
   * @throws Error (SITREP_LATE) when Redis ran the release after `releaseBy`: the job will never run.
   */
  async release(jobId: string, releaseBy: number): Promise<void> {
    const state = await RELEASE.run(this.redis, [this.keys.release(jobId)], [releaseBy, RELEASE_TTL_S]);
    if (state !== 'released') throw new Error(`${LATE_WRITE_ERROR}: job ${jobId} was queued after its deadline and will not run`);
  }

  /**
   * Waits until the bot released `jobId` (worker side), polling every `pollMs`.
   * @throws JobError (sitrep_redis_unavailable) when the deadline passed without a release.
   */
  async awaitRelease(jobId: string, releaseBy: number, pollMs = 20): Promise<void> {
    for (;;) {
      const state = (await CHECK.run(this.redis, [this.keys.release(jobId)], [releaseBy, RELEASE_TTL_S])) as string;
      if (state === 'released') return;
      if (state === 'expired') {
        throw new JobError(ErrorCode.RedisUnavailable, 'Not run: Redis stopped answering while this was being queued, and the person who asked was told nothing was queued.', {
          hint: 'Nothing was changed. Run the command again.',
        });
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
