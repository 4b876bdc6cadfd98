import type { RedisClient } from '../core/redis-client.js';
import { systemClock, type Clock } from '../core/clock.js';
import { BadArgsError, ErrorCode, IncidentError, SitrepError } from '../core/errors.js';
import { clusterWatchKey } from '../core/cluster-event.js';
import { EventKind, type TimelineEvent } from '../core/timeline-event.js';
import {
  IncidentSchema,
  IncidentSeveritySchema,
  IncidentStatus,
  isMitigatedStatus,
  newIncidentId,
  severityLabel,
  type Incident,
  type IncidentSeverity,
} from './incident.js';
import { isPerson } from './people.js';
import { redactText } from '../core/text/redact.js';
import { RedisScript } from '../core/redis-script.js';
import { KeyUnit, unitKey } from '../core/key-tags.js';
import { APPEND_LUA_FUNCTION, prepareEvent, redisDown, timelineKeys } from './timeline.js';
import { ZonedTime } from './zoned-time.js';

export { IncidentStatus, type Incident, type IncidentSeverity } from './incident.js';

export interface IncidentStoreOptions {
  /** Prefix of every Redis key; must match the Timeline's. @defaultValue 'sitrep' */
  prefix?: string;
  /** Source of `at` when a call does not pass one. @defaultValue systemClock */
  clock?: Clock;
  /**
   * How long a resolved incident and its timeline are kept, in milliseconds from resolution.
   * @defaultValue undefined (kept forever)
   */
  retentionMs?: number;
}

export interface StartIncidentInput {
  channelId: string;
  title: string;
  /** @defaultValue 3 */
  severity?: IncidentSeverity;
  startedBy: string;
  /** @defaultValue startedBy */
  commanderId?: string;
  /** The chat layer's flag to keep the incident's announcements in its own channel. @defaultValue false */
  channelOnly?: boolean;
  /** When it started. @defaultValue clock.now() */
  at?: number;
}

export interface IncidentChange {
  severity?: IncidentSeverity;
  commanderId?: string;
  status?: IncidentStatus;
  summary?: string;
  cardTs?: string;
}

/** Longest title kept: it heads a Slack card (header blocks take 150 characters) and the postmortem. */
const MAX_TITLE = 150;
/** Optimistic-write retries before giving up; only reached under a storm of edits to one incident. */
const MAX_ATTEMPTS = 20;

/**
 * Writes a new incident's record and its `started` event, unless an incident has this id.
 * KEYS: incident, timeline stream, timeline seen-set (one incident's hash tag).
 * ARGV (after the request's deadline): incident JSON, event key, event JSON.
 */
const CREATE = new RedisScript(`${APPEND_LUA_FUNCTION}
if redis.call('EXISTS', KEYS[1]) == 1 then return 'id_taken' end
redis.call('SET', KEYS[1], argv[1])
append_event(KEYS[2], KEYS[3], argv[2], argv[3], 0)
return 'ok'`, { deadline: true });

/** Takes a channel from an incident that no longer holds it (resolved or gone), only if it still names it. */
const TAKE_CHANNEL = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`);

/** Frees a channel only if it still names this incident. */
const FREE_CHANNEL = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

/**
 * Writes a changed incident only if nobody changed it since it was read (compare-and-set on the
 * stored JSON), with its timeline events and, on resolution, its retention. Freeing the channel
 * and the open index follow in their own steps (they live under other hash tags): readers take a
 * resolved incident as not open, and a start finding its channel held by one takes it over.
 * A script rather than WATCH/MULTI because WATCH belongs to a connection, and the bot shares one.
 * KEYS: incident, timeline stream, timeline seen-set (one incident's hash tag).
 * ARGV: expected, next, release(0/1), retentionMs(0 = none), n events, then key/json pairs.
 */
const COMPARE_AND_SET = new RedisScript(`${APPEND_LUA_FUNCTION}
if redis.call('GET', KEYS[1]) ~= argv[1] then return 0 end
redis.call('SET', KEYS[1], argv[2], 'KEEPTTL')
local n = tonumber(argv[5])
for i = 0, n - 1 do append_event(KEYS[2], KEYS[3], argv[6 + 2 * i], argv[7 + 2 * i], 0) end
local ttl = tonumber(argv[4])
if argv[3] == '1' and ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
  redis.call('PEXPIRE', KEYS[3], ttl)
end
return 1`, { deadline: true });

interface Mutation {
  next: Incident;
  events: TimelineEvent[];
  /** Free the channel for a new incident (the incident is resolved). */
  release: boolean;
}

/**
 * Incidents in Redis: at most one open per channel, each change that people see also recorded
 * on the incident's timeline in the same atomic write.
 */
export class IncidentStore {
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly retentionMs: number;
  /** The Redis keys of incidents under this prefix (tests check retention on them). */
  readonly keys: {
    incident: (id: string) => string;
    openIn: (channelId: string) => string;
    channel: (channelId: string) => string;
    clusters: (id: string) => string;
    all: string;
    open: string;
  };

  constructor(private readonly redis: RedisClient, options: IncidentStoreOptions = {}) {
    this.prefix = options.prefix ?? 'sitrep';
    this.clock = options.clock ?? systemClock;
    this.retentionMs = options.retentionMs ?? 0;
    const p = this.prefix;
    this.keys = {
      incident: (id) => unitKey(p, KeyUnit.Incident, id),
      openIn: (channelId) => `${p}:incidents:open-in:${channelId}`,
      channel: (channelId) => `${p}:incidents:channel:${channelId}`,
      clusters: (id) => `${unitKey(p, KeyUnit.Incident, id)}:clusters`,
      all: `${p}:incidents:all`,
      open: `${p}:incidents:open`,
    };
  }

  /**
   * Opens an incident in a channel.
   * @throws IncidentError `sitrep_incident_exists` naming the incident already open there.
   */
  async start(input: StartIncidentInput): Promise<Incident> {
    const title = redactText(input.title.replace(/\s+/g, ' ').trim());
    if (!title) throw new BadArgsError('Incident title missing: say what is wrong, e.g. "API returns 500s".');
    if (title.length > MAX_TITLE) throw new BadArgsError(`Incident title too long (${title.length} characters, at most ${MAX_TITLE}). Put details in the summary.`);
    if (!input.channelId) throw new BadArgsError('Incident channel missing.');
    if (!input.startedBy) throw new BadArgsError('Incident starter missing.');
    const severity = input.severity ?? 3;
    if (!IncidentSeveritySchema.safeParse(severity).success) throw new BadArgsError(`Severity must be 1 to 4 (SEV1 is the worst), not ${String(severity)}.`);
    const at = input.at ?? this.clock.now();
    const commanderId = input.commanderId ?? input.startedBy;

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const incident: Incident = {
        id: newIncidentId(at),
        channelId: input.channelId,
        title,
        severity,
        commanderId,
        startedBy: input.startedBy,
        status: IncidentStatus.Investigating,
        startedAt: at,
        channelOnly: input.channelOnly ?? false,
        participants: [...new Set([input.startedBy, commanderId])],
      };
      const event = prepareEvent({
        v: 1,
        key: `${incident.id}:started`,
        kind: EventKind.IncidentStarted,
        at,
        actor: input.startedBy,
        text: `Incident started: ${title} (${severityLabel(severity)})`,
        data: { title, severity, commanderId },
      });
      const tl = timelineKeys(this.prefix, incident.id);
      // Three steps, each under one hash tag (core/key-tags.ts), in an order a crash cannot spoil:
      // the record first (unreferenced until the channel names it: a crash leaves an orphan no one
      // lists), then the channel (the one atomic claim: two bots starting at once yield one), then
      // the lists (a crash before them is repaired by the next change, see index()).
      try {
        const created = await CREATE.run(this.redis, [this.keys.incident(incident.id), tl.stream, tl.seen], [JSON.stringify(IncidentSchema.parse(incident)), event.key, JSON.stringify(event)]);
        if (created === 'id_taken') continue; // two incidents on one day drew the same suffix; draw again
        const claimed = await this.claimChannel(input.channelId, incident.id);
        if (claimed !== true) {
          await this.redis.del(this.keys.incident(incident.id), tl.stream, tl.seen);
          if (claimed) throw alreadyOpen(claimed);
          continue; // the channel changed under us; try again
        }
        await this.index(incident);
      } catch (err) {
        throw redisDown(err, 'start the incident');
      }
      return incident;
    }
    throw new SitrepError(ErrorCode.Conflict, 'Incident not started: the channel kept changing. Try /incident start again.');
  }

  /**
   * Names `id` as the channel's open incident. True when it does now; the incident that holds the
   * channel when one open does; undefined when the channel changed while we looked (try again).
   * An incident that no longer holds it (resolved, or gone by retention) is taken over.
   */
  private async claimChannel(channelId: string, id: string): Promise<true | Incident | undefined> {
    const key = this.keys.openIn(channelId);
    if ((await this.redis.set(key, id, 'NX')) === 'OK') return true;
    const holder = await this.redis.get(key);
    if (holder === null || holder === id) return undefined;
    const open = await this.get(holder);
    if (open && open.status !== IncidentStatus.Resolved) return open;
    return (await TAKE_CHANNEL.run(this.redis, [key], [holder, id])) === 1 ? true : undefined;
  }

  /**
   * Lists an incident where /incident list looks (all, open, its channel's). Idempotent (ZADD NX);
   * run at start and again with every change, so an incident whose start died before its lists
   * were written is listed by its next change.
   */
  private async index(incident: Incident): Promise<void> {
    await this.redis.zadd(this.keys.all, 'NX', incident.startedAt, incident.id);
    await this.redis.zadd(this.keys.channel(incident.channelId), 'NX', incident.startedAt, incident.id);
    if (incident.status !== IncidentStatus.Resolved) await this.redis.zadd(this.keys.open, 'NX', incident.startedAt, incident.id);
  }

  /** The open incident in a channel, if any. */
  async openIn(channelId: string): Promise<Incident | undefined> {
    let id: string | null;
    try {
      id = await this.redis.get(this.keys.openIn(channelId));
    } catch (err) {
      throw redisDown(err, 'look up the open incident');
    }
    if (!id) return undefined;
    const incident = await this.get(id);
    return incident && incident.status !== IncidentStatus.Resolved ? incident : undefined;
  }

  async get(id: string): Promise<Incident | undefined> {
    let raw: string | null;
    try {
      raw = await this.redis.get(this.keys.incident(id));
    } catch (err) {
      throw redisDown(err, 'read the incident');
    }
    return raw === null ? undefined : parseIncident(id, raw);
  }

  /**
   * Changes severity, commander, status, summary or the card's ts. Severity, commander and status
   * changes are recorded on the timeline as `incident.severity` / `incident.commander` /
   * `incident.status` (`incident.resolved` for status resolved) with `data: { from, to }`.
   * Setting a value it already has records nothing.
   */
  async update(id: string, change: IncidentChange, actor: string, at?: number): Promise<Incident> {
    const when = at ?? this.clock.now();
    if (change.severity !== undefined && !IncidentSeveritySchema.safeParse(change.severity).success) {
      throw new BadArgsError(`Severity must be 1 to 4 (SEV1 is the worst), not ${String(change.severity)}.`);
    }
    return this.mutate(id, (current) => {
      const next: Incident = { ...current, participants: [...current.participants] };
      const events: TimelineEvent[] = [];
      let release = false;
      const event = (kind: string, field: string, from: unknown, to: unknown, text: string): void => {
        // An incident is resolved once, so that key is fixed (the same as resolve() writes).
        const key = field === 'resolved' ? `${id}:resolved` : `${id}:${field}:${when}:${String(to)}`;
        events.push({ v: 1, key, kind, at: when, actor, text, data: { from, to } });
      };

      if (change.severity !== undefined && change.severity !== current.severity) {
        next.severity = change.severity;
        event(EventKind.IncidentSeverity, 'severity', current.severity, change.severity, `Severity ${severityLabel(current.severity)} → ${severityLabel(change.severity)}`);
      }
      if (change.commanderId !== undefined && change.commanderId !== current.commanderId) {
        if (!change.commanderId) throw new BadArgsError('Commander missing: name a person, e.g. @alice.');
        next.commanderId = change.commanderId;
        addPerson(next, change.commanderId);
        event(EventKind.IncidentCommander, 'commander', current.commanderId, change.commanderId, `Commander <@${current.commanderId}> → <@${change.commanderId}>`);
      }
      if (change.status !== undefined && change.status !== current.status) {
        if (current.status === IncidentStatus.Resolved) {
          throw new IncidentError(ErrorCode.Conflict, `#${id} is already resolved. Start a new incident with /incident start.`);
        }
        next.status = change.status;
        if (isMitigatedStatus(change.status) && next.mitigatedAt === undefined) next.mitigatedAt = when;
        if (change.status === IncidentStatus.Resolved) {
          next.resolvedAt = when;
          release = true;
          event(EventKind.IncidentResolved, 'resolved', current.status, change.status, 'Incident resolved');
        } else {
          event(EventKind.IncidentStatus, 'status', current.status, change.status, `Status ${current.status} → ${change.status}`);
        }
      }
      if (change.summary !== undefined) next.summary = redactText(change.summary.trim());
      if (change.cardTs !== undefined) next.cardTs = change.cardTs;
      if (events.length > 0) addPerson(next, actor);
      return { next, events, release };
    });
  }

  /** Resolves the incident and frees its channel. Resolving twice is harmless (a double click). */
  async resolve(id: string, actor: string, summary?: string, at?: number): Promise<Incident> {
    const when = at ?? this.clock.now();
    return this.mutate(id, (current) => {
      const next: Incident = { ...current, participants: [...current.participants] };
      if (summary !== undefined) next.summary = redactText(summary.trim());
      if (current.status === IncidentStatus.Resolved) return { next, events: [], release: false };
      next.status = IncidentStatus.Resolved;
      next.resolvedAt = when;
      next.mitigatedAt ??= when;
      addPerson(next, actor);
      const event: TimelineEvent = {
        v: 1,
        key: `${id}:resolved`,
        kind: EventKind.IncidentResolved,
        at: when,
        actor,
        text: 'Incident resolved',
        data: { from: current.status, to: IncidentStatus.Resolved, ...(next.summary ? { summary: next.summary } : {}) },
      };
      return { next, events: [event], release: true };
    });
  }

  /** Newest first. `open: true` only open ones, `open: false` only resolved ones. */
  async list(options: { open?: boolean; channelId?: string; limit?: number } = {}): Promise<Incident[]> {
    const limit = options.limit ?? 50;
    if (limit <= 0) return [];
    const source = options.open === true ? this.keys.open : options.channelId !== undefined ? this.keys.channel(options.channelId) : this.keys.all;
    const out: Incident[] = [];
    const pageSize = Math.max(limit, 50);
    try {
      for (let offset = 0; out.length < limit; offset += pageSize) {
        const ids = await this.redis.zrevrange(source, offset, offset + pageSize - 1);
        if (ids.length === 0) break;
        // One GET per incident, not MGET: each incident has its own hash tag (core/key-tags.ts).
        const raws = await Promise.all(ids.map((id) => this.redis.get(this.keys.incident(id))));
        const gone: string[] = [];
        ids.forEach((id, i) => {
          const raw = raws[i];
          if (raw === null || raw === undefined) {
            gone.push(id);
            return;
          }
          const incident = parseIncident(id, raw);
          if (options.channelId !== undefined && incident.channelId !== options.channelId) return;
          if (options.open === true && incident.status === IncidentStatus.Resolved) return;
          if (options.open === false && incident.status !== IncidentStatus.Resolved) return;
          if (out.length < limit) out.push(incident);
        });
        // Expired by retention: drop the index entries so later listings do not page over them.
        if (gone.length > 0) {
          for (const key of new Set([this.keys.all, this.keys.open, source])) await this.redis.zrem(key, ...gone);
          offset -= gone.length;
        }
        if (ids.length < pageSize) break;
      }
    } catch (err) {
      throw redisDown(err, 'list incidents');
    }
    return out;
  }

  /**
   * Asks the workers of `cluster` to stream its events into this incident's timeline, from `since`
   * (ms; an earlier call's earlier time is kept). Undone when the incident is resolved.
   */
  async watchCluster(id: string, cluster: string, since: number): Promise<void> {
    try {
      // The incident's own list first (its hash tag), then the cluster's (another): a crash in
      // between leaves a cluster the incident would unwatch but never watched, which is harmless.
      await this.redis.sadd(this.keys.clusters(id), cluster);
      await this.redis.hsetnx(clusterWatchKey(this.prefix, cluster), id, String(since));
    } catch (err) {
      throw redisDown(err, 'ask for the cluster events');
    }
  }

  /** The incidents that want this cluster's events: incident id → from when (ms). */
  async watchersOf(cluster: string): Promise<Map<string, number>> {
    let raw: Record<string, string>;
    try {
      raw = await this.redis.hgetall(clusterWatchKey(this.prefix, cluster));
    } catch (err) {
      throw redisDown(err, 'read who watches the cluster');
    }
    return new Map(Object.entries(raw).map(([id, since]) => [id, Number(since)]));
  }

  /** Stops streaming any cluster's events into this incident (it was resolved). */
  async unwatchClusters(id: string): Promise<void> {
    try {
      const clusters = await this.redis.smembers(this.keys.clusters(id));
      // Each cluster's watch list is under that cluster's tag; the incident's list goes last, so a
      // crash part way leaves it to name what is still to undo.
      for (const c of clusters) await this.redis.hdel(clusterWatchKey(this.prefix, c), id);
      await this.redis.del(this.keys.clusters(id));
    } catch (err) {
      throw redisDown(err, 'stop the cluster events');
    }
  }

  /** Records someone who took part (shown in the postmortem). */
  async addParticipant(id: string, userId: string): Promise<void> {
    await this.mutate(id, (current) => {
      const next: Incident = { ...current, participants: [...current.participants] };
      addPerson(next, userId);
      return { next, events: [], release: false };
    });
  }

  /** Read, change, compare-and-set; again if someone else wrote in between. */
  private async mutate(id: string, change: (current: Incident) => Mutation): Promise<Incident> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let raw: string | null;
      try {
        raw = await this.redis.get(this.keys.incident(id));
      } catch (err) {
        throw redisDown(err, 'read the incident');
      }
      if (raw === null) {
        throw new IncidentError(ErrorCode.NoIncident, `No incident #${id}. See open incidents with /incident list.`);
      }
      const current = parseIncident(id, raw);
      const { next, events, release } = change(current);
      const nextRaw = JSON.stringify(IncidentSchema.parse(next));
      if (nextRaw === raw && events.length === 0) return current;
      const prepared = events.map(prepareEvent);
      const tl = timelineKeys(this.prefix, id);
      let ok: unknown;
      try {
        ok = await COMPARE_AND_SET.run(
          this.redis,
          [this.keys.incident(id), tl.stream, tl.seen],
          [raw, nextRaw, release ? '1' : '0', this.retentionMs, prepared.length, ...prepared.flatMap((e) => [e.key, JSON.stringify(e)])],
        );
      } catch (err) {
        throw redisDown(err, 'update the incident');
      }
      if (ok === 1) {
        try {
          await this.index(next);
          if (release) {
            // After the record says resolved (the one truth readers check): free the channel if it
            // still names this incident, and drop it from the open list.
            await FREE_CHANNEL.run(this.redis, [this.keys.openIn(current.channelId)], [id]);
            await this.redis.zrem(this.keys.open, id);
          }
        } catch (err) {
          throw redisDown(err, 'update the incident lists');
        }
        // Workers stop watching once no open incident wants their cluster; a failure here only
        // costs a watch that the relay ignores (it appends nothing to resolved incidents).
        if (release) await this.unwatchClusters(id).catch(() => {});
        return next;
      }
    }
    throw new SitrepError(ErrorCode.Conflict, `Incident #${id} not updated: it kept changing under us. Try again.`);
  }

}

function addPerson(incident: Incident, actor: string): void {
  if (isPerson(actor) && !incident.participants.includes(actor)) incident.participants.push(actor);
}

function parseIncident(id: string, raw: string): Incident {
  try {
    return IncidentSchema.parse(JSON.parse(raw));
  } catch (err) {
    throw new SitrepError(ErrorCode.Internal, `Incident #${id} is unreadable in Redis (stored by a newer or broken version?).`, { cause: err });
  }
}

const utc = new ZonedTime('UTC');

/** The message people see when a channel already has an incident: which one, how bad, since when, by whom. */
function alreadyOpen(open: Incident): IncidentError {
  return new IncidentError(
    ErrorCode.IncidentExists,
    `#${open.id} '${open.title}' is already open here (${severityLabel(open.severity)}, started ${utc.hourMinute(open.startedAt)} UTC by ${isPerson(open.startedBy) ? `<@${open.startedBy}>` : open.startedBy}). Resolve it first with /incident resolve.`,
    { hint: '/incident resolve' },
  );
}
