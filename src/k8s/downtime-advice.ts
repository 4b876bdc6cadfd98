import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { Workload } from './owners.js';
import { isTerminating } from './pod-facts.js';

const HOSTNAME = 'kubernetes.io/hostname';

/** How a workload's replicas are kept off one node, read from its pod spec. */
export const HostSpread = { None: 'none', Preferred: 'preferred', Required: 'required' } as const;
export type HostSpread = (typeof HostSpread)[keyof typeof HostSpread];

/**
 * Whether the pod's replicas are spread over nodes: a topologySpreadConstraint on
 * `kubernetes.io/hostname` (DoNotSchedule is required, ScheduleAnyway preferred) or a pod
 * anti-affinity term on it (required or preferred). The strongest one found wins.
 */
export function hostSpreadOf(pod: V1Pod): HostSpread {
  const spec = pod.spec;
  let best: HostSpread = HostSpread.None;
  for (const c of spec?.topologySpreadConstraints ?? []) {
    if (c.topologyKey !== HOSTNAME) continue;
    if (c.whenUnsatisfiable === 'DoNotSchedule') return HostSpread.Required;
    best = HostSpread.Preferred;
  }
  const anti = spec?.affinity?.podAntiAffinity;
  if ((anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some((t) => t.topologyKey === HOSTNAME)) return HostSpread.Required;
  if ((anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).some((t) => t.podAffinityTerm?.topologyKey === HOSTNAME)) best = HostSpread.Preferred;
  return best;
}

/**
 * The replica count a workload asks for now, as far as a plan's read of the cluster shows it: for a
 * Deployment, `spec.replicas` of its ReplicaSet that has any (the current one outside a rollout);
 * for a ReplicaSet its own; otherwise the number of its pods that are not going.
 */
export function replicasOf(w: Workload, pods: readonly V1Pod[], replicaSets: readonly V1ReplicaSet[]): number {
  const rsOf = (rs: V1ReplicaSet) => rs.metadata?.namespace === w.namespace;
  if (w.kind === 'Deployment') {
    const owned = replicaSets.filter((rs) => rsOf(rs) && rs.metadata?.ownerReferences?.some((o) => o.controller && o.kind === 'Deployment' && o.name === w.name));
    const counts = owned.map((rs) => rs.spec?.replicas ?? 0).filter((n) => n > 0);
    if (counts.length) return Math.max(...counts);
  } else if (w.kind === 'ReplicaSet') {
    const rs = replicaSets.find((r) => rsOf(r) && r.metadata?.name === w.name);
    if (rs?.spec?.replicas !== undefined) return rs.spec.replicas;
  }
  return pods.filter((p) => !isTerminating(p)).length;
}

/** What a downtime warning knows about one workload whose every ready replica is leaving. */
export interface DowntimeCase {
  workload: Workload;
  /** Its replica count now (replicasOf). */
  replicas: number;
  /** Its ready replicas that leave (all of its ready ones). */
  leaving: number;
  /** How its replicas are spread over nodes (from the leaving pods' spec). */
  spread: HostSpread;
  /** The node the pods leave, when a drain moves them (cordon it first); undefined for one pod's delete. */
  node?: string;
}

/**
 * How to avoid the downtime, worked out from the case rather than one fixed line:
 * - a StatefulSet pod restarts in place (same name, same volume) only after the old one is gone,
 *   so a scale-up adds another member and does not cover it;
 * - a Deployment needs one more replica Ready elsewhere first: the next count is its replica
 *   count plus one, with the node cordoned first (for a drain) so the new pod does not land there;
 *   replicas that share a node without a spread rule get told so;
 * - replicas elsewhere that are not Ready are the thing to fix first.
 * The text is one clause that follows "to avoid it," or stands alone; `/k8s` commands in backticks.
 */
export function downtimeAdvice(c: DowntimeCase): string {
  const { workload: w } = c;
  const ns = w.namespace;
  if (w.kind === 'StatefulSet') {
    return `a StatefulSet pod restarts in place after the old one is gone (same name, same volume), and scaling up adds a new member instead of covering this one: plan for the downtime`;
  }
  const notReadyElsewhere = c.replicas - c.leaving;
  if (notReadyElsewhere > 0) {
    return `its other ${notReadyElsewhere === 1 ? 'replica is' : `${notReadyElsewhere} replicas are`} not Ready: get ${notReadyElsewhere === 1 ? 'it' : 'them'} Ready first (\`/k8s get pods -n ${ns}\`)`;
  }
  const next = c.replicas + 1;
  const cordon = c.node ? `\`/k8s cordon ${c.node}\`, then ` : '';
  const scale =
    w.kind === 'Deployment'
      ? `\`/k8s scale deployment/${w.name} --replicas ${next} -n ${ns}\``
      : `scale ${w.kind.toLowerCase()} ${ns}/${w.name} to ${next} replicas`;
  const advice = `to avoid it, ${cordon}${scale} and wait until the new pod is Ready${c.node ? ` on another node` : ''}`;
  if (c.replicas < 2 || !c.node) return advice;
  const spread =
    c.spread === HostSpread.None
      ? `its ${c.replicas} replicas share ${c.node} because nothing spreads them: add a topologySpreadConstraint or pod anti-affinity on ${HOSTNAME}`
      : c.spread === HostSpread.Preferred
        ? `its spread over nodes is only preferred, so all ${c.replicas} replicas landed on ${c.node}: make it required (DoNotSchedule)`
        : `its spread rule could place them nowhere else: check the other nodes`;
  return `${advice}; ${spread}`;
}
