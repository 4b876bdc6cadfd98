import { setNodeCondition } from '../node-conditions.js';
import type { KObject, StoreEvent } from '../store.js';
import { scaledMs, type Controller, type ControllerContext } from './context.js';
import { EventType } from './events.js';
import { nodeReadyStatus } from './pod-util.js';

const COMPONENT = 'kubelet';
const LEASES = 'coordination.k8s.io/leases';
const LEASE_NAMESPACE = 'kube-node-lease';
/** The kubelet's node lease: 40 s long, renewed every quarter of that (pkg/kubelet/kubelet.go). */
export const LEASE_DURATION_SECONDS = 40;
const RENEW_SECONDS = LEASE_DURATION_SECONDS / 4;
/** However fast the sandbox runs, renew at most once a second per node: leases are for reading. */
const MIN_RENEW_MS = 1000;

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * The kubelet's node status duties (pkg/kubelet/kubelet_node_status.go and
 * pkg/kubelet/nodelease): a Lease per node in kube-node-lease, renewed while the kubelet runs
 * and posts status, which `kubectl describe node` shows and which stops when the node goes down;
 * the events the kubelet records about its node — NodeReady, NodeNotSchedulable and
 * NodeSchedulable when cordoned and uncordoned, and after a reboot Starting and Rebooted with the
 * new boot ID, which it posts in status.nodeInfo.bootID along with Ready=True.
 */
export function createKubeletNodeStatus(ctx: ControllerContext): Controller {
  const timers = new Map<string, () => void>();
  const unsubscribe = ctx.nodes.onChange((c) => {
    if (!c.up) {
      stopRenewing(c.node);
      return;
    }
    const node = ctx.cache.get('nodes', c.node);
    if (!node) return;
    if (c.rebooted) restarted(node);
    // The kubelet posts its status as soon as it runs again.
    setNodeCondition(ctx.store, c.node, 'Ready', 'True');
    renew(c.node);
  });

  const self: Controller = {
    name: 'kubelet-node-status',
    resync() {
      for (const n of ctx.cache.all('nodes')) ctx.loop.enqueue(self, n.metadata.name);
    },
    onEvent(e: StoreEvent) {
      if (e.key !== 'nodes') return;
      const name = e.object.metadata.name;
      if (e.type === 'DELETED') {
        stopRenewing(name);
        try {
          ctx.store.remove(LEASES, LEASE_NAMESPACE, name);
        } catch {
          // no lease
        }
        return;
      }
      if (e.type === 'MODIFIED') recordTransitions(e.previous!, e.object);
      ctx.loop.enqueue(self, name);
    },
    sync(names: string[]) {
      for (const name of names) {
        ctx.nodes.bootId(name, ctx.cache.get('nodes', name)?.status?.nodeInfo?.bootID);
        if (!timers.has(name) && ctx.nodes.isUp(name)) renew(name);
      }
    },
    stop() {
      unsubscribe();
      for (const t of timers.values()) t();
      timers.clear();
    },
  };

  function recordTransitions(before: KObject, after: KObject): void {
    const name = after.metadata.name;
    // Kubelet events are about the node by name: their involvedObject.uid is the node's name.
    const ref = { ...after, metadata: { ...after.metadata, uid: name } };
    if (nodeReadyStatus(before) !== 'True' && nodeReadyStatus(after) === 'True') {
      ctx.events.record(COMPONENT, ref, EventType.Normal, 'NodeReady', `Node ${name} status is now: NodeReady`, name);
    }
    const wasCordoned = !!before.spec?.unschedulable;
    const isCordoned = !!after.spec?.unschedulable;
    if (wasCordoned !== isCordoned) {
      const status = isCordoned ? 'NodeNotSchedulable' : 'NodeSchedulable';
      ctx.events.record(COMPONENT, ref, EventType.Normal, status, `Node ${name} status is now: ${status}`, name);
    }
  }

  /** A new boot: the boot ID in status, and the kubelet's start-up events. */
  function restarted(node: KObject): void {
    const name = node.metadata.name;
    const bootID = ctx.nodes.bootId(name);
    ctx.store.mutate('nodes', undefined, name, (n) => {
      n.status ??= {};
      n.status.nodeInfo = { ...(n.status.nodeInfo ?? {}), bootID };
    });
    const ref = { ...node, metadata: { ...node.metadata, uid: name } };
    ctx.events.record(COMPONENT, ref, EventType.Normal, 'Starting', 'Starting kubelet.', name);
    ctx.events.record(COMPONENT, ref, EventType.Warning, 'Rebooted', `Node ${name} has been rebooted, boot id: ${bootID}`, name);
  }

  function stopRenewing(name: string): void {
    timers.get(name)?.();
    timers.delete(name);
  }

  /** nodelease controller: create or renew the node's Lease, then again in 10 s (simulated). */
  function renew(name: string): void {
    stopRenewing(name);
    const node = ctx.cache.get('nodes', name);
    if (!node || !ctx.nodes.isUp(name)) return;
    // A node marked Unknown is one whose kubelet is not posting: no renewals either.
    if (nodeReadyStatus(node) !== 'Unknown') writeLease(node);
    timers.set(name, ctx.loop.after(Math.max(MIN_RENEW_MS, scaledMs(ctx, RENEW_SECONDS)), () => {
      timers.delete(name);
      renew(name);
    }, false));
  }

  function writeLease(node: KObject): void {
    const name = node.metadata.name;
    const renewTime = microTime();
    if (ctx.store.get(LEASES, LEASE_NAMESPACE, name)) {
      ctx.store.mutate(LEASES, LEASE_NAMESPACE, name, (l) => {
        l.spec = { ...(l.spec ?? {}), renewTime };
      });
      return;
    }
    if (!ctx.store.get('namespaces', undefined, LEASE_NAMESPACE)) ctx.store.create('namespaces', { metadata: { name: LEASE_NAMESPACE } });
    ctx.store.create(LEASES, {
      metadata: { name, namespace: LEASE_NAMESPACE, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid! }] },
      spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime },
    });
  }

  return self;
}
