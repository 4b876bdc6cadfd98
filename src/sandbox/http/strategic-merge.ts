import { ApiError } from '../api-error.js';
import { isPlainObject } from './body.js';

/**
 * The patchMergeKey of list fields in the built-in types, by field name. The real server reads
 * these from Go struct tags; for the resources the sandbox serves, the field name alone decides.
 * Lists not named here are replaced as a whole, as `atomic` lists are: NodeSpec.Taints and
 * PodSpec.Tolerations have no merge key (k8s.io/api/core/v1/types.go), so a patch carrying
 * `taints` replaces the list, which is how `kubectl taint node X key-` removes one.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  conditions: 'type',
  ownerReferences: 'uid',
  imagePullSecrets: 'name',
  addresses: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  readinessGates: 'conditionType',
};

/** Lists of scalars with patchStrategy merge: the patch's items are added to the existing ones. */
const PRIMITIVE_MERGE_LISTS = new Set(['finalizers']);

type Json = unknown;
type JsonMap = Record<string, unknown>;

function invalidPatch(message: string): ApiError {
  return ApiError.badRequest(message);
}

/** Removes `$patch`/`$retainKeys`/`$setElementOrder` directives from a value that is inserted as is. */
function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.filter((e) => !(isPlainObject(e) && e.$patch === 'delete')).map(stripDirectives);
  if (!isPlainObject(v)) return v;
  const out: JsonMap = {};
  for (const [k, val] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    if (val === null) continue;
    out[k] = stripDirectives(val);
  }
  return out;
}

function mergeMap(original: JsonMap, patch: JsonMap): JsonMap | undefined {
  const directive = patch.$patch;
  if (directive === 'replace') return stripDirectives(patch) as JsonMap;
  if (directive === 'delete') return undefined;
  if (directive !== undefined && directive !== 'merge') throw invalidPatch(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);

  let out: JsonMap = { ...original };
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    const keep = new Set(retain.map(String));
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field]) && Array.isArray(value)) out[field] = (out[field] as Json[]).filter((v) => !value.includes(v));
      continue;
    }
    if (value === null) {
      delete out[key];
    } else if (isPlainObject(value)) {
      const merged = mergeMap(isPlainObject(out[key]) ? (out[key] as JsonMap) : {}, value);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else if (Array.isArray(value)) {
      out[key] = mergeList(key, out[key], value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function mergeList(field: string, original: Json, patch: Json[]): Json[] {
  if (patch.some((e) => isPlainObject(e) && e.$patch === 'replace')) {
    return patch.filter((e) => !(isPlainObject(e) && e.$patch === 'replace')).map(stripDirectives);
  }
  const key = MERGE_KEYS[field];
  const base = Array.isArray(original) ? original : [];
  if (key && patch.every(isPlainObject)) {
    const out: Json[] = [...base];
    for (const el of patch as JsonMap[]) {
      const id = el[key];
      const idx = id === undefined ? -1 : out.findIndex((o) => isPlainObject(o) && o[key] === id);
      if (el.$patch === 'delete') {
        if (id === undefined) throw invalidPatch(`map: ${JSON.stringify(el)} does not contain declared merge key: ${key}`);
        for (let i = out.length - 1; i >= 0; i--) if (isPlainObject(out[i]) && (out[i] as JsonMap)[key] === id) out.splice(i, 1);
        continue;
      }
      if (id === undefined) throw invalidPatch(`map: ${JSON.stringify(el)} does not contain declared merge key: ${key}`);
      if (idx >= 0) {
        const merged = mergeMap(out[idx] as JsonMap, el);
        if (merged === undefined) out.splice(idx, 1);
        else out[idx] = merged;
      } else {
        out.push(stripDirectives(el));
      }
    }
    return out;
  }
  if (PRIMITIVE_MERGE_LISTS.has(field) && patch.every((e) => !isPlainObject(e) && !Array.isArray(e))) {
    const out = [...base];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  return patch.map(stripDirectives);
}

/**
 * application/strategic-merge-patch+json: maps merge, `null` deletes a key, lists with a merge key
 * (containers by name, conditions by type, ...) merge element by element, `$patch: delete|replace`
 * directives work on maps and list elements.
 */
export function strategicMergePatch<T>(original: T, patch: unknown): T {
  if (!isPlainObject(patch)) throw invalidPatch(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
  return (mergeMap(original as JsonMap, patch) ?? {}) as T;
}
