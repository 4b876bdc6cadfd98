import type { V1Node, V1Pod, V1VolumeAttachment } from '@kubernetes/client-node';
import { formatDuration } from '../../src/core/duration.js';
import { Severity, WarningCode, type Plan, type PlanAction, type PlanWarning } from '../../src/core/plan.js';
import type { FenceArgs } from '../../src/core/verbs/index.js';
import { findNode, loadClusterView, podsOnNode, type ClusterView } from '../../src/k8s/cluster-view.js';
import { lastHeartbeat, NODE_LEASE_NAMESPACE, type NodeHeartbeat } from '../../src/k8s/node-heartbeat.js';
import { nodeNotFound } from '../../src/k8s/not-found.js';
import { listSome, nsName, objectRef } from '../../src/k8s/object-ref.js';
import { bootIdOf, OUT_OF_SERVICE_TAINT, OUT_OF_SERVICE_TEXT, outOfServiceTaint } from '../../src/k8s/out-of-service.js';
import { workloadLabel, workloadOf } from '../../src/k8s/owners.js';
import { barePodsWarning, localDataWarning, movedPodsWarnings } from '../../src/k8s/plan-warnings.js';
import { controllerOf, isPodReady, isTerminal, isTerminating, nodeCondition, podStatusText } from '../../src/k8s/pod-facts.js';
import { toleratesForever } from '../../src/k8s/tolerations.js';
import type { JobContext } from '../job-context.js';
import { buildPlan } from './operation.js';
import { podTarget } from './drain-analysis.js';

/**
 * A workload whose pod the fence removes, and how to tell it is whole again: a StatefulSet's pod
 * comes back under the same name (a new UID) once the old one is gone; a ReplicaSet's pods count
 * until it has its replicas Ready. Plain JSON: kept in a checkpoint so a resumed run follows the
 * same ones.
 */
export interface Replacement {
  namespace: string;
  /** `statefulset db/postgres` or `deployment shop/web`, for people. */
  label: string;
  /** The controller's UID: pods it owns count. */
  controllerUid: string;
  /** StatefulSet: the pod name that must come back Ready elsewhere; the old pod's UID does not count. */
  podName?: string;
  oldUid?: string;
  /** ReplicaSet: how many Ready pods it wants (spec.replicas). */
  want?: number;
}

/** What a fence follows once the taint is on: pods to go, attachments to go, replacements to be Ready. */
export interface FenceFollow {
  pods: { uid: string; ref: string; namespace: string; name: string }[];
  attachments: { uid: string; ref: string; name: string; pv: string }[];
  replacements: Replacement[];
}

/** A fence plan with what execution needs from the same read of the cluster. */
export interface FenceAnalysis {
  plan: Plan;
  view: ClusterView;
  node: V1Node;
  heartbeat: NodeHeartbeat;
  /** Pods the pod GC force-deletes once the node is out of service. */
  going: V1Pod[];
  attachments: V1VolumeAttachment[];
  follow: FenceFollow;
}

/**
 * Whether the out-of-service taint removes the pod: terminating pods are force-deleted by the pod
 * GC (gc_controller.go gcTerminating); running ones are evicted by the taint eviction controller
 * first unless they tolerate the taint for good (pkg/controller/tainteviction: a toleration with
 * tolerationSeconds only delays it). Finished pods are records, not workloads.
 */
function goes(pod: V1Pod): boolean {
  if (isTerminating(pod)) return true;
  if (isTerminal(pod)) return false;
  return !toleratesForever(pod.spec?.tolerations ?? [], OUT_OF_SERVICE_TAINT);
}

/** `within 5m`, `over 5m ago`, `never`: how a heartbeat stands against the grace, stable while nothing changes. */
function heartbeatBucket(hb: NodeHeartbeat, graceMs: number, now: number): string {
  if (hb.at === undefined) return 'never';
  return now - hb.at < graceMs ? `within ${formatDuration(graceMs)}` : `over ${formatDuration(graceMs)} ago`;
}

function heartbeatText(hb: NodeHeartbeat, name: string, now: number): string {
  if (hb.at === undefined) return 'no heartbeat on record';
  const from = hb.from === 'lease' ? `its Lease ${NODE_LEASE_NAMESPACE}/${name}` : 'its Ready condition';
  return `last heartbeat ${formatDuration(Math.max(0, now - hb.at))} ago, from ${from}`;
}

/**
 * Reads the cluster (LISTs and one GET of the node's Lease) and works out what fencing the node
 * means: which pods go, which volume attachments go and which pods wait on them, which workloads
 * must come back, and whether the node may still be alive. Used by plan() and again by execute().
 */
export async function analyzeFence(ctx: JobContext, args: FenceArgs): Promise<FenceAnalysis> {
  const name = args.node;
  const view = await loadClusterView(ctx.kube, { focus: (pods) => pods.filter((p) => p.spec?.nodeName === name), storage: true, signal: ctx.signal });
  const node = findNode(view, name);
  if (!node) throw nodeNotFound(name, view.nodes, ctx.cluster);
  const heartbeat = await lastHeartbeat(ctx.kube, node, ctx.signal);
  const now = ctx.clock.now();
  const onNode = podsOnNode(view, name);
  const going = onNode.filter(goes);
  const staying = onNode.filter((p) => !goes(p));
  const attachments = view.attachments.filter((a) => a.spec?.nodeName === name);
  const ready = nodeCondition(node, 'Ready') ?? 'Unknown';
  const fenced = outOfServiceTaint(node);
  const recent = heartbeat.at !== undefined && now - heartbeat.at < args.heartbeatGraceMs;

  const actions: PlanAction[] = [];
  if (!fenced) actions.push({ kind: 'taint', target: objectRef('node', name), detail: OUT_OF_SERVICE_TEXT });
  for (const p of going) {
    const w = workloadOf(p, view.replicaSets);
    actions.push({
      kind: 'delete',
      target: podTarget(p),
      ...(p.metadata?.uid ? { uid: p.metadata.uid } : {}),
      ...(w ? { owner: workloadLabel(w) } : {}),
      detail: `force-deleted by the pod GC${isTerminating(p) ? ' (stuck Terminating)' : ' (evicted by the taint first)'}`,
    });
  }
  // By claim, so the same cluster always reads the same (attachment names are hashes).
  const volumes = attachments.map((a) => volumeOf(view, a, name)).sort((a, b) => (a.claim ?? a.pv).localeCompare(b.claim ?? b.pv));
  for (const v of volumes) {
    actions.push({
      kind: 'detach',
      target: objectRef('volumeattachment', v.attachment.metadata?.name ?? ''),
      ...(v.attachment.metadata?.uid ? { uid: v.attachment.metadata.uid } : {}),
      detail: `PV ${v.pv}${v.claim ? ` (PVC ${v.claim})` : ''}${v.waiting.length ? `; waited on by ${listSome(v.waiting.map((p) => nsName(p.metadata?.namespace, p.metadata?.name)), 3)}` : ''}`,
    });
  }

  const state = `Ready=${ready}, ${heartbeatText(heartbeat, name, now)}`;
  const refusal: Plan['refusal'] =
    recent && !args.ignoreHeartbeat
      ? {
          message: `${name} heartbeated within ${formatDuration(args.heartbeatGraceMs)} (${state}): its kubelet may still run. Fencing a running node lets its pods run twice on the same volumes. Check that it is powered off; the refusal lifts once it has been silent for ${formatDuration(args.heartbeatGraceMs)}.`,
          flag: '--ignore-heartbeat',
        }
      : undefined;
  const n = going.length;
  const summary = fenced
    ? `${name} is already out of service (${state}): the pod GC is removing ${n} pod${n === 1 ? '' : 's'}; ${attachments.length} volume attachment${attachments.length === 1 ? '' : 's'} still there`
    : `Fence ${name} (${state}): taint it ${OUT_OF_SERVICE_TEXT}; its ${n} pod${n === 1 ? ' is' : 's are'} force-deleted and ${attachments.length} volume${attachments.length === 1 ? '' : 's'} detached`;

  const plan = buildPlan(ctx, {
    verb: 'fence',
    target: objectRef('node', name),
    summary,
    actions,
    skipped: staying.map((p) => ({ target: podTarget(p), reason: isTerminal(p) ? 'finished: a record, not running' : `tolerates ${OUT_OF_SERVICE_TAINT.key}: stays until unfenced` })),
    warnings: fenceWarnings(view, node, going, volumes, state, recent),
    ...(refusal ? { refusal } : {}),
    // What the approver saw of the node: a heartbeat since, another boot or another Ready status is another plan.
    facts: {
      [`Ready node/${name}`]: ready,
      [`heartbeat node/${name}`]: heartbeatBucket(heartbeat, args.heartbeatGraceMs, now),
      [`bootID node/${name}`]: bootIdOf(node) ?? 'unknown',
    },
    confirm: `Only approve if ${name} is powered off (or cut off from its storage). Fencing a machine that still runs lets its pods run twice on the same ReadWriteOnce volumes and corrupts their data.`,
    fixed: { node: name, ...(bootIdOf(node) ? { bootId: bootIdOf(node)! } : {}) },
  });
  return { plan, view, node, heartbeat, going, attachments, follow: followOf(view, name, going, attachments) };
}

/** A volume attached to the fenced node: its PV and claim, the pods on the node that hold it, the pods elsewhere waiting for it. */
interface AttachedVolume {
  attachment: V1VolumeAttachment;
  pv: string;
  claim?: string;
  holders: V1Pod[];
  waiting: V1Pod[];
}

function volumeOf(view: ClusterView, attachment: V1VolumeAttachment, node: string): AttachedVolume {
  const pv = attachment.spec?.source?.persistentVolumeName ?? '?';
  const pvc = view.pvcs.find((c) => c.spec?.volumeName === pv);
  if (!pvc) return { attachment, pv, holders: [], waiting: [] };
  const ns = pvc.metadata?.namespace;
  const claim = pvc.metadata?.name;
  const mounting = view.pods.filter((p) => p.metadata?.namespace === ns && !isTerminal(p) && (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim));
  return {
    attachment,
    pv,
    claim: `${ns}/${claim}`,
    holders: mounting.filter((p) => p.spec?.nodeName === node),
    // Multi-Attach: a pod elsewhere that mounts the claim and is not running yet.
    waiting: mounting.filter((p) => p.spec?.nodeName !== node && !isTerminating(p) && !isPodReady(p)),
  };
}

/** Each volume the fence frees, for the card: the pod that held it and who waits for it. */
function volumesWarning(volumes: AttachedVolume[], node: string): PlanWarning | undefined {
  if (volumes.length === 0) return undefined;
  const pod = (p: V1Pod) => nsName(p.metadata?.namespace, p.metadata?.name);
  const lines = volumes.map((v) => {
    const held = v.holders.length ? ` held by ${listSome(v.holders.map(pod), 3)}` : '';
    const waiting = v.waiting.length ? `; ${listSome(v.waiting.map((p) => `${pod(p)} (${podStatusText(p)})`), 3)} ${v.waiting.length === 1 ? 'waits' : 'wait'} for it` : '';
    return `${v.claim ? `PVC ${v.claim}` : `PV ${v.pv}`}${held}${waiting}`;
  });
  return {
    code: WarningCode.VolumesDetach,
    severity: Severity.Info,
    message: `Volumes detached from ${node}: ${lines.join('; ')}. Their replacements attach them elsewhere once the old pods are gone.`,
    objects: volumes.flatMap((v) => [objectRef('volumeattachment', v.attachment.metadata?.name ?? ''), ...v.waiting.map(podTarget)]),
  };
}

function fenceWarnings(view: ClusterView, node: V1Node, going: V1Pod[], volumes: AttachedVolume[], state: string, recent: boolean): PlanWarning[] {
  const name = node.metadata?.name ?? '';
  const alive = recent ? ` It heartbeated recently: only go on if you know the machine is off.` : '';
  const moving = going.filter((p) => {
    const c = controllerOf(p);
    // A ReplicaSet already replaced its terminating pods; a StatefulSet waits for the old one to go.
    return c && c.kind !== 'DaemonSet' && (c.kind === 'StatefulSet' || !isTerminating(p));
  });
  const w: (PlanWarning | undefined)[] = [
    {
      code: WarningCode.NodeMayBeRunning,
      severity: Severity.Danger,
      message:
        `Fencing is only safe if ${name} is powered off (${state}). Its pods are force-deleted without its kubelet confirming they stopped, and their ReadWriteOnce volumes are detached and attached elsewhere: ` +
        `if ${name} still runs, the old and new pods write to the same volume and corrupt it.${alive}`,
      objects: [objectRef('node', name)],
    },
    volumesWarning(volumes, name),
    localDataWarning(going, view, name),
    barePodsWarning(going),
    ...movedPodsWarnings(view, moving, name),
  ];
  return w.filter((x): x is PlanWarning => x !== undefined);
}

/** What the run follows, from the same read as the plan. */
function followOf(view: ClusterView, node: string, going: V1Pod[], attachments: V1VolumeAttachment[]): FenceFollow {
  const replacements = new Map<string, Replacement>();
  for (const p of going) {
    const c = controllerOf(p);
    const ns = p.metadata?.namespace ?? '';
    if (!c || c.kind === 'DaemonSet') continue;
    const w = workloadOf(p, view.replicaSets);
    const label = w ? `${w.kind.toLowerCase()} ${w.namespace}/${w.name}` : `${c.kind.toLowerCase()} ${ns}/${c.name}`;
    if (c.kind === 'StatefulSet') {
      replacements.set(`${c.uid}/${p.metadata?.name}`, { namespace: ns, label, controllerUid: c.uid, podName: p.metadata?.name ?? '', oldUid: p.metadata?.uid ?? '' });
    } else if (c.kind === 'ReplicaSet') {
      const rs = view.replicaSets.find((r) => r.metadata?.uid === c.uid);
      replacements.set(c.uid, { namespace: ns, label, controllerUid: c.uid, want: rs?.spec?.replicas ?? 1 });
    }
  }
  return {
    pods: going.map((p) => ({ uid: p.metadata?.uid ?? '', ref: podTarget(p), namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '' })),
    attachments: attachments.map((a) => ({ uid: a.metadata?.uid ?? '', ref: objectRef('volumeattachment', a.metadata?.name ?? ''), name: a.metadata?.name ?? '', pv: a.spec?.source?.persistentVolumeName ?? '' })),
    replacements: [...replacements.values()],
  };
}
