/**
 * Splits the text of a slash command into tokens, the way a shell would, plus what Slack does to
 * text on the way: `&lt;` `&gt;` `&amp;` escapes, `<@U123|alice>` mentions, `<#C123|ops>` channel
 * references, auto-linked host names, and the smart quotes macOS and phones type instead of `"`.
 * Tokens are plain text (src/core/text/slack-markup.ts says how each Slack entity reads); each
 * also keeps its place and its `raw` text, so prose (notes, titles) is stored as it was typed.
 *
 * One pass over the input, no regular expressions over unbounded text: the parser must answer
 * any string quickly (DESIGN.md invariant 1, and the fuzz tests hold it to that).
 */
import { slackEntityToPlain } from '../src/core/text/slack-markup.js';


export const TokenKind = { Text: 'text', User: 'user', Channel: 'channel' } as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

export interface Token {
  kind: TokenKind;
  /** Decoded text for text tokens; the Slack id (`U123`, `C123`) for user and channel tokens. */
  value: string;
  /** The token began with a quote: it is an argument, never a flag. */
  quoted: boolean;
  /** For user and channel tokens: the name Slack sent with the id, if any. */
  label?: string;
  /** How to show the token back to a person, as plain text (`@alice` for a mention). */
  display: string;
  /** Offset in the input where the token began. */
  start: number;
  /** Offset in the input just past the token. */
  end: number;
  /** The token exactly as it is in the input (Slack's wire form: entities, escapes, quotes). */
  raw: string;
  /** The input between the previous token (or the start) and this one: the spacing as typed. */
  spaceBefore: string;
}

export type TokenizeResult =
  | { ok: true; tokens: Token[] }
  | { ok: false; message: string; at: number };

export interface TokenizeOptions {
  /**
   * Treat quote characters as ordinary text, for prose (incident notes and titles), where
   * "don't", 'til and quoted error messages are words, not syntax. Never fails.
   * @defaultValue false
   */
  literalQuotes?: boolean;
}

/** Longest `<...>` Slack entity we decode; anything longer is plain text. */
const MAX_ENTITY = 512;

const DOUBLE_OPEN = new Set(['"', '\u201C', '\u201D', '\u201E']);
const DOUBLE_CLOSE = new Set(['"', '\u201C', '\u201D']);
// ’ (U+2019) is far more often an apostrophe than an opening quote, so it only closes.
const SINGLE_OPEN = new Set(["'", '\u2018']);
const SINGLE_CLOSE = new Set(["'", '\u2018', '\u2019']);

function isSpace(code: number): boolean {
  return (
    (code >= 9 && code <= 13) || code === 32 || code === 0xa0 || code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 ||
    code === 0x202f || code === 0x205f || code === 0x3000
  );
}

/** Zero-width characters that copy-paste drags in; they are dropped. */
function isInvisible(code: number): boolean {
  return code === 0x200b || code === 0x200c || code === 0x200d || code === 0x2060 || code === 0xfeff;
}

/** If `text` is wholly inside one pair of quotes (and has none of that kind inside), the inside. */
export function unquoteWhole(text: string): string {
  if (text.length < 2) return text;
  const first = text[0]!;
  const last = text[text.length - 1]!;
  const inner = text.slice(1, -1);
  const pairs: ReadonlyArray<[Set<string>, Set<string>]> = [[DOUBLE_OPEN, DOUBLE_CLOSE], [SINGLE_OPEN, SINGLE_CLOSE]];
  for (const [open, close] of pairs) {
    if (open.has(first) && close.has(last) && ![...inner].some((c) => open.has(c) || close.has(c))) return inner;
  }
  return text;
}

const ENTITIES: ReadonlyArray<[string, string]> = [['&amp;', '&'], ['&lt;', '<'], ['&gt;', '>']];

interface Entity {
  /** user/channel: a token of its own; text: inline text (links, @here, dates). */
  kind: TokenKind;
  value: string;
  label?: string;
  display: string;
  /** Index just past the closing `>`. */
  end: number;
}

/**
 * Reads `<...>` at `start` (whose `>` is at `close`) as a Slack entity, or undefined for plain
 * text. Broadcasts (`<!here>`) read as their words, never a ping; a link Slack made of a host
 * name (node02.example.com) reads as what was typed; a link labelled with another target keeps both.
 */
function readEntity(text: string, start: number, close: number): Entity | undefined {
  const e = slackEntityToPlain(text.slice(start + 1, close));
  if (!e) return undefined;
  const end = close + 1;
  if (e.kind === 'text') return { kind: TokenKind.Text, value: e.text, display: e.text, end };
  return { kind: e.kind === 'user' ? TokenKind.User : TokenKind.Channel, value: e.id!, ...(e.label ? { label: e.label } : {}), display: e.text, end };
}

/** First index of `ch` after `i`, amortised linear: `i` only grows within one scan. */
function searcher(text: string, ch: string): (i: number) => number {
  let from = Number.POSITIVE_INFINITY;
  let found = -1;
  return (i: number): number => {
    if (from > i + 1 || (found !== -1 && found <= i)) {
      from = i + 1;
      found = text.indexOf(ch, from);
    }
    return found;
  };
}

interface Building {
  value: string;
  /** Kept apart because reading the end of a long concatenated string flattens it each time. */
  endsWithEq: boolean;
  display: string;
  quoted: boolean;
  start: number;
}

export function tokenize(text: string, options: TokenizeOptions = {}): TokenizeResult {
  const tokens: Token[] = [];
  const n = text.length;
  let cur: Building | undefined;
  // Next '>' and '<' positions, cached so that a text full of '<' stays linear.
  const nextGt = searcher(text, '>');
  const nextLt = searcher(text, '<');

  // Where the previous token ended: the spacing between tokens is kept for prose.
  let lastEnd = 0;
  const push = (token: Omit<Token, 'raw' | 'spaceBefore'>): void => {
    tokens.push({ ...token, raw: text.slice(token.start, token.end), spaceBefore: text.slice(lastEnd, token.start) });
    lastEnd = token.end;
  };
  const begin = (at: number, quoted: boolean): Building => {
    cur ??= { value: '', endsWithEq: false, display: '', quoted, start: at };
    return cur;
  };
  const add = (at: number, value: string, display = value): void => {
    const b = begin(at, false);
    b.value += value;
    b.display += display;
    if (value.length > 0) b.endsWithEq = value.endsWith('=');
  };
  // `end`: the input index just past the token (where the space, or the input, begins).
  const flush = (end: number): void => {
    if (cur) push({ kind: TokenKind.Text, value: cur.value, quoted: cur.quoted, display: cur.display, start: cur.start, end });
    cur = undefined;
  };

  const entityAt = (i: number): Entity | undefined => {
    const close = nextGt(i);
    if (close === -1 || close - i > MAX_ENTITY) return undefined;
    const open = nextLt(i);
    if (open !== -1 && open < close) return undefined;
    return readEntity(text, i, close);
  };

  const decodeAmp = (i: number): [string, number] | undefined => {
    for (const [entity, ch] of ENTITIES) if (text.startsWith(entity, i)) return [ch, entity.length];
    return undefined;
  };

  let i = 0;
  while (i < n) {
    const ch = text[i]!;
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      flush(i);
      i += 1;
      continue;
    }
    if (isInvisible(code)) {
      i += 1;
      continue;
    }
    if (ch === '<') {
      const e = entityAt(i);
      if (e) {
        if (e.kind === TokenKind.Text || cur?.endsWithEq) {
          add(i, e.value, e.display);
        } else {
          flush(i);
          push({ kind: e.kind, value: e.value, quoted: false, ...(e.label ? { label: e.label } : {}), display: e.display, start: i, end: e.end });
        }
        i = e.end;
        continue;
      }
      add(i, '<');
      i += 1;
      continue;
    }
    if (ch === '&') {
      const d = decodeAmp(i);
      add(i, d ? d[0] : '&');
      i += d ? d[1] : 1;
      continue;
    }
    // Quotes open only where a shell word (or a flag's value after '=') begins; inside a word
    // they are literal, so `don't` needs no quoting.
    const atWordStart = !cur || cur.endsWithEq;
    const isDouble = DOUBLE_OPEN.has(ch);
    const isSingle = SINGLE_OPEN.has(ch);
    if (!options.literalQuotes && atWordStart && (isDouble || isSingle)) {
      const closers = isDouble ? DOUBLE_CLOSE : SINGLE_CLOSE;
      let value = '';
      let display = '';
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const c = text[j]!;
        if (closers.has(c)) {
          closed = true;
          break;
        }
        if (isDouble && c === '\\' && j + 1 < n) {
          const next = text[j + 1]!;
          if (next === '\\' || DOUBLE_CLOSE.has(next) || DOUBLE_OPEN.has(next)) {
            value += next; display += next;
            j += 2;
            continue;
          }
        }
        if (c === '&') {
          const d = decodeAmp(j);
          const v = d ? d[0] : '&';
          value += v; display += v;
          j += d ? d[1] : 1;
          continue;
        }
        if (c === '<') {
          const e = entityAt(j);
          if (e) {
            // Inside quotes a mention is part of the text; people read it as @name.
            value += e.display; display += e.display;
            j = e.end;
            continue;
          }
          value += '<'; display += '<';
          j += 1;
          continue;
        }
        if (isInvisible(text.charCodeAt(j))) {
          j += 1;
          continue;
        }
        if (c === '>') {
          value += c; display += c;
          j += 1;
          continue;
        }
        // A run of ordinary characters in one slice: per-character concatenation is slow.
        let k = j + 1;
        while (k < n) {
          const d = text[k]!;
          if (closers.has(d) || d === '\\' || d === '&' || d === '<' || d === '>' || isInvisible(text.charCodeAt(k))) break;
          k += 1;
        }
        const run = text.slice(j, k);
        value += run; display += run;
        j = k;
      }
      if (!closed) {
        const snippet = text.slice(i, Math.min(n, i + 24));
        return {
          ok: false,
          message: `Unclosed quote: ${snippet}${n - i > 24 ? '…' : ''} never ends. Add the closing ${isDouble ? '"' : "'"}.`,
          at: i,
        };
      }
      const b = begin(i, !cur);
      b.value += value;
      b.display += display;
      if (value.length > 0) b.endsWithEq = value.endsWith('=');
      i = j + 1;
      continue;
    }
    // A run of ordinary characters in one slice; it stops after '=' because a quote may open there.
    let j = i + 1;
    if (ch !== '=') {
      while (j < n) {
        const c = text.charCodeAt(j);
        if (isSpace(c) || isInvisible(c) || c === 60 /* < */ || c === 38 /* & */) break;
        j += 1;
        if (c === 61 /* = */) break;
      }
    }
    add(i, text.slice(i, j));
    i = j;
  }
  flush(n);
  return { ok: true, tokens };
}
