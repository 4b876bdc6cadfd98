import type { KObject } from '../../store.js';
import { forbidden, type FieldError } from './field-error.js';

/**
 * ValidateObjectMetaUpdate (apimachinery/pkg/api/validation/objectmeta.go), the part that
 * matters to deletion: once an object is being deleted, no new finalizer may be added.
 */
export function validateObjectMetaUpdate(next: KObject, old: KObject): FieldError[] {
  if (!old.metadata.deletionTimestamp) return [];
  const before = new Set(old.metadata.finalizers ?? []);
  const added = (next.metadata.finalizers ?? []).filter((f) => !before.has(f));
  if (!added.length) return [];
  return [forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`)];
}
