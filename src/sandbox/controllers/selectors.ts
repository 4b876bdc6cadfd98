import type { KObject } from '../store.js';

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/**
 * Whether labels match a metav1.LabelSelector. An empty selector matches everything; a missing
 * (null) one matches nothing, as the API's conversion to labels.Selector does.
 */
export function matchesSelector(selector: LabelSelector | null | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) if (!matchesRequirement(e, l[e.key])) return false;
  return true;
}

/** One `In`/`NotIn`/`Exists`/`DoesNotExist`/`Gt`/`Lt` requirement against a label's value. */
export function matchesRequirement(r: LabelSelectorRequirement, value: string | undefined): boolean {
  switch (r.operator) {
    case 'In':
      return value !== undefined && (r.values ?? []).includes(value);
    case 'NotIn':
      return value === undefined || !(r.values ?? []).includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(r.values?.[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(r.values?.[0]);
    default:
      return false;
  }
}

interface NodeSelectorTerm {
  matchExpressions?: LabelSelectorRequirement[];
  matchFields?: LabelSelectorRequirement[];
}

/** A v1.NodeSelector (terms ORed, requirements within a term ANDed) against a node. */
export function matchesNodeSelector(selector: { nodeSelectorTerms?: NodeSelectorTerm[] } | undefined, node: KObject): boolean {
  if (!selector) return true;
  const terms = selector.nodeSelectorTerms ?? [];
  if (!terms.length) return false;
  const labels = node.metadata.labels ?? {};
  return terms.some((t) => {
    if (!(t.matchExpressions?.length || t.matchFields?.length)) return false;
    return (t.matchExpressions ?? []).every((e) => matchesRequirement(e, labels[e.key]))
      && (t.matchFields ?? []).every((f) => matchesRequirement(f, f.key === 'metadata.name' ? node.metadata.name : undefined));
  });
}

/** The pod's spec.nodeSelector and required node affinity, as the NodeAffinity filter checks them. */
export function podMatchesNodeAffinity(pod: KObject, node: KObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>)) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return required ? matchesNodeSelector(required, node) : true;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** The first NoSchedule/NoExecute taint the pod does not tolerate, if any. */
export function untoleratedTaint(tolerations: Toleration[] | undefined, taints: Taint[] | undefined, effects: readonly string[] = ['NoSchedule', 'NoExecute']): Taint | undefined {
  return (taints ?? []).find((taint) => effects.includes(taint.effect) && !tolerates(tolerations, taint));
}
