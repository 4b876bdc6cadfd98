import type { ClusterNote } from '../core/cluster-event.js';
import { EVICTION_REASONS, type Sighting } from './event-sighting.js';

export interface EventDigestOptions {
  cluster: string;
  /** Alike sightings in one flush from this many on become one entry with the list attached.
   * @defaultValue 3 */
  collapseAt?: number;
  /** Entries each source (`kubelet/node02`) may add per minute; the rest are counted in one line.
   * @defaultValue 20 */
  perSourcePerMinute?: number;
  /** Objects listed in a collapsed entry (the count stays exact). @defaultValue 200 */
  maxObjects?: number;
  /**
   * A group of alike sightings is held until none joined it for this long, so a flood that
   * trickles in over seconds (the taint manager evicts pod by pod) is still one entry, ms.
   * @defaultValue 2000 */
  quietMs?: number;
  /** …but never held longer than this, so a flood that goes on still shows up, ms. @defaultValue 15000 */
  maxHoldMs?: number;
}

interface Group {
  members: Sighting[];
  firstAddAt: number;
  lastAddAt: number;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
  /** Entries held back since the last "not shown" line: how many, the first one's time, and when (flush time) the first was held. */
  suppressed: number;
  suppressedSince: number;
  suppressedAt: number;
}

/**
 * Turns a stream of Event sightings into timeline entries a person can read during an outage:
 * - dedupe: an Event counted again (count or series.count went up) is the same entry, not a new one;
 * - collapse: alike sightings (same reason and node) seen together become one entry, e.g.
 *   "41 pods evicted from node02", with every object listed in `objects`;
 * - rate limit: each source gets a token bucket, so one chatty kubelet cannot flood the timeline;
 *   what it held back is said in one line per source and minute ("37 more events … not shown").
 * Pure: the caller feeds sightings, calls flush() on its own schedule and writes what comes out.
 */
export class EventDigest {
  private readonly seen = new Map<string, number>();
  private readonly pending = new Map<string, Sighting>();
  private readonly groups = new Map<string, Group>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly collapseAt: number;
  private readonly perMinute: number;
  private readonly maxObjects: number;

  constructor(private readonly options: EventDigestOptions) {
    this.collapseAt = options.collapseAt ?? 3;
    this.perMinute = options.perSourcePerMinute ?? 20;
    this.maxObjects = options.maxObjects ?? 200;
  }

  /**
   * Takes one sighting. Returns false when it adds nothing: the Event was already reported (its
   * count going up is the same thing happening again, which the Event itself records).
   */
  add(s: Sighting, now: number = Date.now()): boolean {
    if (this.seen.has(s.uid)) {
      this.seen.set(s.uid, Math.max(this.seen.get(s.uid)!, s.count));
      const waiting = this.pending.get(s.uid);
      if (waiting) waiting.count = Math.max(waiting.count, s.count);
      return false;
    }
    this.seen.set(s.uid, s.count);
    const copy = { ...s };
    this.pending.set(s.uid, copy);
    const key = `${s.reason}\u0000${s.node ?? ''}\u0000${s.kind}`;
    const g = this.groups.get(key);
    if (g) {
      g.members.push(copy);
      g.lastAddAt = now;
    } else {
      this.groups.set(key, { members: [copy], firstAddAt: now, lastAddAt: now });
    }
    // Bounded memory on a long incident: forget the oldest uids (a forgotten Event that repeats much later is worth a line again).
    if (this.seen.size > 50_000) for (const uid of [...this.seen.keys()].slice(0, 10_000)) this.seen.delete(uid);
    return true;
  }

  /** Marks Events as already reported without adding them (the list a watch starts from). */
  remember(uids: Iterable<string>): void {
    for (const uid of uids) if (!this.seen.has(uid)) this.seen.set(uid, 1);
  }

  /**
   * The entries for the groups that are complete (quiet for quietMs, or held maxHoldMs), oldest
   * first. `all` takes every group, complete or not (the watch is stopping).
   */
  flush(now: number, all = false): ClusterNote[] {
    const notes: ClusterNote[] = [];
    const quiet = this.options.quietMs ?? 2000;
    const maxHold = this.options.maxHoldMs ?? 15_000;
    for (const [key, group] of this.groups) {
      if (!all && now - group.lastAddAt < quiet && now - group.firstAddAt < maxHold) continue;
      this.groups.delete(key);
      const g = group.members.sort((a, b) => a.at - b.at);
      for (const s of g) this.pending.delete(s.uid);
      if (g.length >= this.collapseAt) this.admit(notes, collapsed(this.options.cluster, g, this.maxObjects), now);
      else for (const s of g) this.admit(notes, single(this.options.cluster, s), now);
    }
    for (const [source, b] of this.buckets) {
      // One line per source and minute of holding back, with the full count of that minute.
      if (b.suppressed === 0 || (!all && now - b.suppressedAt < 60_000)) continue;
      notes.push({
        v: 1,
        cluster: this.options.cluster,
        key: `${this.options.cluster}:suppressed:${source}:${b.suppressedSince}`,
        at: b.suppressedSince,
        type: 'Normal',
        reason: 'RateLimited',
        text: `${b.suppressed} more event${b.suppressed === 1 ? '' : 's'} from ${source} not shown (more than ${this.perMinute} a minute); \`kubectl get events\` has them all`,
        objects: [],
        count: b.suppressed,
        source,
      });
      b.suppressed = 0;
    }
    return notes.sort((a, b) => a.at - b.at);
  }

  private admit(into: ClusterNote[], note: ClusterNote, now: number): void {
    let b = this.buckets.get(note.source);
    if (!b) this.buckets.set(note.source, (b = { tokens: this.perMinute, refilledAt: now, suppressed: 0, suppressedSince: 0, suppressedAt: 0 }));
    b.tokens = Math.min(this.perMinute, b.tokens + ((now - b.refilledAt) / 60_000) * this.perMinute);
    b.refilledAt = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      into.push(note);
      return;
    }
    if (b.suppressed === 0) {
      b.suppressedSince = note.at;
      b.suppressedAt = now;
    }
    b.suppressed += Math.max(1, note.objects.length);
  }
}

function single(cluster: string, s: Sighting): ClusterNote {
  const what = s.kind === 'node' ? s.object.split('/').pop()! : s.object.replace(/^pod\//, '');
  return {
    v: 1,
    cluster,
    key: `${cluster}:event:${s.uid}`,
    at: s.at,
    type: s.type,
    reason: s.reason,
    text: `${s.reason} ${what}: ${s.message}${s.count > 1 ? ` (×${s.count})` : ''}`,
    ...(s.node ? { node: s.node } : {}),
    ...(s.namespace ? { namespace: s.namespace } : {}),
    objects: [s.object],
    count: s.count,
    source: s.source,
  };
}

function collapsed(cluster: string, g: readonly Sighting[], maxObjects: number): ClusterNote {
  const first = g[0]!;
  const kind = first.kind === 'pod' ? 'pods' : `${first.kind}s`;
  const verb = EVICTION_REASONS.has(first.reason) ? (first.reason === 'Killing' ? 'stopped' : 'evicted') : undefined;
  const where = first.node ? ` ${verb === 'evicted' ? 'from' : 'on'} ${first.node}` : '';
  const namespaces = [...new Set(g.map((s) => s.namespace).filter(Boolean))];
  // A pod with two containers is killed twice: count objects, not events.
  const objects = [...new Set(g.map((s) => s.object))];
  const text = verb
    ? `${objects.length} ${kind} ${verb}${where} (${first.reason})`
    : `${first.reason} on ${objects.length} ${kind}${where}: ${first.message}`;
  return {
    v: 1,
    cluster,
    key: `${cluster}:flood:${first.reason}:${first.node ?? ''}:${first.uid}`,
    at: first.at,
    type: g.some((s) => s.type === 'Warning') ? 'Warning' : first.type,
    reason: first.reason,
    text: `${text}${namespaces.length === 1 ? ` in ${namespaces[0]}` : ''}`,
    ...(first.node ? { node: first.node } : {}),
    ...(namespaces.length === 1 ? { namespace: namespaces[0] } : {}),
    objects: objects.slice(0, maxObjects),
    count: g.reduce((n, s) => n + s.count, 0),
    source: first.source,
  };
}
