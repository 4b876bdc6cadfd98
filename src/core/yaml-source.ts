import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { didYouMeanSuffix } from './text/did-you-mean.js';

/**
 * Reading a YAML (or JSON) file a person wrote, so that every mistake is reported as
 * `source:line:column: what is wrong`: the policy file and runbook files share these helpers.
 * Positions come from the `yaml` package's LineCounter (1-based lines and columns).
 */

/** One problem in a file, at a position. */
export interface SourceProblem {
  line: number;
  col: number;
  message: string;
}

/** A parsed document with what is needed to point back into its text. */
export interface YamlSource {
  doc: Document;
  lc: LineCounter;
  /** The document as plain data (undefined for an empty file). */
  data: unknown;
  /** YAML syntax errors (duplicate keys included), each with its position. */
  problems: SourceProblem[];
}

/** Parses text as YAML 1.2 (JSON is YAML too), with duplicate keys refused. */
export function readYaml(text: string): YamlSource {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const problems = doc.errors.map((e) => {
    const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
    return { line: pos.line, col: pos.col, message: `not valid YAML/JSON: ${e.message.split('\n')[0]}` };
  });
  return { doc, lc, data: problems.length ? undefined : (doc.toJS() as unknown), problems };
}

/** `rules[1].allow[0]` for a zod/yaml path. */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/**
 * The source position of a path: the node itself, or for a missing key the nearest ancestor that
 * exists, so "allow is missing" points at the rule that lacks it.
 */
export function locate(src: Pick<YamlSource, 'doc' | 'lc'>, path: readonly PropertyKey[]): { line: number; col: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? src.doc.contents : src.doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return src.lc.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

/** The position of `key` inside the map at `path` (for unknown keys: point at the key itself). */
export function locateKey(src: Pick<YamlSource, 'doc' | 'lc'>, path: readonly PropertyKey[], key: string): { line: number; col: number } {
  const map = path.length === 0 ? src.doc.contents : src.doc.getIn(path as unknown[], true);
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) return src.lc.linePos(pair.key.range[0]);
    }
  }
  return locate(src, path);
}

/** `rules[0]: approvals must be …`: the key is named once, by the message when it names it. */
export function prefixed(path: readonly PropertyKey[], message: string): string {
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

/**
 * Each zod issue as a located problem. Unknown keys point at the key itself, with a did-you-mean
 * from `knownKeysAt(path)` (the keys the map at that path accepts). Parse with
 * `{ reportInput: true }` so type errors can say what was found.
 */
export function zodProblems(src: Pick<YamlSource, 'doc' | 'lc'>, issues: readonly z.core.$ZodIssue[], knownKeysAt: (path: readonly PropertyKey[]) => string[] | undefined): SourceProblem[] {
  const out: SourceProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(issue.path) ?? [];
      for (const key of issue.keys) {
        const where = issue.path.length ? `${pathText(issue.path)}: ` : '';
        out.push({ ...locateKey(src, issue.path, key), message: `${where}unknown key "${key}".${didYouMeanSuffix(key, known)} Allowed keys: ${known.join(', ')}` });
      }
      continue;
    }
    out.push({ ...locate(src, issue.path), message: describeIssue(issue) });
  }
  return out;
}

/** `source:line:col: message` lines, in file order. */
export function problemLines(sourceName: string, problems: readonly SourceProblem[]): string[] {
  return [...problems].sort((a, b) => a.line - b.line || a.col - b.col).map((p) => `${sourceName}:${p.line}:${p.col}: ${p.message}`);
}
