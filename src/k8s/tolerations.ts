import type { V1Taint, V1Toleration } from '@kubernetes/client-node';

/**
 * The tolerations that tolerate `taint`, as v1.Toleration.ToleratesTaint decides
 * (staging/src/k8s.io/api/core/v1/toleration.go): an empty effect matches every effect, an empty
 * key with operator Exists matches every taint, Exists ignores the value, Equal compares it.
 */
export function matchingTolerations(tolerations: readonly V1Toleration[], taint: V1Taint): V1Toleration[] {
  return tolerations.filter((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

/** Whether any of `tolerations` tolerates `taint` (for a NoExecute taint: for a while at least). */
export function toleratesTaint(tolerations: readonly V1Toleration[], taint: V1Taint): boolean {
  return matchingTolerations(tolerations, taint).length > 0;
}

/**
 * Whether a pod with `tolerations` stays on a node with this NoExecute taint for good: a matching
 * toleration without tolerationSeconds (pkg/controller/tainteviction getMinTolerationTime: a
 * toleration with seconds only delays the eviction).
 */
export function toleratesForever(tolerations: readonly V1Toleration[], taint: V1Taint): boolean {
  return matchingTolerations(tolerations, taint).some((t) => t.tolerationSeconds === undefined || t.tolerationSeconds === null);
}
