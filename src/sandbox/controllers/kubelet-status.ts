import { createHash, randomUUID } from 'node:crypto';
import type { KObject } from '../store.js';
import { nodeInternalIP, rfc3339, setCondition } from './pod-util.js';

// What the kubelet writes in a pod's status (pkg/kubelet/kubelet_pods.go generateAPIPodStatus),
// for the states the sandbox's pods go through: creating, running, stopped.

/** The status of a pod whose containers all run and pass readiness: what the kubelet reports. */
export function runningStatus(pod: KObject, node: KObject, podIP: string | undefined, nowMs = Date.now()): KObject['status'] {
  const now = rfc3339(nowMs);
  const hostIP = nodeInternalIP(node);
  const status = structuredClone(pod.status ?? {});
  status.phase = 'Running';
  status.hostIP = hostIP;
  status.hostIPs = hostIP ? [{ ip: hostIP }] : undefined;
  status.podIP = podIP;
  status.podIPs = podIP ? [{ ip: podIP }] : undefined;
  status.startTime ??= now;
  status.qosClass ??= qosClass(pod);
  const holder: KObject = { metadata: { name: '' }, status };
  for (const type of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) {
    setCondition(holder, { type, status: 'True', lastProbeTime: null }, now);
    const c = status.conditions.find((x: { type: string }) => x.type === type);
    delete c.reason;
    delete c.message;
  }
  status.containerStatuses = (pod.spec?.containers ?? []).map((c: { name: string; image: string }) => ({
    name: c.name,
    image: c.image,
    imageID: imageId(c.image),
    containerID: `containerd://${containerId()}`,
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: now } },
    lastState: {},
  }));
  return status;
}

/** Guaranteed when every container's requests equal its limits for cpu and memory, BestEffort when none are set. */
export function qosClass(pod: KObject): string {
  const containers: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[] = pod.spec?.containers ?? [];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (!lim[r] || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** 64 hex characters; randomUUID draws from a buffered pool, far cheaper than randomBytes per pod. */
function containerId(): string {
  return (randomUUID() + randomUUID()).replaceAll('-', '');
}

const imageIds = new Map<string, string>();

function imageId(image: string): string {
  let id = imageIds.get(image);
  if (!id) {
    id = computeImageId(image);
    if (imageIds.size < 10_000) imageIds.set(image, id);
  }
  return id;
}

function computeImageId(image: string): string {
  const repo = image.split('@')[0].replace(/:[^/:]+$/, '');
  const full = repo.includes('/') ? (repo.split('/')[0].includes('.') ? repo : `docker.io/${repo}`) : `docker.io/library/${repo}`;
  return `${full}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}


/**
 * The status once the kubelet has stopped every container of a pod being deleted: each container
 * terminated (exit 0 "Completed" when it shut down on SIGTERM, 137 "Error" when the grace period
 * ran out and it was killed), not ready, and the pod in a terminal phase (Succeeded when all
 * exited 0, else Failed), as the kubelet reports before its final DELETE.
 */
export function stoppedStatus(pod: KObject, exitCode: number, nowMs = Date.now()): KObject['status'] {
  const now = rfc3339(nowMs);
  const status = structuredClone(pod.status ?? {});
  status.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
  status.containerStatuses = (status.containerStatuses ?? []).map((cs: { state?: { running?: { startedAt?: string } }; containerID?: string }) => ({
    ...cs,
    ready: false,
    started: false,
    state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: cs.state?.running?.startedAt ?? now, finishedAt: now, ...(cs.containerID ? { containerID: cs.containerID } : {}) } },
  }));
  const holder: KObject = { metadata: { name: '' }, status };
  for (const type of ['Ready', 'ContainersReady']) setCondition(holder, { type, status: 'False', reason: 'PodCompleted', lastProbeTime: null }, now);
  setCondition(holder, { type: 'PodReadyToStartContainers', status: 'False', lastProbeTime: null }, now);
  return status;
}
