import { isDeepStrictEqual } from 'node:util';
import type { KObject, StoreEvent } from '../store.js';
import { setNodeCondition } from '../node-conditions.js';
import { scaledMs, type Controller, type ControllerContext } from './context.js';
import { EventType } from './events.js';
import { condition, isPodReady, nodeReadyStatus, rfc3339, setCondition, writable } from './pod-util.js';
import type { Taint } from './selectors.js';

/** Taints this controller owns, derived from node conditions and spec.unschedulable. */
const MANAGED = new Set([
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
  'node.kubernetes.io/memory-pressure',
  'node.kubernetes.io/disk-pressure',
  'node.kubernetes.io/pid-pressure',
  'node.kubernetes.io/unschedulable',
]);

/** The taints a node's conditions call for (TaintNodesByCondition and taint-based eviction's NoExecute). */
export function conditionTaints(node: KObject): Taint[] {
  const out: Taint[] = [];
  const ready = nodeReadyStatus(node);
  if (ready === 'False') out.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' });
  if (ready === 'Unknown') out.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' });
  if (condition(node, 'MemoryPressure')?.status === 'True') out.push({ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' });
  if (condition(node, 'DiskPressure')?.status === 'True') out.push({ key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' });
  if (condition(node, 'PIDPressure')?.status === 'True') out.push({ key: 'node.kubernetes.io/pid-pressure', effect: 'NoSchedule' });
  if (node.spec?.unschedulable) out.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
  return out;
}

const COMPONENT = 'node-controller';
/** --node-monitor-grace-period: 50 s since 1.32 (40 s before). */
const NODE_MONITOR_GRACE_SECONDS = 50;

/**
 * The node lifecycle controller (pkg/controller/nodelifecycle/node_lifecycle_controller.go):
 * keeps condition taints in step with node conditions (TaintNodesByCondition, and the NoExecute
 * not-ready/unreachable taints the taint eviction controller acts on), and when a node stops
 * being Ready records NodeNotReady on it and marks its pods not Ready, each with a NodeNotReady
 * warning (MarkPodsNotReady).
 */
export function createNodeLifecycle(ctx: ControllerContext): Controller {
  /** The Ready status this controller last saw per node (observedReadyCondition). */
  const observed = new Map<string, string>();
  const silent = new Map<string, () => void>();
  // monitorNodeHealth: a node whose kubelet stopped renewing its Lease and posting status is
  // marked Unknown once node-monitor-grace-period has passed. The sandbox knows when a kubelet
  // stops, so it waits on that instead of polling lease ages (which timer jitter could flap).
  const unsubscribe = ctx.nodes.onChange((c) => {
    silent.get(c.node)?.();
    silent.delete(c.node);
    if (c.up) return;
    silent.set(c.node, ctx.loop.after(scaledMs(ctx, NODE_MONITOR_GRACE_SECONDS), () => {
      silent.delete(c.node);
      if (!ctx.nodes.isUp(c.node) && ctx.cache.get('nodes', c.node)) setNodeCondition(ctx.store, c.node, 'Ready', 'Unknown');
    }, false));
  });
  const self: Controller = {
    name: 'node-lifecycle',
    resync() {
      for (const n of ctx.cache.all('nodes')) {
        observed.set(n.metadata.name, nodeReadyStatus(n));
        ctx.loop.enqueue(self, n.metadata.name);
      }
    },
    onEvent(e: StoreEvent) {
      if (e.key === 'nodes') {
        if (e.type === 'DELETED') observed.delete(e.object.metadata.name);
        else ctx.loop.enqueue(self, e.object.metadata.name);
      } else if (e.key === 'pods' && e.type !== 'DELETED' && e.object.spec?.nodeName && isPodReady(e.object)) {
        const node = ctx.cache.get('nodes', e.object.spec.nodeName);
        if (node && nodeReadyStatus(node) !== 'True') ctx.loop.enqueue(self, node.metadata.name);
      }
    },
    sync(ids: string[]) {
      for (const name of ids) reconcile(name);
    },
    stop() {
      unsubscribe();
      for (const c of silent.values()) c();
    },
  };

  function reconcile(name: string): void {
    const node = ctx.cache.get('nodes', name);
    if (!node) return;
    const want = conditionTaints(node);
    const current: Taint[] = node.spec?.taints ?? [];
    const now = rfc3339();
    const next: Taint[] = current.filter((t) => !MANAGED.has(t.key) || want.some((w) => w.key === t.key && w.effect === t.effect));
    for (const w of want) {
      if (!next.some((t) => t.key === w.key && t.effect === w.effect)) next.push(w.effect === 'NoExecute' ? { ...w, timeAdded: now } : w);
    }
    if (!isDeepStrictEqual(next, current)) {
      ctx.store.mutate('nodes', undefined, name, (n) => {
        n.spec ??= {};
        if (next.length) n.spec.taints = next;
        else delete n.spec.taints;
      });
    }
    const ready = nodeReadyStatus(node);
    const before = observed.get(name);
    observed.set(name, ready);
    if (ready === 'True') return;
    if (before === 'True') ctx.events.record(COMPONENT, node, EventType.Normal, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    for (const pod of ctx.cache.podsOnNode(name)) {
      if (!isPodReady(pod)) continue;
      const p = writable(pod);
      setCondition(p, { type: 'Ready', status: 'False' }, now);
      ctx.store.update('pods', p);
      ctx.events.record(COMPONENT, pod, EventType.Warning, 'NodeNotReady', 'Node is not ready');
    }
  }

  return self;
}
