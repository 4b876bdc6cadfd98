import type { KObject, StoreEvent } from '../store.js';
import { idOf } from './cache.js';
import { deleteAs, scaledMs, type Controller, type ControllerContext } from './context.js';
import { EventType } from './events.js';
import { qosClass, runningStatus, stoppedStatus } from './kubelet-status.js';
import { isMirrorPod, isNodeReady, isPodReady, isTerminal, nodeInternalIP, rfc3339, setCondition, writable } from './pod-util.js';
import { boundVolume, isExclusiveAttachable } from './storage-util.js';
import { attachmentName } from './volume-attachments.js';

const COMPONENT = 'kubelet';
/** Simulated seconds from binding to containers running (image already pulled). */
export const START_SECONDS = 1;
/** Simulated seconds before a deleted mirror pod is posted again. */
const MIRROR_RECREATE_SECONDS = 0.5;
/** The volume manager's WaitForAttachAndMount gives up after 2m3s; the pod worker then reports FailedMount. */
const MOUNT_TIMEOUT_SECONDS = 123;

/**
 * Seconds a pod's containers take to exit after SIGTERM (simulated). Without it they use the
 * whole grace period and are killed (exit 137), as a process that ignores SIGTERM is.
 */
export const SHUTDOWN_ANNOTATION = 'sandbox.sitrep.dev/shutdown-seconds';

/** Whether this node's kubelet is running and reporting (what lets pods start and stop there). */
export type KubeletRunning = (node: KObject) => boolean;

/**
 * Every node's kubelet in one (pkg/kubelet): starts bound pods after a short delay once their
 * exclusive volumes are attached (Pulled, Created, Started events; FailedMount after 2m3s without
 * them), stops the containers of a pod being deleted (Killing) — when they exit on SIGTERM or
 * when the grace period runs out — reports them terminated, the pod not Ready and in a terminal
 * phase, then makes the final DELETE (grace 0, which finalizers still hold). Re-posts mirror pods
 * of static pods. On a node whose kubelet is not running nothing happens to its pods, which is
 * how pods get stuck Terminating.
 */
export function createKubelet(ctx: ControllerContext, running: KubeletRunning = isNodeReady): Controller {
  const startTimers = new Map<string, () => void>();
  const killTimers = new Map<string, { cancel: () => void; at: number; exitCode: number }>();
  const mountTimers = new Map<string, () => void>();
  const due = new Set<string>();
  const killed = new Set<string>();
  /** Static pod manifests by pod id: what the kubelet re-posts when its mirror pod is deleted. */
  const manifests = new Map<string, KObject>();
  const ipCounters = new Map<string, number>();
  /** The node boot each running pod's containers were last started in. */
  const boots = new Map<string, string>();

  // A kubelet that stops or starts again acts on its node's pods (nothing in the API changes).
  const unsubscribe = ctx.nodes.onChange((c) => enqueueNode(c.node));

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
        if (e.type === 'MODIFIED' && running(e.previous!) === running(e.object)) return;
        enqueueNode(e.object.metadata.name);
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
      unsubscribe();
      for (const c of startTimers.values()) c();
      for (const k of killTimers.values()) k.cancel();
      for (const c of mountTimers.values()) c();
    },
  };

  function enqueueNode(name: string): void {
    for (const p of ctx.cache.podsOnNode(name)) ctx.loop.enqueue(self, idOf(p));
    for (const [id, m] of manifests) if (m.spec?.nodeName === name) ctx.loop.enqueue(self, id);
  }

  function reconcile(id: string): void {
    const pod = ctx.cache.get('pods', id);
    if (!pod) {
      recreateMirror(id);
      return;
    }
    const uid = pod.metadata.uid!;
    const nodeName: string | undefined = pod.spec?.nodeName;
    // Unscheduled pods, and pods of a node that is gone, are the pod GC's.
    const node = nodeName ? ctx.cache.get('nodes', nodeName) : undefined;
    if (!node) return;
    if (!running(node)) {
      cancelStart(uid);
      cancelKill(uid);
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      cancelStart(uid);
      terminate(pod, node);
      return;
    }
    if (isTerminal(pod)) return;
    if (pod.status?.phase === 'Running') {
      const boot = ctx.nodes.bootId(node.metadata.name);
      const seen = boots.get(uid);
      boots.set(uid, boot);
      if (seen !== undefined && seen !== boot) restartAfterReboot(pod, node);
      else if (!isPodReady(pod)) setReady(pod);
      return;
    }
    start(pod, node);
  }

  /**
   * After a reboot the kubelet finds the pod's sandbox gone: it makes a new one and starts the
   * containers again (SandboxChanged, then Started), each with restartCount + 1 and the previous
   * run as lastState (exit code 255, reason Unknown: the machine went away under it).
   */
  function restartAfterReboot(pod: KObject, node: KObject): void {
    const next = writable(pod);
    const fresh = runningStatus(pod, node, pod.spec?.hostNetwork ? nodeInternalIP(node) : allocateIP(node));
    const now = rfc3339();
    fresh.containerStatuses = fresh.containerStatuses.map((cs: { name: string; state: unknown }) => {
      const old = (pod.status?.containerStatuses ?? []).find((o: { name: string }) => o.name === cs.name);
      const startedAt = old?.state?.running?.startedAt;
      return { ...cs, restartCount: (old?.restartCount ?? 0) + 1, lastState: { terminated: { exitCode: 255, reason: 'Unknown', ...(startedAt ? { startedAt } : {}), finishedAt: now, ...(old?.containerID ? { containerID: old.containerID } : {}) } } };
    });
    next.status = fresh;
    ctx.store.update('pods', next);
    ctx.events.record(COMPONENT, pod, EventType.Normal, 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.', node.metadata.name);
    recordStarted(pod, node);
  }

  function start(pod: KObject, node: KObject): void {
    const uid = pod.metadata.uid!;
    const id = idOf(pod);
    if (!pod.status?.containerStatuses || pod.status?.startTime === undefined) writeCreating(pod, node);
    const waiting = unattachedVolumes(pod, node.metadata.name);
    if (waiting.length) {
      cancelStart(uid);
      armMountTimeout(pod, waiting);
      return;
    }
    cancelMount(uid);
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

  /** The pod worker's termination: SIGTERM, wait for the containers (or the grace period), report, delete. */
  function terminate(pod: KObject, node: KObject): void {
    const uid = pod.metadata.uid!;
    const stopped = (pod.status?.containerStatuses ?? []).every((c: { state?: { terminated?: unknown } }) => c.state?.terminated);
    const started = pod.status?.phase === 'Running' && !stopped;
    if (!started) {
      // Nothing (left) running: the status manager's final DELETE. A no-op once finalizers hold it.
      forgetUid(uid);
      if (pod.metadata.deletionGracePeriodSeconds !== 0 || !pod.metadata.finalizers?.length) deleteAs(ctx, 'pods', pod, { gracePeriodSeconds: 0 });
      return;
    }
    const kill = killTimers.get(uid);
    if (due.delete(`kill:${uid}`) || pod.metadata.deletionGracePeriodSeconds === 0) {
      const exitCode = pod.metadata.deletionGracePeriodSeconds === 0 ? 137 : kill?.exitCode ?? 137;
      cancelKill(uid);
      const next = writable(pod);
      next.status = stoppedStatus(pod, exitCode);
      ctx.store.update('pods', next);
      const current = ctx.cache.get('pods', idOf(pod));
      if (current) deleteAs(ctx, 'pods', current, { gracePeriodSeconds: 0 });
      return;
    }
    armKill(pod, node);
  }

  function armKill(pod: KObject, node: KObject): void {
    const uid = pod.metadata.uid!;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? 30;
    const shutdown = Number(pod.metadata.annotations?.[SHUTDOWN_ANNOTATION]);
    const exitsEarly = Number.isFinite(shutdown) && shutdown >= 0 && shutdown < grace;
    const at = Date.now() + scaledMs(ctx, exitsEarly ? shutdown : grace);
    const existing = killTimers.get(uid);
    if (existing && existing.at <= at) return;
    existing?.cancel();
    if (!killed.has(uid)) {
      killed.add(uid);
      for (const c of pod.spec?.containers ?? []) {
        ctx.events.record(COMPONENT, pod, EventType.Normal, 'Killing', `Stopping container ${c.name}`, node.metadata.name);
      }
    }
    const id = idOf(pod);
    const cancel = ctx.loop.after(at - Date.now(), () => {
      due.add(`kill:${uid}`);
      ctx.loop.enqueue(self, id);
    }, true);
    killTimers.set(uid, { cancel, at, exitCode: exitsEarly ? 0 : 137 });
  }

  /** After 2m3s without its volumes, the pod worker reports FailedMount (and again each time). */
  function armMountTimeout(pod: KObject, volumes: string[]): void {
    const uid = pod.metadata.uid!;
    if (mountTimers.has(uid)) return;
    const id = idOf(pod);
    mountTimers.set(uid, ctx.loop.after(scaledMs(ctx, MOUNT_TIMEOUT_SECONDS), () => {
      mountTimers.delete(uid);
      const current = ctx.cache.get('pods', id);
      if (!current || current.metadata.uid !== uid || current.status?.phase === 'Running' || current.metadata.deletionTimestamp) return;
      const list = `[${[...volumes].sort().join(' ')}]`;
      ctx.events.record(COMPONENT, current, EventType.Warning, 'FailedMount', `Unable to attach or mount volumes: unmounted volumes=${list}, unattached volumes=${list}, failed to process volumes=[]: timed out waiting for the condition`, current.spec?.nodeName);
      ctx.loop.enqueue(self, id);
    }, false));
  }

  function recreateMirror(id: string): void {
    const manifest = manifests.get(id);
    if (!manifest) return;
    const node = ctx.cache.get('nodes', manifest.spec?.nodeName);
    if (!node) {
      manifests.delete(id);
      return;
    }
    if (!running(node)) return;
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

  /** Names of the pod's volumes whose exclusive attachment to this node is not there yet. */
  function unattachedVolumes(pod: KObject, nodeName: string): string[] {
    const out: string[] = [];
    for (const v of pod.spec?.volumes ?? []) {
      const claim = v.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      const pvc = ctx.cache.getNs('persistentvolumeclaims', pod.metadata.namespace, claim);
      const pv = boundVolume(ctx.cache, pvc);
      if (!pvc || !pv) {
        out.push(v.name);
        continue;
      }
      if (!isExclusiveAttachable(pv)) continue;
      const va = ctx.cache.get('storage.k8s.io/volumeattachments', attachmentName(pv.metadata.name, pv.spec.csi.driver, nodeName));
      if (!va?.status?.attached || va.metadata.deletionTimestamp) out.push(v.name);
    }
    return out;
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

  /** Containers up: the running status, and the Pulled/Created/Started events the kubelet records per container. */
  function startPod(pod: KObject, node: KObject): void {
    const current = ctx.cache.get('pods', idOf(pod));
    if (!current || current.metadata.uid !== pod.metadata.uid) return;
    const next = writable(current);
    next.status = runningStatus(current, node, current.spec?.hostNetwork ? nodeInternalIP(node) : allocateIP(node));
    ctx.store.update('pods', next);
    recordStarted(current, node);
  }

  function recordStarted(pod: KObject, node: KObject): void {
    for (const c of pod.spec?.containers ?? []) {
      ctx.events.record(COMPONENT, pod, EventType.Normal, 'Pulled', `Container image "${c.image}" already present on machine`, node.metadata.name);
      ctx.events.record(COMPONENT, pod, EventType.Normal, 'Created', `Created container: ${c.name}`, node.metadata.name);
      ctx.events.record(COMPONENT, pod, EventType.Normal, 'Started', `Started container ${c.name}`, node.metadata.name);
    }
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

  function cancelMount(uid: string): void {
    mountTimers.get(uid)?.();
    mountTimers.delete(uid);
  }

  function forgetUid(uid: string): void {
    boots.delete(uid);
    cancelStart(uid);
    cancelKill(uid);
    cancelMount(uid);
    killed.delete(uid);
  }

  return self;
}
