import type { RedisClient } from '../core/redis-client.js';
import type { Logger } from 'pino';
import { BadArgsError, SitrepError, UnavailableError, ErrorCode } from '../core/errors.js';
import { TimelineEventSchema, type TimelineEvent } from '../core/timeline-event.js';
import { orderTimeline } from './causal-order.js';
import { redactText, redactValue } from '../core/text/redact.js';
import { RedisScript } from '../core/redis-script.js';
import { KeyUnit, unitKey } from '../core/key-tags.js';

/** Where one incident's timeline lives. */
export function timelineKeys(prefix: string, incidentId: string): { stream: string; seen: string } {
  // Under the incident's hash tag, with its record: one script writes both (core/key-tags.ts).
  const stream = `${unitKey(prefix, KeyUnit.Incident, incidentId)}:timeline`;
  return { stream, seen: `${stream}:keys` };
}

/**
 * The Lua that appends one event exactly once: the event key goes into a set first, and only a
 * key new to the set is added to the stream. Being one script, two bot replicas or a resumed
 * job appending the same step at the same moment still store it once. Shared with the incident
 * store so a status change and its timeline entry are written in the same script/transaction.
 */
export const APPEND_LUA_FUNCTION = `
local function append_event(stream, seen, event_key, json, max_len)
  if redis.call('SADD', seen, event_key) == 0 then return 0 end
  if max_len > 0 then
    redis.call('XADD', stream, 'MAXLEN', '~', max_len, '*', 'e', json)
  else
    redis.call('XADD', stream, '*', 'e', json)
  end
  return 1
end
`;

// A note taken for a Slack request is refused once the bot gave up on it (core/deadline.ts).
const APPEND = new RedisScript(
  `${APPEND_LUA_FUNCTION}
return append_event(KEYS[1], KEYS[2], argv[1], argv[2], tonumber(argv[3]))`,
  { deadline: true },
);

/** Validates an event and scrubs its secrets; what is returned is what may be stored. */
export function prepareEvent(event: TimelineEvent): TimelineEvent {
  const parsed = TimelineEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new BadArgsError(`Timeline event is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')}`, { cause: parsed.error });
  }
  const e = parsed.data;
  const clean: TimelineEvent = { ...e, text: redactText(e.text) };
  if (e.link !== undefined) clean.link = redactText(e.link);
  if (e.data !== undefined) clean.data = redactValue(e.data) as Record<string, unknown>;
  return clean;
}

export interface TimelineOptions {
  /** Prefix of every Redis key. @defaultValue 'sitrep' */
  prefix?: string;
  /**
   * Approximate cap on events per incident (oldest trimmed first). Off by default because the
   * start of an incident is the part a postmortem needs most; the chat layer throttles progress
   * events instead. @defaultValue undefined (no cap)
   */
  maxLen?: number;
  /** Where unreadable stored events are reported (they are skipped, not fatal). */
  logger?: Logger;
}

/** Entries per XRANGE round trip: big timelines are read in pages so one reply stays bounded. */
const PAGE = 2000;

/**
 * One incident's timeline in a Redis Stream (`<prefix>:{inc:<id>}:timeline`). Appends are
 * idempotent by event key, secrets are scrubbed before storing, and reads come back in the
 * order people should read them (see causal-order.ts).
 */
export class Timeline {
  private readonly prefix: string;
  private readonly maxLen: number;
  private readonly logger: Logger | undefined;

  constructor(private readonly redis: RedisClient, options: TimelineOptions = {}) {
    this.prefix = options.prefix ?? 'sitrep';
    this.maxLen = options.maxLen ?? 0;
    this.logger = options.logger;
  }

  /** Stores the event once per `event.key`; `appended: false` means it was already there. */
  async append(incidentId: string, event: TimelineEvent): Promise<{ appended: boolean }> {
    const clean = prepareEvent(event);
    const { stream, seen } = timelineKeys(this.prefix, incidentId);
    try {
      const added = await APPEND.run(this.redis, [stream, seen], [clean.key, JSON.stringify(clean), this.maxLen]);
      return { appended: added === 1 };
    } catch (err) {
      throw redisDown(err, 'append to the incident timeline');
    }
  }

  /** Every event, ordered by the second of `at` (within one second by append order), effects never before their causes. */
  async read(incidentId: string, options: { sinceAt?: number } = {}): Promise<TimelineEvent[]> {
    const { stream } = timelineKeys(this.prefix, incidentId);
    const stored: TimelineEvent[] = [];
    let start = '-';
    try {
      for (;;) {
        const page = await this.redis.xrange(stream, start, '+', 'COUNT', PAGE);
        for (const [id, fields] of page) {
          const event = this.parseEntry(incidentId, id, fields);
          if (event) stored.push(event);
        }
        if (page.length < PAGE) break;
        start = `(${page[page.length - 1]![0]}`;
      }
    } catch (err) {
      throw redisDown(err, 'read the incident timeline');
    }
    const ordered = orderTimeline(stored);
    const since = options.sinceAt;
    return since === undefined ? ordered : ordered.filter((e) => e.at >= since);
  }

  /** How many events the timeline holds. */
  async count(incidentId: string): Promise<number> {
    try {
      return await this.redis.xlen(timelineKeys(this.prefix, incidentId).stream);
    } catch (err) {
      throw redisDown(err, 'count the incident timeline');
    }
  }

  private parseEntry(incidentId: string, id: string, fields: string[]): TimelineEvent | undefined {
    const i = fields.indexOf('e');
    const raw = i >= 0 ? fields[i + 1] : undefined;
    try {
      return TimelineEventSchema.parse(JSON.parse(raw ?? 'null'));
    } catch (err) {
      // One bad entry must not cost the whole postmortem; say which one so it can be looked at.
      this.logger?.warn({ err, incidentId, entryId: id }, 'timeline entry unreadable, skipped');
      return undefined;
    }
  }
}

/**
 * Redis errors for people: a refused command (a reply error) is our bug and says so; anything
 * else (connection refused, timeout) means Redis is down. Our own errors pass through.
 */
export function redisDown(err: unknown, doing: string): SitrepError {
  if (err instanceof SitrepError) return err;
  if (err instanceof Error && err.name === 'ReplyError') {
    return new SitrepError(ErrorCode.Internal, `Redis refused to ${doing}: ${err.message}`, { cause: err });
  }
  return new UnavailableError(ErrorCode.RedisUnavailable, `Redis unavailable: could not ${doing}. Check that Redis is up and reachable.`, { cause: err });
}
