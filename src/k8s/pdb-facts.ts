import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { selectorMatches } from './label-selector.js';

/** A PodDisruptionBudget with the pods of a plan it covers and its current numbers. */
export interface PdbCoverage {
  pdb: V1PodDisruptionBudget;
  namespace: string;
  name: string;
  /** Every pod of the plan it covers. */
  covered: V1Pod[];
  allowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
}

export function pdbsCovering(pod: V1Pod, pdbs: readonly V1PodDisruptionBudget[]): V1PodDisruptionBudget[] {
  const ns = pod.metadata?.namespace;
  return pdbs.filter((b) => b.metadata?.namespace === ns && selectorMatches(b.spec?.selector, pod.metadata?.labels));
}

/** Each PDB that covers at least one of `targets`, with the numbers the eviction API will check. */
export function pdbCoverage(targets: readonly V1Pod[], pdbs: readonly V1PodDisruptionBudget[]): PdbCoverage[] {
  const out: PdbCoverage[] = [];
  for (const pdb of pdbs) {
    const ns = pdb.metadata?.namespace ?? '';
    const covered = targets.filter((p) => p.metadata?.namespace === ns && selectorMatches(pdb.spec?.selector, p.metadata?.labels));
    if (covered.length === 0) continue;
    const s = pdb.status;
    out.push({
      pdb,
      namespace: ns,
      name: pdb.metadata?.name ?? '',
      covered,
      allowed: s?.disruptionsAllowed ?? 0,
      currentHealthy: s?.currentHealthy ?? 0,
      desiredHealthy: s?.desiredHealthy ?? 0,
      expectedPods: s?.expectedPods ?? 0,
    });
  }
  return out;
}

/** `minAvailable 2` / `maxUnavailable 25%`, as the PDB states it. */
export function pdbRule(pdb: V1PodDisruptionBudget): string {
  if (pdb.spec?.minAvailable !== undefined) return `minAvailable ${pdb.spec.minAvailable}`;
  if (pdb.spec?.maxUnavailable !== undefined) return `maxUnavailable ${pdb.spec.maxUnavailable}`;
  return 'no rule';
}
