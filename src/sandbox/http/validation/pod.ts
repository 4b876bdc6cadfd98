import { isDeepStrictEqual } from 'node:util';
import type { KObject } from '../../store.js';
import { duplicate, forbidden, invalid, notSupported, required, type FieldError } from './field-error.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

interface Container {
  name?: unknown;
  image?: unknown;
}

function validateContainers(list: unknown, path: string, requireOne: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const containers = Array.isArray(list) ? (list as Container[]) : [];
  if (requireOne && containers.length === 0) return [required(path)];
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const name = c?.name;
    if (typeof name !== 'string' || name === '') errs.push(required(`${path}[${i}].name`));
    else if (name.length > 63 || !DNS1123_LABEL.test(name)) errs.push(invalid(`${path}[${i}].name`, name, DNS1123_LABEL_MSG));
    else if (seen.has(name)) errs.push(duplicate(`${path}[${i}].name`, name));
    else seen.add(name);
    if (typeof c?.image !== 'string' || c.image.trim() === '') errs.push(required(`${path}[${i}].image`));
  });
  return errs;
}

/**
 * The parts of ValidatePodSpec (pkg/apis/core/validation/validation.go) that catch the usual
 * mistakes: at least one container, container names that are DNS labels and unique, an image
 * for each, a known restartPolicy. `path` is `spec` for a pod, `spec.template.spec` for a template.
 */
export function validatePodSpec(spec: Record<string, unknown> | undefined, path: string): FieldError[] {
  const s = spec ?? {};
  const errs = [...validateContainers(s.containers, `${path}.containers`, true), ...validateContainers(s.initContainers, `${path}.initContainers`, false)];
  const policy = s.restartPolicy;
  if (policy !== undefined && policy !== 'Always' && policy !== 'OnFailure' && policy !== 'Never') {
    errs.push(notSupported(`${path}.restartPolicy`, policy, ['Always', 'OnFailure', 'Never']));
  }
  const deadline = s.activeDeadlineSeconds;
  if (typeof deadline === 'number' && deadline <= 0) errs.push(invalid(`${path}.activeDeadlineSeconds`, deadline, 'must be between 1 and 2147483647, inclusive'));
  return errs;
}

const UPDATABLE = '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** The fields ValidatePodUpdate lets change, copied from the old spec so only the rest is compared. */
function munged(next: Record<string, any>, old: Record<string, any>): Record<string, unknown> { // eslint-disable-line @typescript-eslint/no-explicit-any -- pod spec JSON
  const m = structuredClone(next);
  const copyImages = (field: 'containers' | 'initContainers') => {
    if (!Array.isArray(m[field]) || !Array.isArray(old[field]) || m[field].length !== old[field].length) return;
    m[field].forEach((c: Record<string, unknown>, i: number) => { c.image = old[field][i]?.image; });
  };
  copyImages('containers');
  copyImages('initContainers');
  m.activeDeadlineSeconds = old.activeDeadlineSeconds;
  if (m.activeDeadlineSeconds === undefined) delete m.activeDeadlineSeconds;
  // Tolerations may only grow: the old ones must all still be there.
  const oldTol: unknown[] = old.tolerations ?? [];
  const newTol: unknown[] = m.tolerations ?? [];
  if (oldTol.every((t) => newTol.some((n) => isDeepStrictEqual(n, t)))) {
    if (old.tolerations === undefined) delete m.tolerations;
    else m.tolerations = old.tolerations;
  }
  if (typeof old.terminationGracePeriodSeconds === 'number' && old.terminationGracePeriodSeconds < 0 && m.terminationGracePeriodSeconds === 1) {
    m.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  }
  return m;
}

/** A short stand-in for the cmp.Diff the real message appends: the changed fields, old then new. */
function specDiff(old: Record<string, unknown>, next: Record<string, unknown>): string {
  const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
  const lines = ['  core.PodSpec{'];
  for (const k of keys) {
    if (isDeepStrictEqual(old[k], next[k])) continue;
    const field = k[0].toUpperCase() + k.slice(1);
    if (old[k] !== undefined) lines.push(`- \t${field}: ${JSON.stringify(old[k])},`);
    if (next[k] !== undefined) lines.push(`+ \t${field}: ${JSON.stringify(next[k])},`);
  }
  lines.push('  \t... // identical fields', '  }', '');
  return lines.join('\n');
}

/**
 * ValidatePodUpdate: a pod's spec is fixed once created, but for container images,
 * activeDeadlineSeconds, added tolerations and a negative grace period raised to 1. Moving a pod
 * to another node (spec.nodeName) or changing its containers is a `spec: Forbidden`.
 */
export function validatePodUpdate(next: KObject, old: KObject): FieldError[] {
  const errs = validatePodSpec(next.spec, 'spec');
  const oldSpec = old.spec ?? {};
  const m = munged(next.spec ?? {}, oldSpec);
  if (!isDeepStrictEqual(m, oldSpec)) errs.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE}\n${specDiff(oldSpec, m)}`));
  return errs;
}
