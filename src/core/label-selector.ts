import { dns1123Problem } from './dns1123.js';

/**
 * The grammar of a Kubernetes label selector, as apimachinery's labels package lexes and parses
 * it (staging/src/k8s.io/apimachinery/pkg/labels/selector.go): `app=web`, `tier!=db`,
 * `env in (prod,staging)`, `!canary`, `release`, joined by commas. Commands check what people
 * type with it and jobs re-check what a payload carries, so both accept exactly the same text.
 */

/** User text quoted back in a message: shortened, not escaped (renderers escape per output). */
function quote(value: string): string {
  return `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`;
}

const MAX_SELECTOR = 1024;
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (slash !== -1) {
    const prefix = key.slice(0, slash);
    if (dns1123Problem(prefix, 'subdomain') !== undefined) return `label key prefix ${quote(prefix)} must be a DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) {
    return `label key ${quote(key)} must be up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

function labelValueProblem(value: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length > 63 || !NAME_PART.test(value)) {
    return `label value ${quote(value)} must be up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

type SelToken = { t: 'id'; v: string } | { t: 'op'; v: string };

/** Splits a selector into words and operators, like apimachinery's lexer. */
function lexSelector(text: string): SelToken[] {
  const out: SelToken[] = [];
  let k = 0;
  while (k < text.length) {
    const c = text[k]!;
    if (c === ' ' || c === '\t') {
      k += 1;
    } else if (c === '!' && text[k + 1] === '=') {
      out.push({ t: 'op', v: '!=' });
      k += 2;
    } else if (c === '=' && text[k + 1] === '=') {
      out.push({ t: 'op', v: '==' });
      k += 2;
    } else if ('!=,()<>'.includes(c)) {
      out.push({ t: 'op', v: c });
      k += 1;
    } else {
      let end = k;
      while (end < text.length && !' \t!=,()<>'.includes(text[end]!)) end += 1;
      out.push({ t: 'id', v: text.slice(k, end) });
      k = end;
    }
  }
  return out;
}

/**
 * Why a label selector is malformed, or undefined when it parses: `app=web`, `tier!=db`,
 * `env in (prod,staging)`, `!canary`, `release`, joined by commas.
 */
export function selectorProblem(text: string): string | undefined {
  if (text.trim().length === 0) return 'it is empty';
  if (text.length > MAX_SELECTOR) return `it is longer than ${MAX_SELECTOR} characters`;
  const toks = lexSelector(text);
  let k = 0;
  const peek = (): SelToken | undefined => toks[k];
  while (k < toks.length) {
    let tok = peek();
    let negated = false;
    if (tok?.t === 'op' && tok.v === '!') {
      negated = true;
      k += 1;
      tok = peek();
    }
    if (!tok || tok.t !== 'id') return `expected a label key${tok ? ` before ${quote(tok.v)}` : ' at the end'}`;
    const keyProblem = qualifiedNameProblem(tok.v);
    if (keyProblem) return keyProblem;
    k += 1;
    const op = peek();
    if (!negated && op && !(op.t === 'op' && op.v === ',')) {
      if (op.t === 'op' && (op.v === '=' || op.v === '==' || op.v === '!=')) {
        k += 1;
        const value = peek();
        if (value?.t === 'id') {
          const p = labelValueProblem(value.v);
          if (p) return p;
          k += 1;
        }
        // `key=` (empty value) is valid: it matches an empty label value.
      } else if (op.t === 'op' && (op.v === '<' || op.v === '>')) {
        k += 1;
        const value = peek();
        if (value?.t !== 'id' || !/^-?\d{1,18}$/.test(value.v)) return `${op.v} needs a whole number after it`;
        k += 1;
      } else if (op.t === 'id' && (op.v === 'in' || op.v === 'notin')) {
        k += 1;
        if (peek()?.t !== 'op' || peek()?.v !== '(') return `${op.v} needs a list in parentheses, e.g. env in (prod,staging)`;
        k += 1;
        let count = 0;
        for (;;) {
          const value = peek();
          if (value?.t === 'id') {
            const p = labelValueProblem(value.v);
            if (p) return p;
            k += 1;
            count += 1;
          }
          const sep = peek();
          if (sep?.t === 'op' && sep.v === ',') {
            k += 1;
            continue;
          }
          if (sep?.t === 'op' && sep.v === ')') {
            if (count === 0) return `the list after ${op.v} is empty`;
            k += 1;
            break;
          }
          return `the list after ${op.v} is not closed with ")"`;
        }
      } else {
        return `unexpected ${quote(op.v)} after ${quote(tok.v)}`;
      }
    }
    const sep = peek();
    if (sep === undefined) break;
    if (sep.t === 'op' && sep.v === ',') {
      k += 1;
      if (k === toks.length) return 'it ends with a comma';
      continue;
    }
    return `unexpected ${quote(sep.v)}; separate requirements with commas`;
  }
  return undefined;
}

