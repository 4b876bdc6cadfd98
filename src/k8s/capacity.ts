import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { isNodeReady, isTerminal, nodeAllocatable, podRequests } from './pod-facts.js';
import { toleratesTaint } from './tolerations.js';

/**
 * Can the rest of the cluster take the pods a drain moves? A rough replay of the scheduler: only
 * Ready, schedulable nodes; taints (NoSchedule/NoExecute) and nodeSelector honoured; each pod goes
 * to the node left least allocated (the default scoring), by cpu/memory requests and pod count.
 * It over-promises rather than under (no affinity, no topology spread), so a shortfall it finds is real.
 */

export interface Usage {
  cpu: number;
  memory: number;
  pods: number;
}

export interface NodeFill {
  node: string;
  allocatable: Usage;
  before: Usage;
  after: Usage;
}

export interface PlacementResult {
  /** Nodes that could take pods (Ready, schedulable, not excluded). */
  destinations: string[];
  placed: { pod: V1Pod; node: string }[];
  /** Pods that would stay Pending, with why. */
  unplaced: { pod: V1Pod; reason: string }[];
  /** Fill of each destination before and after the moved pods land. */
  fill: NodeFill[];
}

export interface PlacementOptions {
  /** Nodes that take nothing (the one being drained). */
  exclude: readonly string[];
  /** A reason a pod cannot move at all (e.g. its local PV is pinned to the drained node). */
  cannotMove?: (pod: V1Pod) => string | undefined;
}

/** Why `pod` may not land on `node` regardless of room, or undefined. */
export function placementBlocker(pod: V1Pod, node: V1Node): string | undefined {
  const tolerations = pod.spec?.tolerations ?? [];
  const taint = (node.spec?.taints ?? []).find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !toleratesTaint(tolerations, t));
  if (taint) return `taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
  const labels = node.metadata?.labels ?? {};
  const miss = Object.entries(pod.spec?.nodeSelector ?? {}).find(([k, v]) => labels[k] !== v);
  if (miss) return `nodeSelector ${miss[0]}=${miss[1]}`;
  return undefined;
}

export function isSchedulableTarget(node: V1Node): boolean {
  return isNodeReady(node) && node.spec?.unschedulable !== true;
}

export function usageOn(node: string, pods: readonly V1Pod[]): Usage {
  const u: Usage = { cpu: 0, memory: 0, pods: 0 };
  for (const p of pods) {
    if (p.spec?.nodeName !== node || isTerminal(p)) continue;
    const r = podRequests(p);
    u.cpu += r.cpu;
    u.memory += r.memory;
    u.pods += 1;
  }
  return u;
}

/** Fraction (0..1+) of allocatable cpu or memory requested, whichever is higher. */
export function fillRatio(used: Usage, alloc: Usage): { cpu: number; memory: number } {
  return { cpu: alloc.cpu > 0 ? used.cpu / alloc.cpu : 0, memory: alloc.memory > 0 ? used.memory / alloc.memory : 0 };
}

export function simulatePlacement(view: { nodes: readonly V1Node[]; pods: readonly V1Pod[] }, moving: readonly V1Pod[], options: PlacementOptions): PlacementResult {
  const dest = view.nodes.filter((n) => isSchedulableTarget(n) && !options.exclude.includes(n.metadata?.name ?? ''));
  const state = dest.map((n) => {
    const name = n.metadata?.name ?? '';
    const before = usageOn(name, view.pods);
    return { node: n, name, allocatable: nodeAllocatable(n), before, after: { ...before } };
  });
  const placed: PlacementResult['placed'] = [];
  const unplaced: PlacementResult['unplaced'] = [];

  for (const pod of moving) {
    const pinned = options.cannotMove?.(pod);
    if (pinned) {
      unplaced.push({ pod, reason: pinned });
      continue;
    }
    if (state.length === 0) {
      unplaced.push({ pod, reason: 'no other Ready, schedulable node' });
      continue;
    }
    const req = podRequests(pod);
    let best: (typeof state)[number] | undefined;
    let bestScore = -Infinity;
    const reasons = new Map<string, number>();
    const why = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1);
    for (const s of state) {
      const blocker = placementBlocker(pod, s.node);
      if (blocker) {
        why(blocker);
        continue;
      }
      const a = s.allocatable;
      if (s.after.pods + 1 > a.pods) {
        why('Too many pods');
        continue;
      }
      if (s.after.cpu + req.cpu > a.cpu) {
        why('Insufficient cpu');
        continue;
      }
      if (s.after.memory + req.memory > a.memory) {
        why('Insufficient memory');
        continue;
      }
      // Least allocated: mean free fraction of cpu and memory after placing the pod.
      const score = ((a.cpu - s.after.cpu - req.cpu) / (a.cpu || 1) + (a.memory - s.after.memory - req.memory) / (a.memory || 1)) / 2;
      if (score > bestScore) {
        bestScore = score;
        best = s;
      }
    }
    if (!best) {
      // The scheduler's own wording: "0/3 nodes are available: 2 Insufficient memory, 1 ...".
      const parts = [...reasons.entries()].map(([r, n]) => `${n} ${r}`);
      unplaced.push({ pod, reason: `0/${state.length} nodes are available: ${parts.join(', ')}` });
      continue;
    }
    best.after.cpu += req.cpu;
    best.after.memory += req.memory;
    best.after.pods += 1;
    placed.push({ pod, node: best.name });
  }

  return {
    destinations: state.map((s) => s.name),
    placed,
    unplaced,
    fill: state.map((s) => ({ node: s.name, allocatable: s.allocatable, before: s.before, after: s.after })),
  };
}
