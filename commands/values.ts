import { BadArgsError, dns1123Problem, formatDuration, parseDuration } from '../src/core/index.js';
import { selectorProblem } from '../src/core/label-selector.js';
import { slackToPlain } from '../src/core/text/slack-markup.js';
import { type Token, unquoteWhole } from './tokenize.js';

/**
 * Value checks shared by the verbs. Each throws BadArgsError with a message that names the flag
 * or argument and what was typed, or returns the value in its plain JSON form.
 */

const SHOW_MAX = 60;

/**
 * User text quoted back in a message, shortened and in quotes. Plain text like every message:
 * the renderer escapes it for its output (Slack mrkdwn, fallback text), once.
 */
export function show(value: string): string {
  const short = value.length > SHOW_MAX ? `${value.slice(0, SHOW_MAX)}…` : value;
  return `"${short}"`;
}

/** User text shown bare (flags: `--foo`), shortened; plain text, as `show`. */
export function plain(value: string): string {
  return value.length > SHOW_MAX ? `${value.slice(0, SHOW_MAX)}…` : value;
}

/** A DNS-1123 name (node, pod, deployment...) or BadArgsError naming what it is for. */
export function checkName(what: string, value: string, kind: 'label' | 'subdomain' = 'subdomain'): string {
  const problem = dns1123Problem(value, kind);
  if (problem === undefined) return value;
  const lower = value.toLowerCase();
  const fix = lower !== value && dns1123Problem(lower, kind) === undefined ? ` Did you mean \`${lower}\`?` : '';
  throw new BadArgsError(`Bad ${what} name ${show(value)}: ${problem}.${fix}`);
}

/** Text of at most 15 digits, optionally negative: no floats, hex, exponents or `+`. */
function readInt(raw: string): number | undefined {
  const t = raw.trim();
  if (t.length === 0 || t.length > 16) return undefined;
  let k = t[0] === '-' ? 1 : 0;
  if (k === t.length) return undefined;
  for (; k < t.length; k += 1) {
    const c = t.charCodeAt(k);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(t);
}

export interface IntRange {
  min: number;
  max: number;
}

/** A whole number within `range`; `what` is how the message names it (`--replicas`). */
export function intValue(what: string, raw: string, range: IntRange): number {
  const n = readInt(raw);
  if (n === undefined) throw new BadArgsError(`${what} must be a whole number, got ${show(raw)}.`);
  if (n < range.min || n > range.max) {
    const span = range.max >= Number.MAX_SAFE_INTEGER ? `at least ${range.min}` : `${range.min} to ${range.max}`;
    throw new BadArgsError(`${what} must be ${span}, got ${n}.`);
  }
  return n;
}

/** A duration (`90s`, `10m`, `1h30m`, bare seconds) in milliseconds, within `range` (ms). */
export function durationValue(what: string, raw: string, range: IntRange): number {
  const ms = raw.length <= 40 ? parseDuration(raw) : undefined;
  if (ms === undefined) throw new BadArgsError(`${what} must be a duration like 90s, 10m or 1h30m, got ${show(raw)}.`);
  if (ms < range.min || ms > range.max) {
    throw new BadArgsError(`${what} must be between ${formatDuration(range.min)} and ${formatDuration(range.max)}, got ${show(raw)}.`);
  }
  return ms;
}

/** A label selector, trimmed, or BadArgsError naming the flag. */
export function selectorValue(what: string, raw: string): string {
  const problem = selectorProblem(raw);
  if (problem) throw new BadArgsError(`Bad selector for ${what} ${show(raw)}: ${problem}. Example: app=web,tier!=db.`);
  return raw.trim();
}

const ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

/**
 * An IANA time zone (`Asia/Shanghai`, `UTC`) as Intl knows it; case is corrected when Intl
 * recognises the name. Offsets such as `+08:00` are refused: they ignore daylight saving.
 */
export function timeZoneValue(what: string, raw: string): string {
  const bad = (): never => {
    throw new BadArgsError(`${what} must be an IANA time zone such as UTC, Europe/Berlin or Asia/Shanghai, got ${show(raw)}.`);
  };
  if (!ZONE_SHAPE.test(raw)) bad();
  let resolved: string | undefined;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone;
  } catch {
    bad();
  }
  // Intl maps some legacy names elsewhere (EST → America/Panama); keep what the person typed then.
  return resolved && resolved.toLowerCase() === raw.toLowerCase() ? resolved : raw;
}

/** `2`, `sev2`, `SEV-2`, `s2` → 2; BadArgsError otherwise. 1 is the worst. */
export function severityValue(what: string, raw: string): number {
  const m = raw.length <= 8 ? /^(?:sev|s)?[-\s]?([1-4])$/i.exec(raw.trim()) : null;
  if (!m) throw new BadArgsError(`${what} must be 1 to 4 (1 is worst), got ${show(raw)}.`);
  return Number(m[1]);
}

/**
 * Positional words as prose, stored verbatim: the input as typed (its dashes, quotes and spacing)
 * with only the flags taken out, read from Slack's wire form into plain text (mentions as
 * `@name`, see src/core/text/slack-markup.ts). Quotes that wrap the whole text are dropped.
 * Empty when there are none.
 */
export function freeText(what: string, tokens: readonly Pick<Token, 'raw' | 'start' | 'end' | 'spaceBefore'>[], max: number): string {
  let raw = '';
  tokens.forEach((t, i) => {
    const prev = tokens[i - 1];
    // Where a flag was taken out between two words, one space stands for it.
    if (prev) raw += prev.end + t.spaceBefore.length === t.start ? t.spaceBefore : ' ';
    raw += t.raw;
  });
  const text = unquoteWhole(slackToPlain(raw).trim());
  if (text.length > max) throw new BadArgsError(`${what} is too long (${text.length} characters); keep it under ${max}.`);
  return text;
}
