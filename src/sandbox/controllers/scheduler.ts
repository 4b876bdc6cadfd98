import { parseBytes, parseCpu } from '../../core/quantity.js';
import type { KObject, StoreEvent } from '../store.js';
import { idOf } from './cache.js';
import type { Controller, ControllerContext } from './context.js';
import { EventType } from './events.js';
import { condition, isNodeReady, isTerminal, nodeReadyStatus, podHostPorts, podRequests, setCondition, writable } from './pod-util.js';
import { podMatchesNodeAffinity, tolerates, untoleratedTaint, type Taint } from './selectors.js';
import { boundVolume, isWaitForFirstConsumer, podClaimNames, volumeFitsNode, volumeMatchesClaim } from './storage-util.js';

const COMPONENT = 'default-scheduler';
// The scheduler scores pods without requests as if they asked for this much (non-zero defaults).
const DEFAULT_CPU = 100;
const DEFAULT_MEMORY = 200 * 2 ** 20;

interface NodeInfo {
  node: KObject;
  cpu: number;
  memory: number;
  pods: number;
  allocCpu: number;
  allocMemory: number;
  allocPods: number;
  scoreCpu: number;
  scoreMemory: number;
  ports: Set<string>;
}

/** Why nothing fits: one line per filter outcome, as the real FitError counts them. */
interface Verdict {
  /** Reason strings, counted per node. */
  reasons: Map<string, number>;
  /** Nodes failing only on resources (preemption might help in principle). */
  resourceOnly: number;
}

export function isSchedulable(pod: KObject): boolean {
  return !pod.spec?.nodeName && !pod.metadata.deletionTimestamp && !isTerminal(pod)
    && (pod.spec?.schedulerName ?? COMPONENT) === COMPONENT;
}

/**
 * kube-scheduler, reduced to its default filters (NodeUnschedulable, TaintToleration, NodeAffinity,
 * NodePorts, NodeResourcesFit, VolumeBinding) and a least-allocated score with a name tie-break,
 * so placement is deterministic. Pods that fit nowhere wait and are retried when nodes or pods
 * change.
 */
export function createScheduler(ctx: ControllerContext): Controller {
  const waiting = new Set<string>();
  const lastFailure = new Map<string, string>();
  const self: Controller = {
    name: 'scheduler',
    resync() {
      for (const p of ctx.cache.all('pods')) if (isSchedulable(p)) ctx.loop.enqueue(self, idOf(p));
    },
    onEvent(e: StoreEvent) {
      if (e.key === 'pods') {
        const id = idOf(e.object);
        if (e.type !== 'DELETED' && isSchedulable(e.object)) {
          if (!waiting.has(id) || e.type === 'ADDED') ctx.loop.enqueue(self, id);
          return;
        }
        if (waiting.delete(id)) lastFailure.delete(id);
        // Capacity freed: a pod left a node or stopped counting against it.
        const prevNode = e.previous?.spec?.nodeName;
        if (prevNode && (e.type === 'DELETED' || isTerminal(e.object) && !isTerminal(e.previous!))) retryAll();
      } else if (e.key === 'nodes' || e.key === 'persistentvolumeclaims' || e.key === 'persistentvolumes') {
        if (e.key === 'nodes' && e.type === 'MODIFIED' && !schedulingRelevantChange(e.previous!, e.object)) return;
        retryAll();
      }
    },
    sync(ids: string[]) {
      const pods = ids.map((id) => ctx.cache.get('pods', id)).filter((p): p is KObject => !!p && isSchedulable(p));
      if (!pods.length) return;
      pods.sort((a, b) => (b.spec?.priority ?? 0) - (a.spec?.priority ?? 0)
        || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '')
        || a.metadata.name.localeCompare(b.metadata.name));
      const infos = buildNodeInfos(ctx);
      for (const pod of pods) schedule(pod, infos);
    },
  };

  function retryAll(): void {
    for (const id of waiting) ctx.loop.enqueue(self, id);
  }

  function schedule(pod: KObject, infos: NodeInfo[]): void {
    const id = idOf(pod);
    const req = podRequests(pod);
    const ports = podHostPorts(pod);
    const pre = preFilter(pod);
    let best: NodeInfo | undefined;
    let bestScore = Infinity;
    const verdict: Verdict = { reasons: new Map(), resourceOnly: 0 };
    if (pre === undefined) {
      for (const info of infos) {
        const fail = filter(pod, req, ports, info);
        if (fail.length) {
          for (const r of fail) verdict.reasons.set(r, (verdict.reasons.get(r) ?? 0) + 1);
          if (fail.every((r) => r.startsWith('Insufficient') || r === 'Too many pods')) verdict.resourceOnly++;
          continue;
        }
        const score = leastAllocatedScore(info, req);
        if (score < bestScore || (score === bestScore && best && info.node.metadata.name < best.node.metadata.name)) {
          best = info;
          bestScore = score;
        }
      }
    }
    if (best) {
      bind(pod, best, req, ports);
      waiting.delete(id);
      lastFailure.delete(id);
      return;
    }
    waiting.add(id);
    const message = failureMessage(infos.length, pre, verdict);
    if (lastFailure.get(id) === message && condition(pod, 'PodScheduled')?.message === message) return;
    lastFailure.set(id, message);
    const next = writable(pod);
    setCondition(next, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null });
    next.status.phase ??= 'Pending';
    ctx.store.update('pods', next);
    // kube-scheduler records with the events.k8s.io recorder: repeats become a series.
    ctx.events.recordSeries(COMPONENT, `${COMPONENT}-sandbox`, pod, EventType.Warning, 'FailedScheduling', 'Scheduling', message);
  }

  /** Failures that concern the pod, not a node: missing or unbound claims. */
  function preFilter(pod: KObject): string | undefined {
    for (const claim of podClaimNames(pod)) {
      const pvc = ctx.cache.getNs('persistentvolumeclaims', pod.metadata.namespace, claim);
      if (!pvc) return `persistentvolumeclaim "${claim}" not found`;
      if (pvc.metadata.deletionTimestamp) return `persistentvolumeclaim "${claim}" is being deleted`;
      if (!pvc.spec?.volumeName && !isWaitForFirstConsumer(pvc)) return 'pod has unbound immediate PersistentVolumeClaims';
    }
    return undefined;
  }

  function filter(pod: KObject, req: { cpu: number; memory: number }, ports: string[], info: NodeInfo): string[] {
    const node = info.node;
    const tolerations = pod.spec?.tolerations;
    if (node.spec?.unschedulable && !tolerates(tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) {
      return ['node(s) were unschedulable'];
    }
    const taint = untoleratedTaint(tolerations, effectiveTaints(node));
    if (taint) return [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`];
    if (!podMatchesNodeAffinity(pod, node)) return ["node(s) didn't match Pod's node affinity/selector"];
    if (ports.some((p) => info.ports.has(p))) return ["node(s) didn't have free ports for the requested pod ports"];
    const fit: string[] = [];
    if (info.pods + 1 > info.allocPods) fit.push('Too many pods');
    if (req.cpu > 0 && info.cpu + req.cpu > info.allocCpu) fit.push('Insufficient cpu');
    if (req.memory > 0 && info.memory + req.memory > info.allocMemory) fit.push('Insufficient memory');
    if (fit.length) return fit;
    for (const claim of podClaimNames(pod)) {
      const pvc = ctx.cache.getNs('persistentvolumeclaims', pod.metadata.namespace, claim)!;
      const pv = boundVolume(ctx.cache, pvc);
      if (pv) {
        if (!volumeFitsNode(pv, node)) return ['node(s) had volume node affinity conflict'];
      } else if (!findLocalVolume(pvc, node)) {
        return ["node(s) didn't find available persistent volumes to bind"];
      }
    }
    return [];
  }

  function findLocalVolume(pvc: KObject, node: KObject): KObject | undefined {
    let best: KObject | undefined;
    for (const pv of ctx.cache.all('persistentvolumes')) {
      if (pv.spec?.claimRef && pv.spec.claimRef.uid !== pvc.metadata.uid) continue;
      if (!volumeMatchesClaim(pv, pvc) || !volumeFitsNode(pv, node)) continue;
      if (!best || parseBytes(pv.spec?.capacity?.storage) < parseBytes(best.spec?.capacity?.storage)) best = pv;
    }
    return best;
  }

  function bind(pod: KObject, info: NodeInfo, req: { cpu: number; memory: number }, ports: string[]): void {
    const nodeName = info.node.metadata.name;
    // WaitForFirstConsumer claims are bound to a volume on the chosen node before the pod is.
    for (const claim of podClaimNames(pod)) {
      const pvc = ctx.cache.getNs('persistentvolumeclaims', pod.metadata.namespace, claim);
      if (!pvc || pvc.spec?.volumeName) continue;
      const pv = findLocalVolume(pvc, info.node);
      if (pv) bindClaim(ctx, pvc, pv);
    }
    const next = writable(pod);
    next.spec = { ...pod.spec, nodeName };
    setCondition(next, { type: 'PodScheduled', status: 'True', reason: undefined, message: undefined, lastProbeTime: null });
    next.status.phase ??= 'Pending';
    ctx.store.update('pods', next);
    info.cpu += req.cpu;
    info.memory += req.memory;
    info.pods += 1;
    info.scoreCpu += req.cpu || DEFAULT_CPU;
    info.scoreMemory += req.memory || DEFAULT_MEMORY;
    for (const p of ports) info.ports.add(p);
    ctx.events.recordSeries(COMPONENT, `${COMPONENT}-sandbox`, pod, EventType.Normal, 'Scheduled', 'Binding', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`);
  }

  return self;
}

/** Binds a claim and a volume to each other, as the PV controller does. */
export function bindClaim(ctx: ControllerContext, pvc: KObject, pv: KObject): void {
  ctx.store.mutate('persistentvolumes', undefined, pv.metadata.name, (v) => {
    v.spec.claimRef = { kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion };
    v.status = { ...v.status, phase: 'Bound' };
  });
  ctx.store.mutate('persistentvolumeclaims', pvc.metadata.namespace, pvc.metadata.name, (c) => {
    c.spec.volumeName = pv.metadata.name;
    c.metadata.annotations = { ...c.metadata.annotations, 'pv.kubernetes.io/bind-completed': 'yes' };
    c.status = { phase: 'Bound', accessModes: pv.spec.accessModes, capacity: { storage: pv.spec.capacity?.storage } };
  });
}

/** A node's taints plus the ones the node lifecycle controller is about to add for a bad Ready condition. */
export function effectiveTaints(node: KObject): Taint[] {
  const taints: Taint[] = node.spec?.taints ?? [];
  if (isNodeReady(node)) return taints;
  const key = nodeReadyStatus(node) === 'Unknown' ? 'node.kubernetes.io/unreachable' : 'node.kubernetes.io/not-ready';
  return taints.some((t) => t.key === key && t.effect === 'NoSchedule') ? taints : [...taints, { key, effect: 'NoSchedule' }];
}

function schedulingRelevantChange(a: KObject, b: KObject): boolean {
  return JSON.stringify([a.spec, a.metadata.labels, a.status?.allocatable, nodeReadyStatus(a)])
    !== JSON.stringify([b.spec, b.metadata.labels, b.status?.allocatable, nodeReadyStatus(b)]);
}

function buildNodeInfos(ctx: ControllerContext): NodeInfo[] {
  const infos: NodeInfo[] = [];
  for (const node of ctx.cache.all('nodes')) {
    const info: NodeInfo = {
      node,
      cpu: 0,
      memory: 0,
      pods: 0,
      allocCpu: parseCpu(node.status?.allocatable?.cpu ?? node.status?.capacity?.cpu),
      allocMemory: parseBytes(node.status?.allocatable?.memory ?? node.status?.capacity?.memory),
      allocPods: Number(node.status?.allocatable?.pods ?? node.status?.capacity?.pods ?? 110),
      scoreCpu: 0,
      scoreMemory: 0,
      ports: new Set(),
    };
    for (const p of ctx.cache.podsOnNode(node.metadata.name)) {
      if (isTerminal(p)) continue;
      const r = podRequests(p);
      info.cpu += r.cpu;
      info.memory += r.memory;
      info.pods++;
      info.scoreCpu += r.cpu || DEFAULT_CPU;
      info.scoreMemory += r.memory || DEFAULT_MEMORY;
      for (const port of podHostPorts(p)) info.ports.add(port);
    }
    infos.push(info);
  }
  infos.sort((a, b) => a.node.metadata.name.localeCompare(b.node.metadata.name));
  return infos;
}

function leastAllocatedScore(info: NodeInfo, req: { cpu: number; memory: number }): number {
  const cpu = info.allocCpu ? (info.scoreCpu + (req.cpu || DEFAULT_CPU)) / info.allocCpu : 1;
  const mem = info.allocMemory ? (info.scoreMemory + (req.memory || DEFAULT_MEMORY)) / info.allocMemory : 1;
  return Math.round(((cpu + mem) / 2) * 1e6) / 1e6;
}

/** The FailedScheduling text, in the real scheduler's shape (reasons counted, then sorted). */
function failureMessage(nodes: number, pre: string | undefined, v: Verdict): string {
  if (nodes === 0) return 'no nodes available to schedule pods';
  const head = `0/${nodes} nodes are available`;
  let msg: string;
  let preemption: string[];
  if (pre !== undefined) {
    msg = `${head}: ${pre}.`;
    preemption = [`${nodes} Preemption is not helpful for scheduling`];
  } else {
    const parts = [...v.reasons].map(([r, n]) => `${n} ${r}`).sort();
    msg = `${head}: ${parts.join(', ')}.`;
    preemption = [];
    if (v.resourceOnly) preemption.push(`${v.resourceOnly} No preemption victims found for incoming pod`);
    if (nodes - v.resourceOnly) preemption.push(`${nodes - v.resourceOnly} Preemption is not helpful for scheduling`);
    preemption.sort();
  }
  return `${msg} preemption: ${head}: ${preemption.join(', ')}.`;
}

