import { ApiError } from '../../api-error.js';
import type { ResourceType } from '../../resources.js';
import type { KObject } from '../../store.js';
import type { FieldError } from './field-error.js';
import { validateObjectMetaUpdate } from './meta.js';
import { validatePodSpec, validatePodUpdate } from './pod.js';
import { validateWorkloadCreate, validateWorkloadUpdate } from './workloads.js';

export { checkDecodable, checkPatchedDecodable } from './decode.js';

const WORKLOADS = new Set(['apps/deployments', 'apps/replicasets', 'apps/statefulsets', 'apps/daemonsets']);

function fail(t: ResourceType, name: string, errs: FieldError[]): void {
  if (errs.length) throw ApiError.invalid(t.kind, name, errs, t.group);
}

/** The strategy's Validate for a create: 422 with every field error, as the registry answers. */
export function validateCreate(t: ResourceType, key: string, obj: KObject): void {
  if (key === 'pods') fail(t, obj.metadata.name, validatePodSpec(obj.spec, 'spec'));
  else if (WORKLOADS.has(key)) fail(t, obj.metadata.name, validateWorkloadCreate(key, obj));
}

/** The strategy's ValidateUpdate for a write to the main resource (not /status). */
export function validateUpdate(t: ResourceType, key: string, next: KObject, old: KObject): void {
  const errs = validateObjectMetaUpdate(next, old);
  if (key === 'pods') errs.push(...validatePodUpdate(next, old));
  else if (WORKLOADS.has(key)) errs.push(...validateWorkloadUpdate(key, next, old));
  fail(t, next.metadata.name, errs);
}

/** A status update validates metadata only (its strategy leaves spec alone). */
export function validateStatusUpdate(t: ResourceType, next: KObject, old: KObject): void {
  fail(t, next.metadata.name, validateObjectMetaUpdate(next, old));
}
