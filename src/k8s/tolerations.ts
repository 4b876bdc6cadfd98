import type { V1Taint, V1Toleration } from '@kubernetes/client-node';

/**
 * Whether any of `tolerations` tolerates `taint`, as v1.Toleration.ToleratesTaint does
 * (staging/src/k8s.io/api/core/v1/toleration.go): an empty effect matches every effect, an empty
 * key with operator Exists matches every taint, Exists ignores the value, Equal compares it.
 */
export function toleratesTaint(tolerations: readonly V1Toleration[], taint: V1Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}
