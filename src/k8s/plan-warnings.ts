import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { formatDuration } from '../core/duration.js';
import { Severity, WarningCode, type PlanWarning } from '../core/plan.js';
import { fillRatio, simulatePlacement, type PlacementResult } from './capacity.js';
import type { ClusterView } from './cluster-view.js';
import { listSome, nsName, objectRef } from './object-ref.js';
import { pdbCoverage, pdbRule, pdbsCovering, type PdbCoverage } from './pdb-facts.js';
import { controllerOf, isControlPlane, isMirrorPod, isNodeReady, isPodReady, isTerminating, nodeCondition } from './pod-facts.js';
import { localDataOf, podClaims, pvPinnedTo, rwoAttachmentsOf } from './storage-facts.js';
import { downtimeAdvice, hostSpreadOf, replicasOf } from './downtime-advice.js';
import { workloadKey, workloadOf, type Workload } from './owners.js';

/**
 * The hazards a plan warns about, each drawn from a real incident (shared/incidents/README.md).
 * Every function returns nothing when the hazard is absent, so a healthy cluster shows no noise.
 * Messages: what will happen first, then why, then the way out.
 */

const podObj = (p: V1Pod) => objectRef('pod', p.metadata?.name ?? '', p.metadata?.namespace);
const nodeName = (n: V1Node) => n.metadata?.name ?? '';

/** emptyDir, hostPath and node-pinned PVs: lost with the pod, or the replacement cannot start elsewhere. */
export function localDataWarning(pods: readonly V1Pod[], view: Pick<ClusterView, 'pvcs' | 'pvs'>, node: string): PlanWarning | undefined {
  const lines: string[] = [];
  const objects: string[] = [];
  for (const p of pods) {
    const data = localDataOf(p, view, node);
    if (data.length === 0) continue;
    objects.push(podObj(p), ...data.flatMap((d) => d.objects));
    lines.push(`${nsName(p.metadata?.namespace, p.metadata?.name)} (${data.map((d) => d.detail).join(', ')})`);
  }
  if (lines.length === 0) return undefined;
  return {
    code: WarningCode.LocalData,
    severity: Severity.Danger,
    message: `Data on ${node} will be lost or stranded: emptyDir is deleted with its pod, hostPath and local volumes stay on ${node} and their pods cannot start elsewhere: ${listSome(lines)}. Copy the data off first.`,
    objects: [...new Set(objects)],
  };
}

/** Milliseconds the pod took from start to Ready last time, the best guess for its replacement. */
export function timeToReadyMs(pod: V1Pod): number | undefined {
  const start = pod.status?.startTime;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
  if (!start || !ready) return undefined;
  const ms = new Date(ready).getTime() - new Date(start).getTime();
  // Under a second means the record is not a real start (seeded, or Ready set with the start).
  return ms >= 1000 ? ms : undefined;
}

/** Assumed when a pod's own history says nothing (e.g. it became Ready before the kubelet recorded a start). */
export const DEFAULT_TIME_TO_READY_MS = 30_000;

/**
 * Workloads whose every ready replica is among `leaving`: they are down until a replacement is
 * Ready. Single-replica services are the usual case (incident 001); grouped per workload, each
 * with the way to avoid it that fits its case (downtime-advice.ts). Mirror pods (owned by their
 * Node) and DaemonSet pods are not replicas of anything that moves. `node`: the node a drain
 * empties, which the advice cordons first.
 */
export function downtimeWarning(leaving: readonly V1Pod[], view: Pick<ClusterView, 'pods' | 'replicaSets'>, where: string, options: { node?: string } = {}): PlanWarning | undefined {
  const byWorkload = new Map<string, { w: Workload; pods: V1Pod[] }>();
  for (const p of leaving) {
    if (!isPodReady(p) || isTerminating(p) || isMirrorPod(p)) continue;
    const w = workloadOf(p, view.replicaSets);
    if (!w || w.kind === 'DaemonSet' || w.kind === 'Node') continue;
    const k = workloadKey(w);
    byWorkload.set(k, { w, pods: [...(byWorkload.get(k)?.pods ?? []), p] });
  }
  if (byWorkload.size === 0) return undefined;
  const leavingUids = new Set(leaving.map((p) => p.metadata?.uid));
  const lines: string[] = [];
  const objects: string[] = [];
  for (const { w, pods } of byWorkload.values()) {
    const mine = view.pods.filter((p) => p.metadata?.namespace === w.namespace && sameWorkload(workloadOf(p, view.replicaSets), w));
    const readyElsewhere = mine.some((p) => !leavingUids.has(p.metadata?.uid) && isPodReady(p) && !isTerminating(p));
    if (readyElsewhere) continue;
    const ms = Math.max(...pods.map((p) => timeToReadyMs(p) ?? DEFAULT_TIME_TO_READY_MS));
    const count = pods.length === 1 ? 'its only ready replica' : `all ${pods.length} ready replicas`;
    const advice = downtimeAdvice({
      workload: w,
      replicas: Math.max(replicasOf(w, mine, view.replicaSets), pods.length),
      leaving: pods.length,
      spread: hostSpreadOf(pods[0]!),
      ...(options.node ? { node: options.node } : {}),
    });
    lines.push(`${w.kind.toLowerCase()} ${w.namespace}/${w.name} has ${count}${where ? ` ${where}` : ''}: down ~${formatDuration(ms)} until a replacement is Ready; ${advice}`);
    objects.push(objectRef(w.kind, w.name, w.namespace));
  }
  if (lines.length === 0) return undefined;
  return {
    code: WarningCode.SingleReplica,
    severity: Severity.Warning,
    message: `Downtime: ${lines.slice(0, 4).map((l, i) => (i === 0 ? l : l.charAt(0).toUpperCase() + l.slice(1))).join('. ')}${lines.length > 4 ? `. And ${lines.length - 4} more workloads` : ''}.`,
    objects,
  };
}

function sameWorkload(a: Workload | undefined, b: Workload): boolean {
  return Boolean(a && a.kind === b.kind && a.name === b.name && a.namespace === b.namespace);
}

/**
 * PDBs that will refuse evictions (429), predicted as the eviction registry decides
 * (kubernetes/kubernetes pkg/registry/core/pod/storage/eviction.go): a pod that is Pending,
 * finished or already terminating goes at once; a pod that is not Ready goes at once when the
 * budget is healthy (currentHealthy >= desiredHealthy > 0) or the PDB says
 * `unhealthyPodEvictionPolicy: AlwaysAllow`; every other eviction spends one allowed disruption.
 * When more evictions need budget than it allows, the drain waits; it waits for good when the
 * budget cannot recover by itself: fewer healthy pods than it needs (the default IfHealthyBudget
 * then refuses every eviction until they are fixed), or fewer pods than it needs at all. Each
 * blocking budget names its ways out.
 */
export function pdbWarning(targets: readonly V1Pod[], view: Pick<ClusterView, 'pdbs'>, node: string): PlanWarning | undefined {
  const lines: string[] = [];
  const objects: string[] = [];
  for (const c of pdbCoverage(targets, view.pdbs)) {
    const block = pdbBlock(c);
    if (!block) continue;
    lines.push(`PDB ${c.namespace}/${c.name} (${pdbRule(c.pdb)}) allows ${c.allowed} disruption${c.allowed === 1 ? '' : 's'} now (${c.currentHealthy} healthy, ${c.desiredHealthy} needed) and ${block.needBudget.length} of its pods on ${node} need one: ${block.outcome}`);
    objects.push(objectRef('poddisruptionbudget', c.name, c.namespace), ...block.needBudget.map(podObj));
  }
  const multi = targets.filter((p) => pdbsCovering(p, view.pdbs).length > 1);
  if (multi.length) {
    lines.push(`${listSome(multi.map((p) => nsName(p.metadata?.namespace, p.metadata?.name)))} ${multi.length === 1 ? 'is' : 'are'} covered by more than one PDB, which the eviction API refuses`);
    objects.push(...multi.map(podObj));
  }
  if (lines.length === 0) return undefined;
  return { code: WarningCode.PdbBlocks, severity: Severity.Warning, message: `Drain will wait: ${lines.join('; ')}.`, objects: [...new Set(objects)] };
}

/** eviction.go canIgnorePDB: finished, not yet running, or already going. */
function evictsWithoutBudget(p: V1Pod): boolean {
  const phase = p.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || isTerminating(p);
}

/** Why a budget will hold the drain's evictions, and for how long; undefined when it allows them all. */
function pdbBlock(c: PdbCoverage): { needBudget: V1Pod[]; outcome: string } | undefined {
  const alwaysAllow = c.pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow';
  const budgetHealthy = c.currentHealthy >= c.desiredHealthy && c.desiredHealthy > 0;
  const needBudget = c.covered.filter((p) => !evictsWithoutBudget(p) && (isPodReady(p) || !(alwaysAllow || budgetHealthy)));
  if (needBudget.length <= c.allowed) return undefined;
  const unready = needBudget.filter((p) => !isPodReady(p));
  const fixes: string[] = [];
  if (unready.length && !alwaysAllow) fixes.push('`unhealthyPodEvictionPolicy: AlwaysAllow` on the PDB (lets pods that are not Ready go)');
  fixes.push('`--disable-eviction` (deletes the pods, bypassing the PDB)');
  if (c.currentHealthy < c.desiredHealthy) {
    fixes.push(`get its ${c.desiredHealthy - c.currentHealthy} missing pod${c.desiredHealthy - c.currentHealthy === 1 ? '' : 's'} Ready`);
    return {
      needBudget,
      outcome: `it has fewer healthy pods than it needs, so with unhealthyPodEvictionPolicy ${alwaysAllow ? 'AlwaysAllow' : 'IfHealthyBudget (the default)'} it refuses ${unready.length === needBudget.length ? 'their' : 'every'} eviction and the drain blocks until --timeout. Ways out: ${fixes.join(', ')}`,
    };
  }
  if (c.expectedPods > 0 && c.expectedPods <= c.desiredHealthy) {
    fixes.push('scale up or relax the PDB first');
    return { needBudget, outcome: `it can never allow them all (${c.expectedPods} pods, ${c.desiredHealthy} needed), so the drain blocks until --timeout. Ways out: ${fixes.join(', ')}` };
  }
  return { needBudget, outcome: 'evictions wait until replacements are Ready' };
}

/** Pods that will stay Pending because no other node has room (incident 002: the next node fell over too). */
export function capacityWarnings(result: PlacementResult, node: string): PlanWarning[] {
  const out: PlanWarning[] = [];
  if (result.unplaced.length) {
    const lines = result.unplaced.map((u) => `${nsName(u.pod.metadata?.namespace, u.pod.metadata?.name)} (${u.reason})`);
    out.push({
      code: WarningCode.CapacityShortfall,
      severity: Severity.Danger,
      message: `${result.unplaced.length} pod${result.unplaced.length === 1 ? '' : 's'} will stay Pending after leaving ${node}: ${listSome(lines, 4)}. Add capacity or scale something down first.`,
      objects: result.unplaced.map((u) => podObj(u.pod)),
    });
  }
  const over: string[] = [];
  const objects: string[] = [];
  for (const f of result.fill) {
    const before = fillRatio(f.before, f.allocatable);
    const after = fillRatio(f.after, f.allocatable);
    const pushed = (['cpu', 'memory'] as const).filter((r) => after[r] > 0.9 && before[r] <= 0.9);
    if (pushed.length === 0) continue;
    over.push(pushed.map((r) => `${f.node} ${r} ${Math.round(before[r] * 100)}% -> ${Math.round(after[r] * 100)}%`).join(', '));
    objects.push(objectRef('node', f.node));
  }
  if (over.length) {
    out.push({
      code: WarningCode.NodeOverCommit,
      severity: Severity.Warning,
      message: `Nodes pushed over 90% of allocatable by the moved pods (requests): ${listSome(over)}. One more failure there and pods stop fitting.`,
      objects,
    });
  }
  return out;
}

/**
 * Where the pods that leave `node` can go, as warnings: none of them anywhere (the last
 * schedulable node), or those that stay Pending and the nodes pushed over 90% (capacity.ts replays
 * the scheduler; a pod whose volume is pinned to `node` cannot move at all).
 */
export function movedPodsWarnings(view: ClusterView, moving: readonly V1Pod[], node: string): PlanWarning[] {
  const placement = simulatePlacement(view, moving, {
    exclude: [node],
    cannotMove: (p) => {
      const pinned = podClaims(p, view).find((c) => c.pv && pvPinnedTo(c.pv, node));
      return pinned ? `its volume ${pinned.pv?.metadata?.name} is pinned to ${node}` : undefined;
    },
  });
  const last = lastSchedulableWarning(placement, node, moving.length);
  return last ? [last] : capacityWarnings(placement, node);
}

/** No other Ready, schedulable node: everything that leaves stays Pending (incident 000: single node). */
export function lastSchedulableWarning(result: Pick<PlacementResult, 'destinations'>, node: string, leaving: number): PlanWarning | undefined {
  if (result.destinations.length > 0) return undefined;
  const tail = leaving > 0 ? ` The ${leaving} evicted pod${leaving === 1 ? '' : 's'} will stay Pending.` : ' Nothing new can be scheduled anywhere until it is uncordoned.';
  return {
    code: WarningCode.LastSchedulableNode,
    severity: Severity.Danger,
    message: `${node} is the last Ready, schedulable node: once it is cordoned no pod can be placed.${tail}`,
    objects: [objectRef('node', node)],
  };
}

export function controlPlaneWarning(node: V1Node): PlanWarning | undefined {
  if (!isControlPlane(node)) return undefined;
  return {
    code: WarningCode.ControlPlaneNode,
    severity: Severity.Warning,
    message: `${nodeName(node)} is a control-plane node: its static API server, etcd and scheduler keep running, but add-ons moved off it may have nowhere to go. Check etcd health and keep a snapshot first.`,
    objects: [objectRef('node', nodeName(node))],
  };
}

export function staticPodsWarning(pods: readonly V1Pod[], node: string): PlanWarning | undefined {
  const mirrors = pods.filter(isMirrorPod);
  if (mirrors.length === 0) return undefined;
  return {
    code: WarningCode.StaticPods,
    severity: Severity.Info,
    message: `${mirrors.length} static pod${mirrors.length === 1 ? '' : 's'} stay on ${node} (${listSome(mirrors.map((p) => p.metadata?.name ?? ''))}): drain does not move them; they stop only when the kubelet on ${node} stops.`,
    objects: mirrors.map(podObj),
  };
}

/**
 * A force delete of a pod on a NotReady node does not detach its ReadWriteOnce volume: the
 * VolumeAttachment stays and the replacement fails with Multi-Attach (incident 003).
 */
export function rwoMultiAttachWarning(pods: readonly V1Pod[], view: Pick<ClusterView, 'pvcs' | 'pvs' | 'attachments'>, node: V1Node): PlanWarning | undefined {
  if (isNodeReady(node)) return undefined;
  const name = nodeName(node);
  const lines: string[] = [];
  const objects: string[] = [];
  for (const p of pods) {
    const rwo = rwoAttachmentsOf(p, view, name);
    if (rwo.length === 0) continue;
    lines.push(`${nsName(p.metadata?.namespace, p.metadata?.name)} (PVC ${rwo.map((r) => `${r.pvc} -> PV ${r.pv}, VolumeAttachment ${r.attachment}`).join('; ')})`);
    objects.push(podObj(p), ...rwo.flatMap((r) => [objectRef('persistentvolumeclaim', r.pvc, p.metadata?.namespace), objectRef('persistentvolume', r.pv), objectRef('volumeattachment', r.attachment)]));
  }
  if (lines.length === 0) return undefined;
  return {
    code: WarningCode.RwoMultiAttach,
    severity: Severity.Danger,
    message:
      `Multi-Attach risk: ${listSome(lines, 3)} on NotReady ${name} hold ReadWriteOnce volumes still attached there. Deleting the pod does not detach them; the replacement will fail with Multi-Attach until the VolumeAttachment is removed. ` +
      `Once ${name} is surely powered off, \`/k8s fence ${name}\` force-deletes its pods and detaches the volumes; never force anything while it may still run.`,
    objects,
  };
}

/** NotReady: pods there never finish terminating (drain, delete), or never start (uncordon). */
export function nodeNotReadyWarning(node: V1Node, consequence: string): PlanWarning | undefined {
  if (isNodeReady(node)) return undefined;
  const ready = nodeCondition(node, 'Ready') ?? 'Unknown';
  return {
    code: WarningCode.NodeNotReady,
    severity: Severity.Warning,
    message: `${nodeName(node)} is NotReady (Ready=${ready}): ${consequence}`,
    objects: [objectRef('node', nodeName(node))],
  };
}

const PRESSURES = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export function nodePressureWarning(node: V1Node, consequence: string): PlanWarning | undefined {
  const on = PRESSURES.filter((t) => nodeCondition(node, t) === 'True');
  if (on.length === 0) return undefined;
  return {
    code: WarningCode.NodePressure,
    severity: Severity.Warning,
    message: `${nodeName(node)} reports ${on.join(', ')}: ${consequence}`,
    objects: [objectRef('node', nodeName(node))],
  };
}

/** Pods with no controller are gone for good once evicted or deleted. */
export function barePodsWarning(pods: readonly V1Pod[]): PlanWarning | undefined {
  const bare = pods.filter((p) => !controllerOf(p) && !isMirrorPod(p));
  if (bare.length === 0) return undefined;
  return {
    code: WarningCode.BarePods,
    severity: Severity.Warning,
    message: `${listSome(bare.map((p) => nsName(p.metadata?.namespace, p.metadata?.name)))} ${bare.length === 1 ? 'has' : 'have'} no controller: once removed nothing recreates ${bare.length === 1 ? 'it' : 'them'}. Save the manifest if it is needed again (sitrep keeps a backup).`,
    objects: bare.map(podObj),
  };
}
