import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, ErrorCode } from '../core/errors.js';
import { didYouMeanSuffix } from './did-you-mean.js';
import { crossCheck, knownKeysAt, PolicyFileSchema, type PolicyFile, type PolicyProblem } from './policy-schema.js';

/** A policy file that passed validation, with the line of each rule for messages. */
export interface ParsedPolicyFile {
  file: PolicyFile;
  /** 1-based line of each rule, in order. */
  ruleLines: number[];
}

export interface ParsePolicyOptions {
  /**
   * Verbs sitrep knows (from the commands registry). When given, a rule naming any other verb is
   * an error with a did-you-mean; when absent, unknown verbs simply never match.
   * @defaultValue undefined
   */
  knownVerbs?: readonly string[];
}

interface Located {
  line: number;
  col: number;
  message: string;
}

/** `rules[1].allow[0]` for a zod/yaml path. */
function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/**
 * The source position of a path: the node itself, or for a missing key the nearest ancestor that
 * exists, so "allow is missing" points at the rule that lacks it.
 */
function locate(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): { line: number; col: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

/** The position of `key` inside the map at `path` (for unknown keys: point at the key itself). */
function locateKey(doc: Document, lc: LineCounter, path: readonly PropertyKey[], key: string): { line: number; col: number } {
  const map = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) return lc.linePos(pair.key.range[0]);
    }
  }
  return locate(doc, lc, path);
}

/** `rules[0]: approvals must be …`: the key is named once, by the message when it names it. */
function prefixed(path: readonly PropertyKey[], message: string): string {
  const last = path[path.length - 1];
  const parent = path.slice(0, -1);
  if (typeof last === 'string' && (message.startsWith(`${last} `) || message.startsWith(`${last}:`))) return parent.length ? `${pathText(parent)}: ${message}` : message;
  return path.length ? `${pathText(path)}: ${message}` : message;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const last = issue.path[issue.path.length - 1];
  if (issue.code === 'invalid_type' && issue.input === undefined && typeof last === 'string') {
    const parent = issue.path.slice(0, -1);
    return `${parent.length ? `${pathText(parent)}: ` : ''}${last} is missing (${issue.message})`;
  }
  if (issue.code === 'invalid_type') return prefixed(issue.path, `${issue.message} (got ${JSON.stringify(issue.input)})`);
  return prefixed(issue.path, issue.message);
}

function fail(sourceName: string, located: Located[]): never {
  located.sort((a, b) => a.line - b.line || a.col - b.col);
  const lines = located.map((l) => `${sourceName}:${l.line}:${l.col}: ${l.message}`);
  const count = located.length === 1 ? '' : ` (${located.length} problems)`;
  throw new ConfigError(`Policy invalid${count}:\n${lines.join('\n')}`, {
    code: ErrorCode.PolicyInvalid,
    hint: `Fix ${sourceName} and restart sitrep, or unset SITREP_POLICY to use the built-in policy.`,
  });
}

/**
 * Parses and validates policy text (YAML, or JSON, which YAML reads as well). Every problem is
 * reported as `source:line:col: what is wrong`, all at once, so an admin fixes the file in one go.
 */
export function parsePolicyText(text: string, sourceName: string, options: ParsePolicyOptions = {}): ParsedPolicyFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    fail(
      sourceName,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
        return { line: pos.line, col: pos.col, message: `not valid YAML/JSON: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) fail(sourceName, [{ line: 1, col: 1, message: 'the file is empty; it needs at least rules:' }]);

  const parsed = PolicyFileSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const located: Located[] = [];
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        const known = knownKeysAt(issue.path) ?? [];
        for (const key of issue.keys) {
          const pos = locateKey(doc, lc, issue.path, key);
          const where = issue.path.length ? `${pathText(issue.path)}: ` : '';
          located.push({ ...pos, message: `${where}unknown key "${key}".${didYouMeanSuffix(key, known)} Allowed keys: ${known.join(', ')}` });
        }
        continue;
      }
      located.push({ ...locate(doc, lc, issue.path), message: describeIssue(issue) });
    }
    fail(sourceName, located);
  }

  const problems: PolicyProblem[] = crossCheck(parsed.data, options.knownVerbs);
  if (problems.length) {
    fail(sourceName, problems.map((p) => ({ ...locate(doc, lc, p.path), message: prefixed(p.path, p.message) })));
  }

  const ruleLines = parsed.data.rules.map((_, i) => locate(doc, lc, ['rules', i]).line);
  return { file: parsed.data, ruleLines };
}
