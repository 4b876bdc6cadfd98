/**
 * Scrubs secrets out of what goes on a timeline (DESIGN.md invariant 7). Timeline text is written
 * from what people type and what jobs report, so a pasted token, a `curl -H 'Authorization: …'`
 * or a Secret's data must be caught here, before Redis, because a postmortem is shared widely.
 *
 * It errs on the side of hiding: a redacted harmless string costs a reader a moment; a leaked
 * token costs a rotation at best.
 */

/** What replaces a secret. Kept short and searchable. */
export const REDACTED = '[redacted]';

/** Ordered: whole-structure patterns (PEM, JWT) run before the key=value ones that would split them. */
const TEXT_RULES: readonly { re: RegExp; to: string | ((match: string, ...groups: string[]) => string) }[] = [
  // PEM blocks: private keys and certificates pasted whole.
  { re: /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g, to: `-----${REDACTED} PEM-----` },
  // Slack tokens: bot, user, app-level, legacy workspace and refresh/config tokens.
  { re: /\b(?:xox[abposre]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]+/g, to: `${REDACTED} slack token` },
  // JWTs, e.g. Kubernetes service-account tokens ("eyJ" is base64 of '{"').
  { re: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, to: REDACTED },
  // HTTP authorization: `Bearer x`, `Basic x`, and `Authorization: whatever`.
  { re: /\b(Bearer|Basic)(\s+)[A-Za-z0-9\-._~+/]+=*/gi, to: `$1$2${REDACTED}` },
  { re: /\b(authorization["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b)[^\s"',;&]+/gi, to: `$1${REDACTED}` },
  // key=value and key: value for keys that name secrets (DB_PASSWORD=, botToken:, "apiKey": "…").
  {
    re: /\b([A-Za-z0-9_.-]*?(?:password|passwd|pwd|token|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)["']?\s*[:=]\s*)("[^"\n]*"|'[^'\n]*'|(?!\[redacted\])[^\s"',;&}]+)/gi,
    // A quoted value stays quoted, so JSON stays JSON.
    to: (_m, key, value) => `${key}${/^["']/.test(value!) ? `${value![0]}${REDACTED}${value![0]}` : REDACTED}`,
  },
  // URLs with credentials: redis://:pass@host, https://user:pass@host.
  { re: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, to: `$1${REDACTED}@` },
];

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

/** Words that appear in, or next to, every secret the rules above catch. */
const MARKER = /xox|xapp|eyJ|bearer|basic|author|pass|pwd|token|secret|key|credential|-----BEGIN|:\/\//i;

/**
 * Cheap test first: most timeline text holds no secret, and a 10,000-event postmortem scrubs
 * every line. A plain alternation is fast; the base64-run test is a loop because the same test
 * as a regex (`[A-Za-z0-9+/]{40}`) was the slowest part of rendering a postmortem.
 */
function maybeSecret(text: string): boolean {
  if (MARKER.test(text)) return true;
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

/** The text with every secret-looking part replaced by `[redacted]`. */
export function redactText(text: string): string {
  if (!maybeSecret(text)) return text;
  let out = text;
  for (const rule of TEXT_RULES) {
    // Two branches only to pick String#replace's string or function overload.
    out = typeof rule.to === 'string' ? out.replace(rule.re, rule.to) : out.replace(rule.re, rule.to);
  }
  out = out.replace(BASE64_RUN, (run) => (looksLikeSecretBase64(run) ? REDACTED : run));
  return out;
}

/** Object keys whose values are secrets whatever they look like. */
const SECRET_KEY = /^.*(?:password|passwd|pwd|token|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|authorization|cookie)s?$/i;

/** Whether an object is a Kubernetes Secret (or a Secret-shaped blob), whose data must never be kept. */
function isKubernetesSecret(value: Record<string, unknown>): boolean {
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
