import { createHash } from 'node:crypto';
import type { KObject, StoreEvent } from '../store.js';
import { deleteAs, scaledMs, type Controller, type ControllerContext } from './context.js';
import { isOutOfService } from './pod-gc.js';
import { EventType } from './events.js';
import { isNodeReady, isTerminal } from './pod-util.js';
import { isExclusiveAttachable, podClaimNames } from './storage-util.js';

const COMPONENT = 'attachdetach-controller';
const VA_KEY = 'storage.k8s.io/volumeattachments';

/** `csi-<sha256(volume + attacher + node)>`, the name the CSI attacher gives VolumeAttachments. */
export function attachmentName(pvName: string, driver: string, nodeName: string): string {
  return `csi-${createHash('sha256').update(`${pvName}${driver}${nodeName}`).digest('hex')}`;
}

/** reconciler.go maxWaitForUnmountDuration: how long a volume may stay attached to an unhealthy node. */
const MAX_WAIT_FOR_UNMOUNT_SECONDS = 360;

/**
 * The attach/detach controller (kubernetes/kubernetes pkg/controller/volume/attachdetach/
 * reconciler/reconciler.go) plus a CSI attacher, for ReadWriteOnce network volumes. A volume is
 * attached to the node of the first pod that needs it; a pod on another node waits in
 * ContainerCreating with a Multi-Attach warning. A volume no pod on a node needs any more (pods
 * gone or finished; a terminating pod on a dead node still needs it) is detached at once from a
 * healthy node; from an unhealthy one, whose kubelet cannot confirm the unmount, only after
 * maxWaitForUnmountDuration (6 min) — or at once when the node carries the
 * `node.kubernetes.io/out-of-service` taint (non-graceful node shutdown).
 */
export function createVolumeAttachmentController(ctx: ControllerContext): Controller {
  const lastWarning = new Map<string, string>();
  /** When detach was first wanted, by VolumeAttachment name (actualStateOfWorld.SetDetachRequestTime). */
  const detachRequested = new Map<string, number>();
  const timers = new Map<string, () => void>();

  const self: Controller = {
    name: 'attachdetach',
    resync() {
      for (const pv of ctx.cache.all('persistentvolumes')) if (isExclusiveAttachable(pv)) ctx.loop.enqueue(self, pv.metadata.name);
      for (const va of ctx.cache.all(VA_KEY)) enqueuePv(va.spec?.source?.persistentVolumeName);
    },
    onEvent(e: StoreEvent) {
      switch (e.key) {
        case 'pods':
          if (e.type === 'DELETED') lastWarning.delete(e.object.metadata.uid!);
          for (const p of [e.object, e.previous]) if (p) for (const pv of podVolumes(p)) enqueuePv(pv);
          break;
        case VA_KEY:
          enqueuePv(e.object.spec?.source?.persistentVolumeName);
          break;
        case 'persistentvolumes':
          enqueuePv(e.object.metadata.name);
          break;
        case 'persistentvolumeclaims':
          enqueuePv(e.object.spec?.volumeName);
          break;
        case 'nodes':
          if (e.type === 'MODIFIED' && isNodeReady(e.previous) === isNodeReady(e.object) && isOutOfService(e.previous) === isOutOfService(e.object)) return;
          for (const va of ctx.cache.all(VA_KEY)) if (va.spec?.nodeName === e.object.metadata.name) enqueuePv(va.spec?.source?.persistentVolumeName);
          break;
        default:
      }
    },
    sync(ids: string[]) {
      for (const pv of ids) reconcile(pv);
    },
    stop() {
      for (const c of timers.values()) c();
    },
  };

  /**
   * reconciler.go: an unhealthy node still has the volume mounted as far as anyone knows, so
   * detaching waits for maxWaitForUnmountDuration unless the node is out of service.
   */
  function mayDetach(va: KObject, pvName: string): boolean {
    const node = ctx.cache.get('nodes', va.spec?.nodeName);
    if (!node || isNodeReady(node)) return true;
    const now = Date.now();
    const requested = detachRequested.get(va.metadata.name) ?? now;
    detachRequested.set(va.metadata.name, requested);
    const deadline = requested + scaledMs(ctx, MAX_WAIT_FOR_UNMOUNT_SECONDS);
    if (isOutOfService(node) || now >= deadline) return true;
    if (!timers.has(va.metadata.name)) {
      timers.set(va.metadata.name, ctx.loop.after(deadline - now + 1, () => {
        timers.delete(va.metadata.name);
        enqueuePv(pvName);
      }, false));
    }
    return false;
  }

  function forgetDetach(name: string): void {
    detachRequested.delete(name);
    timers.get(name)?.();
    timers.delete(name);
  }

  /**
   * The attach/detach controller deletes the VolumeAttachment; the CSI external-attacher detaches
   * the volume and removes its finalizer, upon which the object goes.
   */
  function detach(va: KObject): void {
    forgetDetach(va.metadata.name);
    deleteAs(ctx, VA_KEY, va);
    try {
      ctx.store.mutate(VA_KEY, undefined, va.metadata.name, (o) => {
        if (o.metadata.uid !== va.metadata.uid) return;
        o.status = { ...(o.status ?? {}), attached: false };
        o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => !f.startsWith('external-attacher/'));
        if (!o.metadata.finalizers.length) delete o.metadata.finalizers;
      });
    } catch {
      // gone already
    }
  }

  function enqueuePv(name: string | undefined): void {
    if (name) ctx.loop.enqueue(self, name);
  }

  function podVolumes(pod: KObject): string[] {
    const out: string[] = [];
    for (const claim of podClaimNames(pod)) {
      const pvc = ctx.cache.getNs('persistentvolumeclaims', pod.metadata.namespace, claim);
      if (pvc?.spec?.volumeName) out.push(pvc.spec.volumeName);
    }
    return out;
  }

  function reconcile(pvName: string): void {
    const pv = ctx.cache.get('persistentvolumes', pvName);
    const attachments = [...ctx.cache.all(VA_KEY)].filter((va) => va.spec?.source?.persistentVolumeName === pvName);
    const users = pv ? podsUsing(pv) : [];
    const userNodes = new Set(users.map((p) => p.spec.nodeName as string));

    for (const va of attachments) {
      const nodeName = va.spec?.nodeName;
      if (userNodes.has(nodeName) || va.metadata.deletionTimestamp) {
        forgetDetach(va.metadata.name);
        continue;
      }
      if (mayDetach(va, pvName)) detach(va);
    }
    if (!pv || !isExclusiveAttachable(pv)) return;
    const driver: string = pv.spec.csi.driver;
    let attachedTo = [...ctx.cache.all(VA_KEY)].filter((va) => va.spec?.source?.persistentVolumeName === pvName).map((va) => va.spec.nodeName as string);

    // Oldest pod first: it got the volume first on a real cluster too.
    users.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    for (const pod of users) {
      const nodeName: string = pod.spec.nodeName;
      if (attachedTo.includes(nodeName)) continue;
      if (attachedTo.length === 0) {
        const node = ctx.cache.get('nodes', nodeName);
        if (!node || !isNodeReady(node)) continue;
        ctx.store.create(VA_KEY, {
          metadata: { name: attachmentName(pvName, driver, nodeName), annotations: { 'csi.alpha.kubernetes.io/node-id': nodeName }, finalizers: [`external-attacher/${driver.replaceAll('.', '-')}`] },
          spec: { attacher: driver, nodeName, source: { persistentVolumeName: pvName } },
          status: { attached: true },
        });
        attachedTo = [nodeName];
        ctx.events.record(COMPONENT, pod, EventType.Normal, 'SuccessfulAttachVolume', `AttachVolume.Attach succeeded for volume "${pvName}"`);
        continue;
      }
      if (pod.status?.phase === 'Running' || pod.metadata.deletionTimestamp) continue;
      const others = users.filter((p) => p.spec.nodeName !== nodeName && p.metadata.namespace === pod.metadata.namespace).map((p) => p.metadata.name);
      const why = others.length
        ? `Volume is already used by pod(s) ${others.join(', ')}`
        : "Volume is already exclusively attached to one node and can't be attached to another";
      const message = `Multi-Attach error for volume "${pvName}" ${why}`;
      if (lastWarning.get(pod.metadata.uid!) === message) continue;
      lastWarning.set(pod.metadata.uid!, message);
      ctx.events.record(COMPONENT, pod, EventType.Warning, 'FailedAttachVolume', message);
    }
  }

  /** Pods placed on a node that mount this volume and have not finished. */
  function podsUsing(pv: KObject): KObject[] {
    const ref = pv.spec?.claimRef;
    if (!ref?.name) return [];
    const out: KObject[] = [];
    for (const p of ctx.cache.all('pods')) {
      if (p.metadata.namespace !== ref.namespace || !p.spec?.nodeName || isTerminal(p)) continue;
      if (podClaimNames(p).includes(ref.name)) out.push(p);
    }
    return out;
  }

  return self;
}

