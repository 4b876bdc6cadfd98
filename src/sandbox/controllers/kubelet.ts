import { createHash, randomUUID } from 'node:crypto';
import type { KObject, StoreEvent } from '../store.js';
import { idOf } from './cache.js';
import { deleteAs, scaledMs, type Controller, type ControllerContext } from './context.js';
import { EventType } from './events.js';
import { isMirrorPod, isNodeReady, isPodReady, isTerminal, nodeInternalIP, rfc3339, setCondition, writable } from './pod-util.js';
import { boundVolume, isExclusiveAttachable, podClaimNames } from './storage-util.js';
import { attachmentName } from './volume-attachments.js';

/** Simulated seconds from binding to containers running (image already pulled). */
const START_SECONDS = 1;
/** Simulated seconds before a deleted mirror pod is posted again. */
const MIRROR_RECREATE_SECONDS = 0.5;

/**
 * Every node's kubelet in one: starts bound pods after a short delay (once their exclusive
 * volumes are attached), finishes graceful deletions on Ready nodes, re-posts mirror pods of
 * static pods when they are deleted, and reports readiness again when a node comes back.
 * On a NotReady node nothing happens to its pods — there is no kubelet to do it — which is how
 * pods get stuck Terminating.
 */
export function createKubelet(ctx: ControllerContext): Controller {
  const startTimers = new Map<string, () => void>();
  const killTimers = new Map<string, { cancel: () => void; at: number }>();
  const due = new Set<string>();
  const killed = new Set<string>();
  /** Static pod manifests by pod id: what the kubelet re-posts when its mirror pod is deleted. */
  const manifests = new Map<string, KObject>();
  const ipCounters = new Map<string, number>();

  const self: Controller = {
    name: 'kubelet',
    resync() {
      for (const p of ctx.cache.all('pods')) {
        if (isMirrorPod(p)) manifests.set(idOf(p), p);
        ctx.loop.enqueue(self, idOf(p));
      }
    },
    onEvent(e: StoreEvent) {
      if (e.key === 'pods') {
        const id = idOf(e.object);
        if (e.type === 'ADDED' && isMirrorPod(e.object) && !manifests.has(id)) manifests.set(id, e.object);
        // Timers belong to one pod UID; a pod gone for good needs none (clearing is not a write).
        if (e.type === 'DELETED') forgetUid(e.object.metadata.uid!);
        ctx.loop.enqueue(self, id);
      } else if (e.key === 'nodes') {
        if (e.type === 'DELETED') {
          for (const [id, m] of manifests) if (m.spec?.nodeName === e.object.metadata.name) manifests.delete(id);
        }
        if (e.type === 'MODIFIED' && isNodeReady(e.previous) === isNodeReady(e.object)) return;
        for (const p of ctx.cache.podsOnNode(e.object.metadata.name)) ctx.loop.enqueue(self, idOf(p));
        for (const [id, m] of manifests) if (m.spec?.nodeName === e.object.metadata.name) ctx.loop.enqueue(self, id);
      } else if (e.key === 'storage.k8s.io/volumeattachments') {
        const node = e.object.spec?.nodeName;
        if (!node) return;
        for (const p of ctx.cache.podsOnNode(node)) if (p.status?.phase !== 'Running' && !isTerminal(p)) ctx.loop.enqueue(self, idOf(p));
      }
    },
    sync(ids: string[]) {
      for (const id of ids) reconcile(id);
    },
    stop() {
      for (const c of startTimers.values()) c();
      for (const k of killTimers.values()) k.cancel();
    },
  };

  function reconcile(id: string): void {
    const pod = ctx.cache.get('pods', id);
    if (!pod) {
      recreateMirror(id);
      return;
    }
    const uid = pod.metadata.uid!;
    const nodeName: string | undefined = pod.spec?.nodeName;
    const node = nodeName ? ctx.cache.get('nodes', nodeName) : undefined;

    if (pod.metadata.deletionTimestamp) {
      cancelStart(uid);
      if (!nodeName || !node) {
        // Never ran, or its node is gone (the pod GC force-deletes those).
        remove(pod);
        return;
      }
      if (!isNodeReady(node)) {
        cancelKill(uid);
        return;
      }
      if (due.delete(`kill:${uid}`)) {
        remove(pod);
        return;
      }
      armKill(pod, node);
      return;
    }
    if (!nodeName) return;
    if (!node) {
      ctx.logger?.info({ pod: id, node: nodeName }, 'sandbox: pod bound to a missing node, removing it');
      remove(pod);
      return;
    }
    if (isTerminal(pod)) return;
    const ready = isNodeReady(node);
    if (pod.status?.phase === 'Running') {
      if (ready && !isPodReady(pod)) setReady(pod);
      return;
    }
    if (!ready) return;
    const attached = volumesAttached(pod, nodeName);
    if (!pod.status?.containerStatuses || pod.status?.startTime === undefined) writeCreating(pod, node);
    if (!attached) {
      cancelStart(uid);
      return;
    }
    if (due.delete(`start:${uid}`)) {
      startPod(pod, node);
      return;
    }
    if (!startTimers.has(uid)) {
      startTimers.set(uid, ctx.loop.after(scaledMs(ctx, START_SECONDS), () => {
        startTimers.delete(uid);
        due.add(`start:${uid}`);
        ctx.loop.enqueue(self, id);
      }, true));
    }
  }

  function armKill(pod: KObject, node: KObject): void {
    const uid = pod.metadata.uid!;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? 30;
    const at = Date.now() + scaledMs(ctx, grace);
    const existing = killTimers.get(uid);
    if (existing && existing.at <= at) return;
    existing?.cancel();
    if (!killed.has(uid)) {
      killed.add(uid);
      for (const c of pod.spec?.containers ?? []) {
        ctx.events.record('kubelet', pod, EventType.Normal, 'Killing', `Stopping container ${c.name}`, node.metadata.name);
      }
    }
    const id = idOf(pod);
    const cancel = ctx.loop.after(at - Date.now(), () => {
      killTimers.delete(uid);
      due.add(`kill:${uid}`);
      ctx.loop.enqueue(self, id);
    }, true);
    killTimers.set(uid, { cancel, at });
  }

  function remove(pod: KObject): void {
    const uid = pod.metadata.uid!;
    forgetUid(uid);
    // The status manager's final DELETE, grace 0: finalizers still hold the pod if it has any.
    deleteAs(ctx, 'pods', pod, { gracePeriodSeconds: 0 });
  }

  function recreateMirror(id: string): void {
    const manifest = manifests.get(id);
    if (!manifest) return;
    const node = ctx.cache.get('nodes', manifest.spec?.nodeName);
    if (!node) {
      manifests.delete(id);
      return;
    }
    if (!isNodeReady(node)) return;
    if (!due.delete(`mirror:${id}`)) {
      if (!startTimers.has(`mirror:${id}`)) {
        startTimers.set(`mirror:${id}`, ctx.loop.after(scaledMs(ctx, MIRROR_RECREATE_SECONDS), () => {
          startTimers.delete(`mirror:${id}`);
          due.add(`mirror:${id}`);
          ctx.loop.enqueue(self, id);
        }, true));
      }
      return;
    }
    const pod = structuredClone(manifest);
    pod.metadata = {
      name: manifest.metadata.name,
      namespace: manifest.metadata.namespace,
      labels: manifest.metadata.labels,
      annotations: manifest.metadata.annotations,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name, uid: node.metadata.uid!, controller: true }],
    };
    delete pod.status;
    const created = ctx.store.create('pods', pod);
    startPod(created, node);
  }

  function volumesAttached(pod: KObject, nodeName: string): boolean {
    for (const claim of podClaimNames(pod)) {
      const pvc = ctx.cache.getNs('persistentvolumeclaims', pod.metadata.namespace, claim);
      const pv = boundVolume(ctx.cache, pvc);
      if (!pvc || !pv) return false;
      if (!isExclusiveAttachable(pv)) continue;
      const va = ctx.cache.get('storage.k8s.io/volumeattachments', attachmentName(pv.metadata.name, pv.spec.csi.driver, nodeName));
      if (!va?.status?.attached) return false;
    }
    return true;
  }

  function writeCreating(pod: KObject, node: KObject): void {
    const next = structuredClone(pod);
    const now = rfc3339();
    next.status ??= {};
    next.status.phase = 'Pending';
    next.status.hostIP = nodeInternalIP(node);
    next.status.hostIPs = next.status.hostIP ? [{ ip: next.status.hostIP }] : undefined;
    next.status.startTime ??= now;
    next.status.qosClass ??= qosClass(pod);
    const names: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
    setCondition(next, { type: 'PodReadyToStartContainers', status: 'False', lastProbeTime: null }, now);
    setCondition(next, { type: 'Initialized', status: 'True', lastProbeTime: null }, now);
    setCondition(next, { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${names.join(' ')}]`, lastProbeTime: null }, now);
    setCondition(next, { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${names.join(' ')}]`, lastProbeTime: null }, now);
    next.status.containerStatuses = (pod.spec?.containers ?? []).map((c: { name: string; image: string }) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready: false,
      started: false,
      restartCount: 0,
      state: { waiting: { reason: 'ContainerCreating' } },
      lastState: {},
    }));
    next.metadata.resourceVersion = '';
    ctx.store.update('pods', next);
  }

  function startPod(pod: KObject, node: KObject): void {
    const current = ctx.cache.get('pods', idOf(pod));
    if (!current || current.metadata.uid !== pod.metadata.uid) return;
    const next = writable(current);
    next.status = runningStatus(current, node, current.spec?.hostNetwork ? nodeInternalIP(node) : allocateIP(node));
    ctx.store.update('pods', next);
  }

  function setReady(pod: KObject): void {
    const next = structuredClone(pod);
    setCondition(next, { type: 'Ready', status: 'True', lastProbeTime: null });
    setCondition(next, { type: 'ContainersReady', status: 'True', lastProbeTime: null });
    for (const c of next.status.conditions) if (c.status === 'True') {
      delete c.reason;
      delete c.message;
    }
    for (const cs of next.status.containerStatuses ?? []) cs.ready = true;
    next.metadata.resourceVersion = '';
    ctx.store.update('pods', next);
  }

  function allocateIP(node: KObject): string {
    const name = node.metadata.name;
    const cidr: string | undefined = node.spec?.podCIDR;
    const prefix = cidr ? cidr.split('.').slice(0, 3).join('.') : `10.244.${nodeIndex(name)}`;
    const used = new Set(ctx.cache.podsOnNode(name).map((p) => p.status?.podIP));
    let n = ipCounters.get(name) ?? 1;
    for (let i = 0; i < 253; i++) {
      n = (n % 253) + 2; // .2 to .254; .1 is the bridge
      if (!used.has(`${prefix}.${n}`)) break;
    }
    ipCounters.set(name, n);
    return `${prefix}.${n}`;
  }

  function nodeIndex(name: string): number {
    const names = [...ctx.cache.all('nodes')].map((n) => n.metadata.name).sort();
    return Math.max(0, names.indexOf(name));
  }

  function cancelStart(uid: string): void {
    startTimers.get(uid)?.();
    startTimers.delete(uid);
    due.delete(`start:${uid}`);
  }

  function cancelKill(uid: string): void {
    killTimers.get(uid)?.cancel();
    killTimers.delete(uid);
    due.delete(`kill:${uid}`);
  }

  function forgetUid(uid: string): void {
    cancelStart(uid);
    cancelKill(uid);
    killed.delete(uid);
  }

  return self;
}

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

