import { isDeepStrictEqual } from 'node:util';
import type { KObject } from '../../store.js';
import { selectorRequirements, matchRequirements, type LabelSelectorObject } from '../selectors.js';
import { forbidden, goLabelSelector, goStringMap, invalid, nonNegative, notSupported, required, type FieldError } from './field-error.js';
import { validatePodSpec } from './pod.js';

const KIND_WORD: Record<string, string> = {
  'apps/deployments': 'deployment',
  'apps/replicasets': 'replicaset',
  'apps/statefulsets': 'statefulset',
  'apps/daemonsets': 'daemonset',
};

/** An integer percentage or a non-negative integer, as IntOrString fields take (ValidatePositiveIntOrPercent). */
function intOrPercent(field: string, v: unknown): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'number') return nonNegative(field, v);
  if (typeof v === 'string' && /^\d+%$/.test(v)) return Number(v.slice(0, -1)) > 100 ? [invalid(field, v, 'must not be greater than 100%')] : [];
  return [invalid(field, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
}

/**
 * The selector and template checks every workload shares (ValidateDeploymentSpec,
 * ValidateReplicaSetSpec, ValidateStatefulSetSpec, ValidateDaemonSetSpec in
 * pkg/apis/apps/validation/validation.go): a non-empty selector that the template's labels
 * satisfy, a pod template with containers and restartPolicy Always, non-negative counts.
 */
function validateWorkloadSpec(key: string, spec: Record<string, any>): FieldError[] { // eslint-disable-line @typescript-eslint/no-explicit-any -- workload spec JSON
  const errs: FieldError[] = [];
  if (key !== 'apps/daemonsets') errs.push(...nonNegative('spec.replicas', spec.replicas));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds), ...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  const sel = spec.selector as LabelSelectorObject | undefined;
  if (!sel) {
    errs.push(required('spec.selector'));
  } else {
    const reqs = selectorRequirements(sel);
    if (reqs.length === 0) errs.push(invalid('spec.selector', goLabelSelector(sel), `empty selector is invalid for ${KIND_WORD[key]}`));
    const labels = spec.template?.metadata?.labels as Record<string, string> | undefined;
    if (reqs.length && !matchRequirements(reqs, labels)) {
      errs.push(invalid('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
    }
  }
  errs.push(...validatePodSpec(spec.template?.spec, 'spec.template.spec'));
  const policy = spec.template?.spec?.restartPolicy;
  if (policy !== undefined && policy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', policy, ['Always']));
  if (key === 'apps/deployments') {
    const ru = spec.strategy?.rollingUpdate;
    if (ru) {
      errs.push(...intOrPercent('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable), ...intOrPercent('spec.strategy.rollingUpdate.maxSurge', ru.maxSurge));
      const zero = (v: unknown) => v === 0 || v === '0%';
      if (zero(ru.maxUnavailable) && zero(ru.maxSurge)) errs.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
    if (typeof spec.progressDeadlineSeconds === 'number' && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateWorkloadCreate(key: string, obj: KObject): FieldError[] {
  return validateWorkloadSpec(key, obj.spec ?? {});
}

const STS_UPDATABLE = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

/**
 * The update rules on top of the create ones: apps/v1 selectors are immutable
 * (ValidateDeploymentUpdate & co.), and a StatefulSet's spec may change only in a few fields.
 */
export function validateWorkloadUpdate(key: string, next: KObject, old: KObject): FieldError[] {
  const errs = validateWorkloadSpec(key, next.spec ?? {});
  if (old.spec?.selector && !isDeepStrictEqual(next.spec?.selector, old.spec.selector)) {
    errs.push(invalid('spec.selector', goLabelSelector(next.spec?.selector), 'field is immutable'));
  }
  if (key === 'apps/statefulsets') {
    const strip = (s: Record<string, unknown> | undefined) => {
      const c = { ...(s ?? {}) };
      for (const f of ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']) delete c[f];
      return c;
    };
    if (!isDeepStrictEqual(strip(next.spec), strip(old.spec))) errs.push(forbidden('spec', STS_UPDATABLE));
  }
  return errs;
}
