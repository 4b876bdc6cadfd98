import { BadArgsError } from '../src/core/index.js';
import { suggest } from '../src/core/text/suggest.js';
import { type Token, TokenKind } from './tokenize.js';
import { plain, show } from './values.js';

/**
 * How a flag takes its value, as in pflag (which kubectl uses):
 * - `boolean`: `--force`, `--force=false`; never eats the next word.
 * - `value`: `--tail 50`, `--tail=50`, `-c app`, `-capp`.
 * - `optional-value`: `--dry-run` alone means `implied`; a value needs `=` (`--dry-run=server`).
 */
export const FlagType = { Boolean: 'boolean', Value: 'value', OptionalValue: 'optional-value' } as const;
export type FlagType = (typeof FlagType)[keyof typeof FlagType];

export interface FlagSpec {
  /** Long name without dashes, e.g. `delete-emptydir-data`. */
  name: string;
  /** One letter, e.g. `n` for `-n`. */
  short?: string;
  /** Other long names accepted for compatibility (not shown in help). */
  aliases?: string[];
  type: FlagType;
  /** For `value` flags: the placeholder in help, e.g. `N`, `SELECTOR`. */
  valueName?: string;
  /** For `optional-value` flags: the value when written bare. */
  implied?: string;
  /** One line for help. */
  description: string;
  /** Shown in help as "default: …"; the real default lives in the verb's `build`. */
  defaultText?: string;
}

export function flagLabel(spec: FlagSpec): string {
  return `--${spec.name}`;
}

/** Flags as typed, keyed by canonical long name. */
export class FlagValues {
  constructor(private readonly values: ReadonlyMap<string, string | boolean>) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** A `boolean` flag's value, or `fallback` when not given. */
  bool(name: string, fallback: boolean): boolean {
    const v = this.values.get(name);
    return typeof v === 'boolean' ? v : fallback;
  }

  /** A `boolean` flag's value, or undefined when not given (the verb contract's default applies). */
  boolOrUnset(name: string): boolean | undefined {
    const v = this.values.get(name);
    return typeof v === 'boolean' ? v : undefined;
  }

  /** A `value` or `optional-value` flag's text, or undefined when not given. */
  text(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  names(): string[] {
    return [...this.values.keys()];
  }
}

const TRUE = new Set(['true', 't', '1', 'yes', 'y']);
const FALSE = new Set(['false', 'f', '0', 'no', 'n']);
/** Words that, right after a boolean flag, were surely meant as its value. */
const BARE_BOOL = new Set(['true', 'false', 'yes', 'no']);

export function parseBool(flag: string, raw: string): boolean {
  const v = raw.toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new BadArgsError(`${flag} takes true or false, got ${show(raw)}.`);
}

/** `-5` is a negative number (an argument), not a flag. */
function isNegativeNumber(value: string): boolean {
  if (value.length < 2 || value.length > 20 || value[0] !== '-') return false;
  for (let k = 1; k < value.length; k += 1) {
    const c = value.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Slack and macOS turn `--` into an em or en dash; read those as the dashes people meant. */
function fixDashes(value: string): string {
  if (value.startsWith('\u2014')) return `--${value.slice(1)}`;
  if (value.startsWith('\u2013')) return `--${value.slice(1)}`;
  return value;
}

export function looksLikeFlag(token: Token): boolean {
  if (token.kind !== TokenKind.Text || token.quoted) return false;
  const v = fixDashes(token.value);
  return v.length > 1 && v[0] === '-' && !isNegativeNumber(v);
}

export interface FlagParseContext {
  /** For messages: `drain`, `note`. */
  verb: string;
  /** Free-text verbs get a hint on how to write a dash-word as text. */
  freeText?: boolean;
}

export interface FlagParseResult {
  positionals: Token[];
  flags: FlagValues;
}

/**
 * Takes flags out of the tokens. Throws BadArgsError for unknown flags (with a did-you-mean among
 * this verb's flags), missing values, bad booleans, and a flag given twice with different values.
 */
export function parseFlags(tokens: readonly Token[], specs: readonly FlagSpec[], ctx: FlagParseContext): FlagParseResult {
  const byLong = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const s of specs) {
    byLong.set(s.name, s);
    for (const a of s.aliases ?? []) byLong.set(a, s);
    if (s.short) byShort.set(s.short, s);
  }
  const values = new Map<string, string | boolean>();
  const positionals: Token[] = [];

  const set = (spec: FlagSpec, value: string | boolean): void => {
    const before = values.get(spec.name);
    if (before !== undefined && before !== value) {
      throw new BadArgsError(`${flagLabel(spec)} given twice (${show(String(before))} and ${show(String(value))}). Give it once.`);
    }
    values.set(spec.name, value);
  };

  const unknown = (written: string): never => {
    const candidates = specs.flatMap((s) => [`--${s.name}`, ...(s.short ? [`-${s.short}`] : [])]);
    const guess = suggest(written, candidates);
    const asText = ctx.freeText ? ' To write it as text, put it in quotes or after `--`.' : '';
    throw new BadArgsError(`Unknown flag ${plain(written)} for ${ctx.verb}.${guess ? ` Did you mean \`${guess}\`?` : ''}${asText}`);
  };

  /** The next token as a flag's value; a following flag means the value was left out. */
  const takeValue = (spec: FlagSpec, k: number): string => {
    const next = tokens[k + 1];
    if (!next || looksLikeFlag(next)) {
      throw new BadArgsError(`${flagLabel(spec)} needs a value${spec.valueName ? ` (${spec.valueName})` : ''}.`);
    }
    return next.kind === TokenKind.Text ? next.value : next.display;
  };

  let k = 0;
  let flagsEnded = false;
  for (; k < tokens.length; k += 1) {
    const token = tokens[k]!;
    if (flagsEnded || !looksLikeFlag(token)) {
      positionals.push(token);
      continue;
    }
    // In prose a dash standing alone is punctuation ("rolled back web — error rate falling",
    // `--` where Slack did not turn it into a dash): only a `--` before the first word ends the flags.
    if (ctx.freeText && (token.value === '\u2014' || token.value === '\u2013' || (token.value === '--' && positionals.length > 0))) {
      positionals.push(token);
      continue;
    }
    const written = fixDashes(token.value);
    if (written === '--') {
      flagsEnded = true;
      continue;
    }
    if (written.startsWith('--')) {
      const eq = written.indexOf('=');
      const name = (eq === -1 ? written.slice(2) : written.slice(2, eq)).toLowerCase();
      const spec = byLong.get(name);
      if (!spec) unknown(eq === -1 ? written : written.slice(0, eq));
      const s = spec as FlagSpec;
      const inline = eq === -1 ? undefined : written.slice(eq + 1);
      if (s.type === FlagType.Boolean) {
        set(s, inline === undefined ? true : parseBool(flagLabel(s), inline));
        // `--force false` would silently mean "force" plus a stray word; say how to write it.
        const next = tokens[k + 1];
        if (inline === undefined && next && next.kind === TokenKind.Text && !next.quoted && BARE_BOOL.has(next.value.toLowerCase())) {
          throw new BadArgsError(`${flagLabel(s)} takes no separate value: write ${flagLabel(s)}=${next.value.toLowerCase()}.`);
        }
      } else if (s.type === FlagType.OptionalValue) {
        set(s, inline ?? s.implied ?? 'true');
      } else if (inline !== undefined) {
        set(s, inline);
      } else {
        set(s, takeValue(s, k));
        k += 1;
      }
      continue;
    }
    // Short flags: -n ns, -nns, -n=ns, -A, -Ap (pflag rules).
    const body = written.slice(1);
    if (body.length > 1 && byLong.has(body.split('=')[0]!.toLowerCase())) {
      throw new BadArgsError(`Use two dashes: --${body}, not -${body}.`);
    }
    for (let c = 0; c < body.length; c += 1) {
      const letter = body[c]!;
      const spec = byShort.get(letter);
      if (!spec) unknown(`-${letter}`);
      const s = spec as FlagSpec;
      const rest = body.slice(c + 1);
      if (s.type === FlagType.Value) {
        if (rest.length > 0) set(s, rest.startsWith('=') ? rest.slice(1) : rest);
        else {
          set(s, takeValue(s, k));
          k += 1;
        }
        break;
      }
      if (rest.startsWith('=')) {
        set(s, s.type === FlagType.Boolean ? parseBool(`-${letter}`, rest.slice(1)) : rest.slice(1));
        break;
      }
      set(s, s.type === FlagType.Boolean ? true : (s.implied ?? 'true'));
    }
  }
  return { positionals, flags: new FlagValues(values) };
}
