import type { V1Pod } from '@kubernetes/client-node';
import { ErrorCode, JobError } from '../core/errors.js';
import { ConditionKind, type Condition } from '../core/verbs/wait.js';
import type { KubeClients } from './kube-clients.js';
import { listAll } from './list-all.js';
import { nsName } from './object-ref.js';
import { workloadKey, workloadOf, type Workload } from './owners.js';
import { controllerOf, isMirrorPod, isNodeReady, isTerminal, nodeCondition } from './pod-facts.js';
import { callOptions } from './request-options.js';

/**
 * What a runbook's wait (or `if:`) sees of the cluster now. `baseline` is what the wait compares
 * against later, recorded when the runbook was planned: the node's boot ID, the workloads on it.
 */
export interface Observation {
  holds: boolean;
  /** What was seen, for people: `NotReady`, `Ready, boot 3f2a9c1e`, `2 pods left: shop/web-1, …`. */
  seen: string;
  baseline: Record<string, string>;
}

type Baseline = Readonly<Record<string, string | number | boolean>>;

async function podsOn(kube: KubeClients, node: string, signal?: AbortSignal): Promise<V1Pod[]> {
  const { items } = await listAll((cont, limit) => kube.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}`, _continue: cont, limit }, callOptions({ signal })), { signal });
  return items;
}

/** Pods a drain moves: not DaemonSet pods, not mirror pods, not finished (as kubectl drain filters). */
function movable(pod: V1Pod): boolean {
  return !isMirrorPod(pod) && !isTerminal(pod) && controllerOf(pod)?.kind !== 'DaemonSet';
}


/** Workloads (Deployment, StatefulSet, …) with pods on the node, as `kind/namespace/name`. */
async function workloadsOn(kube: KubeClients, pods: V1Pod[], signal?: AbortSignal): Promise<Workload[]> {
  const namespaces = [...new Set(pods.filter(movable).map((p) => p.metadata?.namespace ?? 'default'))];
  const replicaSets = (await Promise.all(namespaces.map((namespace) => kube.apps.listNamespacedReplicaSet({ namespace }, callOptions({ signal }))))).flatMap((l) => l.items);
  const seen = new Map<string, Workload>();
  for (const p of pods.filter(movable)) {
    const w = workloadOf(p, replicaSets);
    if (w) seen.set(workloadKey(w), w);
  }
  return [...seen.values()];
}

/** Ready replicas of a workload against what it wants, or undefined when it is gone. */
async function readiness(kube: KubeClients, w: Workload, signal?: AbortSignal): Promise<{ ready: number; want: number } | undefined> {
  const opts = callOptions({ signal });
  try {
    if (w.kind === 'Deployment') {
      const d = await kube.apps.readNamespacedDeployment({ name: w.name, namespace: w.namespace }, opts);
      return { ready: d.status?.readyReplicas ?? 0, want: d.spec?.replicas ?? 1 };
    }
    if (w.kind === 'StatefulSet') {
      const s = await kube.apps.readNamespacedStatefulSet({ name: w.name, namespace: w.namespace }, opts);
      return { ready: s.status?.readyReplicas ?? 0, want: s.spec?.replicas ?? 1 };
    }
    if (w.kind === 'ReplicaSet') {
      // Listed by name, not read: the worker's role lists ReplicaSets (owner lookups) and needs no more.
      const r = (await kube.apps.listNamespacedReplicaSet({ namespace: w.namespace, fieldSelector: `metadata.name=${w.name}` }, opts)).items[0];
      return r ? { ready: r.status?.readyReplicas ?? 0, want: r.spec?.replicas ?? 1 } : undefined;
    }
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
  return undefined;
}

/**
 * Reads whether `c` holds now. For `node-ready` with a new boot ID the boot must differ from the
 * baseline's; for `replacements-ready` the workloads are the baseline's (those that had pods on
 * the node when the runbook was planned). Without a baseline, the one seen now is returned.
 * @throws the client's ApiException (404 for a node that does not exist); JobError
 *   `sitrep_not_found` for a PodDisruptionBudget that does not exist.
 */
export async function observeCondition(kube: KubeClients, c: Condition, baseline: Baseline | undefined, signal?: AbortSignal): Promise<Observation> {
  const opts = callOptions({ signal });
  switch (c.kind) {
    case ConditionKind.NodeReady:
    case ConditionKind.NodeNotReady: {
      const node = await kube.core.readNode({ name: c.node }, opts);
      const ready = isNodeReady(node);
      const bootID = node.status?.nodeInfo?.bootID ?? '';
      const state = ready ? 'Ready' : nodeCondition(node, 'Ready') === 'Unknown' ? 'NotReady (no heartbeat)' : 'NotReady';
      const before = baseline?.bootID === undefined ? bootID : String(baseline.bootID);
      const newBoot = Boolean(bootID) && bootID !== before;
      const holds = c.kind === ConditionKind.NodeNotReady ? !ready : ready && (!c.newBootId || newBoot);
      const boot = bootID ? `, boot ${bootID.slice(0, 8)}${c.kind === ConditionKind.NodeReady && c.newBootId ? (newBoot ? ' (new)' : ' (same as before)') : ''}` : '';
      return { holds, seen: `${c.node} is ${state}${boot}`, baseline: { bootID: before } };
    }
    case ConditionKind.PodsGone: {
      const left = (await podsOn(kube, c.node, signal)).filter(movable);
      return { holds: left.length === 0, seen: left.length ? `${left.length} pod${left.length === 1 ? '' : 's'} left on ${c.node}: ${left.slice(0, 5).map((p) => nsName(p.metadata?.namespace, p.metadata?.name)).join(', ')}${left.length > 5 ? ', …' : ''}` : `no workload pods on ${c.node}`, baseline: {} };
    }
    case ConditionKind.ReplacementsReady: {
      const pods = await podsOn(kube, c.node, signal);
      const keys = baseline?.workloads !== undefined ? String(baseline.workloads).split(',').filter(Boolean) : (await workloadsOn(kube, pods, signal)).map(workloadKey);
      const onNode = new Set((await workloadsOn(kube, pods, signal)).map(workloadKey));
      const waiting: string[] = [];
      for (const key of keys) {
        const [kind, namespace, name] = key.split('/') as [string, string, string];
        const r = await readiness(kube, { kind, namespace, name }, signal);
        if (onNode.has(key)) waiting.push(`${namespace}/${name} still has a pod on ${c.node}`);
        else if (r && r.ready < r.want) waiting.push(`${namespace}/${name} ${r.ready}/${r.want} ready`);
      }
      return { holds: waiting.length === 0, seen: waiting.length ? waiting.slice(0, 4).join('; ') : keys.length ? `all ${keys.length} workload(s) that were on ${c.node} are Ready elsewhere` : `no workloads were on ${c.node}`, baseline: { workloads: keys.join(',') } };
    }
    case ConditionKind.DeploymentAvailable: {
      const d = await kube.apps.readNamespacedDeployment({ name: c.name, namespace: c.namespace }, opts);
      const want = d.spec?.replicas ?? 1;
      const available = d.status?.availableReplicas ?? 0;
      const updated = d.status?.updatedReplicas ?? 0;
      const current = (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
      return { holds: current && updated >= want && available >= want, seen: `${available}/${want} available, ${updated} updated`, baseline: {} };
    }
    case ConditionKind.PdbAllowsDisruptions: {
      // Listed by name, not read: the worker's role lists PDBs (drain plans) and needs no more.
      const p = (await kube.policy.listNamespacedPodDisruptionBudget({ namespace: c.namespace, fieldSelector: `metadata.name=${c.name}` }, opts)).items[0];
      if (!p) throw new JobError(ErrorCode.NotFound, `poddisruptionbudget ${c.namespace}/${c.name} not found`);
      const allowed = p.status?.disruptionsAllowed ?? 0;
      return { holds: allowed > 0, seen: `${allowed} disruption${allowed === 1 ? '' : 's'} allowed`, baseline: {} };
    }
  }
}
