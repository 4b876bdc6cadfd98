import { ApiError } from '../../api-error.js';
import type { ResourceType } from '../../resources.js';
import type { KObject } from '../../store.js';

/** Integer fields, by resource key, with the Go struct that holds them and their type (what decoding reports). */
const INTEGER_FIELDS: Record<string, { path: string[]; struct: string; type: string }[]> = {
  'apps/deployments': [{ path: ['spec', 'replicas'], struct: 'DeploymentSpec', type: 'int32' }, { path: ['spec', 'minReadySeconds'], struct: 'DeploymentSpec', type: 'int32' }],
  'apps/replicasets': [{ path: ['spec', 'replicas'], struct: 'ReplicaSetSpec', type: 'int32' }],
  'apps/statefulsets': [{ path: ['spec', 'replicas'], struct: 'StatefulSetSpec', type: 'int32' }],
  pods: [{ path: ['spec', 'terminationGracePeriodSeconds'], struct: 'PodSpec', type: 'int64' }],
};

function at(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** What encoding/json says of a value that cannot go into an integer field, or undefined when it can. */
function jsonTypeError(value: unknown, field: { path: string[]; struct: string; type: string }): string | undefined {
  if (value === undefined || value === null || (typeof value === 'number' && Number.isInteger(value))) return undefined;
  const what = typeof value === 'number' ? `number ${value}` : typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'bool' : Array.isArray(value) ? 'array' : 'object';
  return `json: cannot unmarshal ${what} into Go struct field ${field.struct}.${field.path.join('.')} of type ${field.type}`;
}

/**
 * A create or update body whose integer fields hold something else cannot even be decoded: 400,
 * `Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal …`
 * (handlers/rest.go transformDecodeError).
 */
export function checkDecodable(t: ResourceType, obj: KObject): void {
  for (const f of INTEGER_FIELDS[`${t.group ? `${t.group}/` : ''}${t.resource}`] ?? []) {
    const err = jsonTypeError(at(obj, f.path), f);
    if (err) throw ApiError.badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: ${err}`);
  }
}

/** Go's %v of a decoded JSON value: `map[spec:map[replicas:two]]`. */
function goPrint(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (v && typeof v === 'object') return `map[${Object.keys(v).sort().map((k) => `${k}:${goPrint((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  if (v === null || v === undefined) return '<nil>';
  return String(v);
}

/**
 * A patch whose result cannot be converted back to the typed object: 422 on the field `patch`,
 * with no kind or name. A strategic merge patch reports the patch map (%+v) and the unstructured
 * converter's complaint (handlers/patch.go strategicPatchObject); JSON and merge patches report
 * the patched object and the JSON decoder's (applyPatchToCurrentObject).
 */
export function checkPatchedDecodable(t: ResourceType, patched: KObject, patch: unknown, strategic: boolean): void {
  for (const f of INTEGER_FIELDS[`${t.group ? `${t.group}/` : ''}${t.resource}`] ?? []) {
    const decodeError = jsonTypeError(at(patched, f.path), f);
    if (decodeError === undefined) continue;
    const shown = JSON.stringify(strategic ? goPrint(patch) : JSON.stringify(patched));
    const detail = strategic ? `unrecognized type: ${f.type}` : decodeError;
    throw new ApiError(422, 'Invalid', ` "" is invalid: patch: Invalid value: ${shown}: ${detail}`, {
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${shown}: ${detail}`, field: 'patch' }],
    });
  }
}
