/** What an alert is about, as far as its labels say. */
export interface AlertSubject {
  cluster?: string;
  namespace?: string;
  node?: string;
  pod?: string;
  /** `deployment/web`, `statefulset/db`, `daemonset/agent`. */
  workload?: string;
}

/**
 * Sitrep commands that fit an alert's subject, for its card. A provider returns commands as
 * typed (`/k8s drain node02`); providers are a list so others can add theirs (a runbook that fits
 * a node, for instance) without this file knowing them.
 */
export type SuggestionProvider = (subject: AlertSubject) => string[];

const DNS1123 = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Only names a command would accept: label values are not trusted to be Kubernetes names. */
function safe(name: string | undefined): string | undefined {
  return name && name.length <= 253 && DNS1123.test(name) ? name : undefined;
}

function clusterFlag(s: AlertSubject): string {
  return safe(s.cluster) ? ` --cluster ${s.cluster}` : '';
}

/** The built-in suggestions: look first, then the change that usually fixes it. */
export const k8sSuggestions: SuggestionProvider = (s) => {
  const out: string[] = [];
  const c = clusterFlag(s);
  const ns = safe(s.namespace);
  const node = safe(s.node);
  if (node) out.push(`/k8s describe node ${node}${c}`, `/k8s drain ${node}${c}`);
  const pod = safe(s.pod);
  if (pod && ns) out.push(`/k8s describe pod ${pod} -n ${ns}${c}`, `/k8s logs ${pod} -n ${ns}${c}`);
  const [kind, name] = (s.workload ?? '').split('/');
  if (kind && safe(name) && ns && ['deployment', 'statefulset', 'daemonset'].includes(kind)) out.push(`/k8s restart ${kind}/${name} -n ${ns}${c}`);
  return out;
};

/** The subject of an alert from the labels kube-state-metrics and node-exporter rules use. */
export function subjectOf(labels: Readonly<Record<string, string>>): AlertSubject {
  const node = labels.node ?? labels.kubernetes_node ?? labels.nodename;
  const workload = labels.deployment ? `deployment/${labels.deployment}` : labels.statefulset ? `statefulset/${labels.statefulset}` : labels.daemonset ? `daemonset/${labels.daemonset}` : undefined;
  return {
    ...(labels.cluster ? { cluster: labels.cluster } : {}),
    ...(labels.namespace ? { namespace: labels.namespace } : {}),
    ...(node ? { node } : {}),
    ...(labels.pod ? { pod: labels.pod } : {}),
    ...(workload ? { workload } : {}),
  };
}

/** Every provider's suggestions, deduplicated, at most `max`. */
export function suggestFor(subject: AlertSubject, providers: readonly SuggestionProvider[], max = 6): string[] {
  const out: string[] = [];
  for (const p of providers) for (const cmd of p(subject)) if (!out.includes(cmd)) out.push(cmd);
  return out.slice(0, max);
}
