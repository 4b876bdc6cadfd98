import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client.js';
import { currentDeadline } from './deadline.js';

/** The error a deadline-aware script answers with when it ran after its request's deadline. */
export const LATE_WRITE_ERROR = 'SITREP_LATE';

// Compares the caller's deadline with Redis's own clock before anything is written: a command a
// client gave up on (Redis hung, then resumed) must not act once the user was told it did not.
// The script's own arguments follow as `argv` (ARGV without the deadline).
const DEADLINE_PROLOGUE = `
local deadline = tonumber(ARGV[1])
if deadline > 0 then
  local t = redis.call('TIME')
  if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > deadline then
    return redis.error_reply('${LATE_WRITE_ERROR} arrived after its deadline; nothing was written')
  end
end
local argv = {}
for i = 2, #ARGV do argv[i - 1] = ARGV[i] end
`;

export interface RedisScriptOptions {
  /**
   * Refuse to run after the deadline of the request being served (core/deadline.ts), judged by
   * Redis's clock. The script reads its arguments from `argv`, not `ARGV`. @defaultValue false
   */
  deadline?: boolean;
}

/**
 * A Lua script run by EVALSHA, falling back to EVAL once when the server does not know it yet
 * (fresh server, SCRIPT FLUSH, failover). Kept apart from ioredis's defineCommand so that we
 * never add methods to a Redis client other parts of the bot share.
 */
export class RedisScript {
  readonly sha: string;
  readonly source: string;
  private readonly deadline: boolean;

  constructor(body: string, options: RedisScriptOptions = {}) {
    this.deadline = options.deadline ?? false;
    this.source = this.deadline ? `${DEADLINE_PROLOGUE}${body}` : body;
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }

  async run(redis: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const all = this.deadline ? [currentDeadline() ?? 0, ...args] : args;
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...all);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...all);
    }
  }
}
