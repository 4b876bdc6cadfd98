import { ApiError } from '../api-error.js';
import { isPlainObject } from './body.js';

/** application/merge-patch+json (RFC 7386). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** The real server reports a patch that fails to apply as 422 with the applier's message as a cause. */
function applyFailed(message: string): ApiError {
  return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  });
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw applyFailed(`invalid JSON pointer: ${JSON.stringify(path)}`);
  return path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

/** Walks to the parent of the last token; throws when a step is missing. */
function parentOf(doc: unknown, tokens: string[], path: string): { parent: Container; last: string } {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, path, false)];
    else if (isPlainObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw applyFailed(`doc is missing path: "${path}": missing value`);
  }
  if (!Array.isArray(cur) && !isPlainObject(cur)) throw applyFailed(`doc is missing path: "${path}": missing value`);
  return { parent: cur, last: tokens[tokens.length - 1] };
}

function arrayIndex(arr: unknown[], token: string, path: string, forInsert: boolean): number {
  if (token === '-' && forInsert) return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw applyFailed(`Unable to access invalid index: ${token}: invalid index referenced: ${path}`);
  const i = Number(token);
  if (i > arr.length || (!forInsert && i >= arr.length)) throw applyFailed(`Unable to access invalid index: ${i}: invalid index referenced: ${path}`);
  return i;
}

function getAt(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const { parent, last } = parentOf(doc, tokens, path);
  const v = Array.isArray(parent) ? parent[arrayIndex(parent, last, path, false)] : parent[last];
  if (v === undefined) throw applyFailed(`doc is missing path: "${path}": missing value`);
  return v;
}

function removeAt(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw applyFailed('unable to remove the whole document');
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, path, false), 1)[0];
  if (!(last in parent)) throw applyFailed(`unable to remove nonexistent key: ${last}: missing value`);
  const v = parent[last];
  delete parent[last];
  return v;
}

function addAt(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, path, true), 0, value);
  else parent[last] = value;
  return doc;
}

/** application/json-patch+json (RFC 6902), including `test`. */
export function jsonPatch(doc: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw ApiError.badRequest(`json: cannot unmarshal ${typeof patch} into Go value of type jsonpatch.Patch`);
  let out: unknown = structuredClone(doc);
  for (const raw of patch) {
    if (!isPlainObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw ApiError.badRequest(`json patch operation must have "op" and "path": ${JSON.stringify(raw)}`);
    }
    const op = raw as unknown as Operation;
    const needsValue = op.op === 'add' || op.op === 'replace' || op.op === 'test';
    if (needsValue && !('value' in raw)) throw applyFailed(`${op.op} operation does not apply: doc is missing value: "${op.path}"`);
    switch (op.op) {
      case 'add':
        out = addAt(out, op.path, structuredClone(op.value));
        break;
      case 'remove':
        removeAt(out, op.path);
        break;
      case 'replace':
        if (parsePointer(op.path).length === 0) out = structuredClone(op.value);
        else {
          getAt(out, op.path);
          removeAt(out, op.path);
          out = addAt(out, op.path, structuredClone(op.value));
        }
        break;
      case 'move': {
        if (typeof op.from !== 'string') throw applyFailed('move operation missing "from"');
        const v = removeAt(out, op.from);
        out = addAt(out, op.path, v);
        break;
      }
      case 'copy': {
        if (typeof op.from !== 'string') throw applyFailed('copy operation missing "from"');
        out = addAt(out, op.path, structuredClone(getAt(out, op.from)));
        break;
      }
      case 'test': {
        let actual: unknown;
        try {
          actual = getAt(out, op.path);
        } catch {
          actual = undefined;
        }
        if (!jsonEqual(actual, op.value)) throw applyFailed(`testing value ${op.path} failed: test failed`);
        break;
      }
      default:
        throw ApiError.badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return out;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}
