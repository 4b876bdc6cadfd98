/**
 * Scrubs secrets out of text before it is stored or shown (DESIGN.md invariant 7): notes, pinned
 * messages, the timeline, postmortems, job backups, log lines shown in Slack, and sitrep's own
 * logs all pass through `redactText`/`redactValue`. A pasted token, a `curl -H 'Authorization: …'`
 * or a Secret's data must be caught before Redis, because a postmortem is shared widely.
 *
 * Two rule sets, one synchronous pass:
 * - the detection patterns of secretlint's recommended preset (GitHub, GitLab, AWS, OpenAI,
 *   Slack, npm, Stripe, database URLs, …), extracted into generated/secret-rules.ts by
 *   `npm run gen:secret-rules` because secretlint itself only runs asynchronously;
 * - sitrep's own structural rules below: PEM blocks, JWTs, `Bearer`/`Basic`, `key=value` for
 *   secret-named keys, credentials in any URL, and long base64 runs (a Secret's `data`).
 *
 * It errs on the side of hiding: a redacted harmless string costs a reader a moment; a leaked
 * token costs a rotation at best.
 */
import { SECRET_RULES } from './generated/secret-rules.js';

/** What replaces a secret. Kept short and searchable. */
export const REDACTED = '[redacted]';

type Replacer = string | ((match: string, ...groups: string[]) => string);
interface TextRule {
  re: RegExp;
  to: Replacer;
}

/** A quoted value stays quoted, so JSON stays JSON. */
const keepQuotes = (_m: string, key: string, value: string): string => `${key}${/^["']/.test(value) ? `${value[0]}${REDACTED}${value[0]}` : REDACTED}`;

/** Run first: whole structures that the later rules would split (a PEM block, Slack tokens). */
const FIRST: readonly TextRule[] = [
  // PEM blocks: private keys and certificates pasted whole, or cut off before their END line.
  { re: /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g, to: `-----${REDACTED} PEM-----` },
  // Slack tokens: bot, user, app-level, legacy workspace and refresh/config tokens.
  { re: /\b(?:xox[abposre]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]+/g, to: `${REDACTED} slack token` },
];

/**
 * secretlint's patterns. Where a pattern names the secret part (`(?<password>…)` in connection
 * strings and basic-auth URLs) only that part is hidden, so `postgres://db:5432/app` stays
 * readable and `postgres://app:…@db` loses only its password.
 */
const PRESET: readonly TextRule[] = SECRET_RULES.map(({ source, flags }) => {
  const re = new RegExp(source, `${flags}g`);
  if (!source.includes('(?<password>')) return { re, to: REDACTED };
  return {
    re,
    to: (match: string, ...rest: unknown[]) => {
      const groups = rest[rest.length - 1] as Record<string, string | undefined>;
      const password = groups?.password;
      if (!password || password === REDACTED) return match;
      return match.replace(`:${password}@`, `:${REDACTED}@`);
    },
  };
});

/** sitrep's own rules, after secretlint's: shapes of secrets rather than vendors' token formats. */
const OWN: readonly TextRule[] = [
  // OpenAI-style project and admin keys, also when cut short or without secretlint's checksum marker.
  { re: /\bsk-(?:proj|svcacct|admin|ant(?:-api0\d)?)-[A-Za-z0-9_-]{16,}/g, to: REDACTED },
  // JWTs, e.g. Kubernetes service-account tokens ("eyJ" is base64 of '{"').
  { re: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, to: REDACTED },
  // HTTP authorization: `Bearer x`, `Basic x`, and `Authorization: whatever`.
  { re: /\b(Bearer|Basic)(\s+)(?!\[redacted\])[A-Za-z0-9\-._~+/]+=*/gi, to: `$1$2${REDACTED}` },
  { re: /\b(authorization["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b|\[redacted\])[^\s"',;&]+/gi, to: `$1${REDACTED}` },
  // key=value and key: value for keys that name secrets (DB_PASSWORD=, botToken:, "apiKey": "…").
  {
    re: /\b([A-Za-z0-9_.-]*?(?:password|passwd|pwd|token|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)["']?\s*[:=]\s*)("[^"\n]*"|'[^'\n]*'|(?!\[redacted\])[^\s"',;&}]+)/gi,
    to: keepQuotes,
  },
  // URLs with credentials: redis://:pass@host, https://user:pass@host.
  { re: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)(?!\[redacted\]@)[^\s@/]+@/gi, to: `$1${REDACTED}@` },
];

const RULES: readonly TextRule[] = [...FIRST, ...PRESET, ...OWN];

/**
 * Long base64 runs, such as the values of a Kubernetes Secret's `data` (`tls.key: LS0tLS1…`).
 * Hex-only runs (image digests, hashes) and runs without mixed case and digits are left alone:
 * those are identifiers people need in a postmortem, not secrets.
 */
const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/_-])/g;

function looksLikeSecretBase64(run: string): boolean {
  if (/^[0-9a-fA-F]+$/.test(run)) return false;
  return /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run);
}

/** Words that appear in, or next to, every secret sitrep's own rules catch. */
const MARKER = /xox|xapp|eyJ|bearer|basic|author|pass|pwd|token|secret|key|credential|-----BEGIN|:\/\/|sk-/i;

/**
 * Every secretlint pattern in one alternation (named groups made plain), so text without any of
 * them costs one scan instead of one per pattern. Patterns written for Unicode mode and those
 * that are not cannot share a RegExp, hence two. Case-insensitive: a superset is fine for a
 * pre-check.
 */
function anyOf(unicode: boolean): RegExp {
  const sources = SECRET_RULES.filter((r) => r.flags.includes('u') === unicode).map((r) => `(?:${r.source.replace(/\(\?<(?![=!])[A-Za-z]\w*>/g, '(?:')})`);
  return new RegExp(sources.join('|') || '(?!)', unicode ? 'iu' : 'i');
}
const PRESET_ANY = [anyOf(true), anyOf(false)] as const;

/**
 * Cheap test first: most text holds no secret, and a 10,000-event postmortem scrubs every line.
 * The base64-run test is a loop because the same test as a regex (`[A-Za-z0-9+/]{40}`) was the
 * slowest part of rendering a postmortem.
 */
function maybeSecret(text: string): boolean {
  if (MARKER.test(text)) return true;
  if (text.length < 12) return false;
  if (PRESET_ANY[0].test(text) || PRESET_ANY[1].test(text)) return true;
  if (text.length < 40) return false;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A-Z a-z 0-9 + /
    const b64 = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    run = b64 ? run + 1 : 0;
    if (run >= 40) return true;
  }
  return false;
}

/** The text with every secret-looking part replaced by `[redacted]`. Synchronous and idempotent. */
export function redactText(text: string): string {
  if (!maybeSecret(text)) return text;
  let out = text;
  for (const rule of RULES) {
    // Two branches only to pick String#replace's string or function overload.
    out = typeof rule.to === 'string' ? out.replace(rule.re, rule.to) : out.replace(rule.re, rule.to);
  }
  out = out.replace(BASE64_RUN, (run) => (looksLikeSecretBase64(run) ? REDACTED : run));
  return out;
}

/** Object keys whose values are secrets whatever they look like. */
const SECRET_KEY = /^.*(?:password|passwd|pwd|token|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|authorization|cookie)s?$/i;

/** Whether an object key names a secret (`password`, `botToken`, `DB_PASSWORD`, `apiKey`, …). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Whether an object is a Kubernetes Secret (or a Secret-shaped blob), whose data must never be kept. */
export function isKubernetesSecret(value: Record<string, unknown>): boolean {
  return value.kind === 'Secret' || (typeof value.type === 'string' && value.type.startsWith('kubernetes.io/') && ('data' in value || 'stringData' in value));
}

/**
 * A deep copy of `value` with secrets replaced: strings are scrubbed as text, values under
 * secret-named keys and the `data`/`stringData` of Kubernetes Secrets are replaced whole.
 * Depth is bounded so a cyclic or hostile structure cannot hang the bot.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 20) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const obj = value as Record<string, unknown>;
  const secret = isKubernetesSecret(obj);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (secret && (k === 'data' || k === 'stringData') && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.keys(v as object).map((name) => [name, REDACTED]));
    } else if (SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'boolean' && typeof v !== 'number') {
      out[k] = REDACTED;
    } else {
      out[k] = redactValue(v, depth + 1);
    }
  }
  return out;
}
