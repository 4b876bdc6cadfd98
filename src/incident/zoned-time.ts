import { BadArgsError } from '../core/errors.js';

/**
 * Wall-clock times in any IANA zone, fast enough for 10,000 timeline rows.
 *
 * Intl.DateTimeFormat#formatToParts costs microseconds per call; a postmortem formats every event
 * time. The zone's UTC offset only changes at transitions (DST), so it is computed once per
 * minute of the incident and the wall-clock fields are then read with cheap UTC arithmetic.
 */
export class ZonedTime {
  readonly timeZone: string;
  private readonly parts: Intl.DateTimeFormat;
  private readonly names: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();
  /** `YYYY-MM-DD` by local day number: thousands of rows share a handful of days. */
  private readonly days = new Map<number, string>();

  /** @throws BadArgsError when the zone is not an IANA name this runtime knows. */
  constructor(timeZone = 'UTC') {
    try {
      this.parts = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      });
      this.names = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' });
    } catch (err) {
      throw new BadArgsError(`Unknown time zone '${timeZone}'. Use an IANA name such as UTC, Europe/Berlin or Asia/Shanghai.`, { cause: err });
    }
    // Canonical spelling ('utc' → 'UTC', 'Asia/Calcutta' stays as the runtime resolves it).
    this.timeZone = this.parts.resolvedOptions().timeZone;
  }

  /** Milliseconds to add to a UTC instant to get this zone's wall clock at that instant. */
  offsetAt(at: number): number {
    const minute = Math.floor(at / 60_000);
    let offset = this.offsets.get(minute);
    if (offset === undefined) {
      const probe = minute * 60_000;
      const f: Record<string, number> = {};
      for (const p of this.parts.formatToParts(probe)) if (p.type !== 'literal') f[p.type] = Number(p.value);
      offset = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!) - probe;
      this.offsets.set(minute, offset);
    }
    return offset;
  }

  /** `2026-11-23 14:03:05` on this zone's wall clock. */
  dateTime(at: number): string {
    const local = at + this.offsetAt(at);
    return `${this.localDay(local)} ${clock(local)}`;
  }

  /** `14:03:05` on this zone's wall clock. */
  time(at: number): string {
    return clock(at + this.offsetAt(at));
  }

  /** `14:03` on this zone's wall clock. */
  hourMinute(at: number): string {
    return clock(at + this.offsetAt(at)).slice(0, 5);
  }

  /** `2026-11-23` on this zone's wall clock. */
  date(at: number): string {
    return this.localDay(at + this.offsetAt(at));
  }

  private localDay(local: number): string {
    const day = Math.floor(local / 86_400_000);
    let text = this.days.get(day);
    if (text === undefined) {
      const d = new Date(day * 86_400_000);
      text = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
      this.days.set(day, text);
    }
    return text;
  }

  /** `UTC+08:00` (or `UTC` for a zero offset): unambiguous, parseable back. */
  offsetLabel(at: number): string {
    const offset = this.offsetAt(at);
    if (offset === 0) return 'UTC';
    const sign = offset < 0 ? '-' : '+';
    const mins = Math.round(Math.abs(offset) / 60_000);
    return `UTC${sign}${pad(Math.floor(mins / 60))}:${pad(mins % 60)}`;
  }

  /** The zone's short name at that instant as people know it (`UTC`, `EST`, `GMT+8`). */
  abbreviation(at: number): string {
    const part = this.names.formatToParts(at).find((p) => p.type === 'timeZoneName');
    return part?.value ?? this.offsetLabel(at);
  }

  /**
   * How a table header names the zone: `UTC`, `Asia/Shanghai, UTC+08:00`, or for a span that
   * crosses a DST change `America/New_York, EDT UTC-04:00 → EST UTC-05:00`.
   */
  zoneLabel(from: number, to: number = from): string {
    if (this.timeZone === 'UTC' || this.timeZone === 'Etc/UTC') return 'UTC';
    const a = this.describe(from);
    const b = this.describe(to);
    return a === b ? `${this.timeZone}, ${a}` : `${this.timeZone}, ${a} → ${b}`;
  }

  /** Whether the zone's offset is the same at every given instant. */
  sameOffset(instants: readonly number[]): boolean {
    if (instants.length === 0) return true;
    const first = this.offsetAt(instants[0]!);
    for (const at of instants) if (this.offsetAt(at) !== first) return false;
    return true;
  }

  private describe(at: number): string {
    const abbr = this.abbreviation(at);
    const off = this.offsetLabel(at);
    // "GMT+8" says nothing "UTC+08:00" does not; real abbreviations (EST, CET) are worth showing.
    return /^(GMT|UTC)([+-]|$)/.test(abbr) ? off : `${abbr} ${off}`;
  }
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `HH:mm:ss` of a wall-clock instant expressed as ms since the epoch. */
function clock(local: number): string {
  const s = Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / 1000);
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}
