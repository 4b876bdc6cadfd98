import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { parseBytes, parseCpu } from '../core/quantity.js';

/** Facts about pods and nodes that several jobs read, computed one way. */

export function isMirrorPod(pod: V1Pod): boolean {
  return Boolean(pod.metadata?.annotations?.['kubernetes.io/config.mirror']);
}

export function controllerOf(pod: V1Pod): { kind: string; name: string; uid: string } | undefined {
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller);
  return ref ? { kind: ref.kind, name: ref.name, uid: ref.uid } : undefined;
}

export function isTerminal(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function isTerminating(pod: V1Pod): boolean {
  return Boolean(pod.metadata?.deletionTimestamp);
}

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Requests summed over the pod's containers (init containers: the max, as the scheduler does). */
export function podRequests(pod: V1Pod): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    cpu += parseCpu(c.resources?.requests?.cpu);
    memory += parseBytes(c.resources?.requests?.memory);
  }
  for (const c of pod.spec?.initContainers ?? []) {
    cpu = Math.max(cpu, parseCpu(c.resources?.requests?.cpu));
    memory = Math.max(memory, parseBytes(c.resources?.requests?.memory));
  }
  return { cpu, memory };
}

export function nodeAllocatable(node: V1Node): { cpu: number; memory: number; pods: number } {
  const a = node.status?.allocatable ?? {};
  return { cpu: parseCpu(a.cpu), memory: parseBytes(a.memory), pods: Number(a.pods ?? 110) };
}

export function nodeCondition(node: V1Node, type: string): string | undefined {
  return node.status?.conditions?.find((c) => c.type === type)?.status;
}

export function isNodeReady(node: V1Node): boolean {
  return nodeCondition(node, 'Ready') === 'True';
}

export function isControlPlane(node: V1Node): boolean {
  const labels = node.metadata?.labels ?? {};
  return 'node-role.kubernetes.io/control-plane' in labels || 'node-role.kubernetes.io/master' in labels;
}

/** `Ready`, `NotReady`, `Ready,SchedulingDisabled` — the STATUS column of `kubectl get nodes`. */
export function nodeStatusText(node: V1Node): string {
  const ready = nodeCondition(node, 'Ready');
  const parts = [ready === 'True' ? 'Ready' : ready === undefined ? 'Unknown' : 'NotReady'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

export function nodeRoles(node: V1Node): string {
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter(Boolean);
  return roles.length ? roles.sort().join(',') : '<none>';
}

/** The STATUS column of `kubectl get pods`, close to kubectl's printer. */
export function podStatusText(pod: V1Pod): string {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  let reason = pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
  for (const cs of pod.status?.containerStatuses ?? []) {
    const waiting = cs.state?.waiting?.reason;
    const terminated = cs.state?.terminated?.reason;
    if (waiting) reason = waiting;
    else if (terminated) reason = terminated;
  }
  return reason;
}

/** `kubectl`-style age: 45s, 12m, 3h4m, 5d. */
export function age(timestamp: Date | string | undefined, now: number): string {
  if (!timestamp) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - new Date(timestamp).getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 && hours < 8 ? `${hours}h${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return days < 8 && hours % 24 ? `${days}d${hours % 24}h` : `${days}d`;
}
