import type { Store } from './store.js';

export type NodeConditionType = 'Ready' | 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** What the node lifecycle controller writes to every condition of a node that stopped reporting. */
const UNKNOWN = { reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' };

/**
 * What the kubelet (or, for Unknown, the node lifecycle controller) writes for each condition:
 * the reasons and messages of pkg/kubelet/nodestatus/setters.go and
 * pkg/controller/nodelifecycle/node_lifecycle_controller.go, mirrored as data.
 */
const TEXT: Record<NodeConditionType, Record<ConditionStatus, { reason: string; message: string }>> = {
  Ready: {
    True: { reason: 'KubeletReady', message: 'kubelet is posting ready status' },
    False: { reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized' },
    Unknown: UNKNOWN,
  },
  MemoryPressure: {
    True: { reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' },
    False: { reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    Unknown: UNKNOWN,
  },
  DiskPressure: {
    True: { reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' },
    False: { reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    Unknown: UNKNOWN,
  },
  PIDPressure: {
    True: { reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' },
    False: { reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    Unknown: UNKNOWN,
  },
};

interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Sets one condition of a node, as its kubelet would report it (optionally with its own reason
 * and message) (or, for Ready=Unknown, as the node
 * lifecycle controller marks a silent node: every condition becomes Unknown). The controllers
 * react to the change: taints, pods' readiness, volume detach.
 */
export function setNodeCondition(store: Store, node: string, type: NodeConditionType, status: ConditionStatus, text?: { reason?: string; message?: string }): void {
  const t = now();
  store.mutate('nodes', undefined, node, (n) => {
    n.status ??= {};
    const list: NodeCondition[] = n.status.conditions ?? [];
    // A node that stopped posting has every condition Unknown; one that posts again reports them all.
    const types: NodeConditionType[] = type === 'Ready' && status === 'Unknown' ? ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'] : [type];
    for (const ty of types) {
      const st: ConditionStatus = ty === type ? status : 'Unknown';
      let c = list.find((x) => x.type === ty);
      if (!c) {
        c = { type: ty, status: st, lastTransitionTime: t };
        list.push(c);
      } else if (c.status !== st) {
        c.lastTransitionTime = t;
      }
      c.status = st;
      c.reason = (ty === type && text?.reason) || TEXT[ty][st].reason;
      c.message = (ty === type && text?.message) || TEXT[ty][st].message;
      // Unknown means no heartbeat arrived: the last one stays as it was.
      if (st !== 'Unknown') c.lastHeartbeatTime = t;
    }
    if (type === 'Ready' && status === 'True') {
      // A kubelet that reports again reports every pressure condition too.
      for (const c of list) {
        if (c.type !== 'Ready' && c.status === 'Unknown') {
          c.status = 'False';
          c.reason = TEXT[c.type as NodeConditionType]?.False.reason ?? c.reason;
          c.message = TEXT[c.type as NodeConditionType]?.False.message ?? c.message;
          c.lastTransitionTime = t;
          c.lastHeartbeatTime = t;
        }
      }
    }
    n.status.conditions = list;
  });
}
