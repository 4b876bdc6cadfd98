import type { KObject, StoreEvent } from '../store.js';
import { idOf, splitId } from './cache.js';
import { deletePod, scaledMs, type Controller, type ControllerContext } from './context.js';
import { EventType } from './events.js';
import { rfc3339, setCondition, writable } from './pod-util.js';
import type { Taint, Toleration } from './selectors.js';

const COMPONENT = 'taint-eviction-controller';

/** A scheduled deletion: which pod (by UID), since when, and how to call it off. */
interface Work {
  uid: string;
  createdAt: number;
  fireAt: number;
  cancel: () => void;
}

/** v1helper.ToleratesTaint: effect (empty matches all), key (empty with Exists matches all), value. */
function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  if (!t.key) return false;
  return (t.value ?? '') === (taint.value ?? '');
}

/**
 * GetMatchingTolerations + getMinTolerationTime: whether every NoExecute taint is tolerated, and
 * for how long (seconds; -1 = forever). A toleration without tolerationSeconds is forever; zero
 * or less is "evict now".
 */
export function tolerationWindow(tolerations: Toleration[] | undefined, taints: Taint[]): { tolerated: boolean; seconds: number } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const match = (tolerations ?? []).find((t) => toleratesTaint(t, taint));
    if (!match) return { tolerated: false, seconds: 0 };
    used.push(match);
  }
  let min = -1;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    const s = Math.max(0, t.tolerationSeconds);
    if (min < 0 || s < min) min = s;
  }
  return { tolerated: true, seconds: min };
}

function noExecuteTaints(node: KObject | undefined): Taint[] {
  return ((node?.spec?.taints ?? []) as Taint[]).filter((t) => t.effect === 'NoExecute');
}

/**
 * The taint eviction controller (kubernetes/kubernetes pkg/controller/tainteviction/
 * taint_eviction.go): a pod on a node with NoExecute taints it does not tolerate is deleted at
 * once; one that tolerates them for tolerationSeconds is deleted when the shortest of those runs
 * out, counted from when the controller first saw the taints (so the 300 s DefaultTolerationSeconds
 * give a NotReady node five minutes); a taint that goes away in time cancels the deletion. Each
 * deletion records TaintManagerEviction and marks the pod DisruptionTarget (DeletionByTaintManager).
 */
export function createTaintEvictionController(ctx: ControllerContext): Controller {
  const work = new Map<string, Work>();

  const self: Controller = {
    name: 'taint-eviction',
    resync() {
      for (const n of ctx.cache.all('nodes')) if (noExecuteTaints(n).length) ctx.loop.enqueue(self, `node:${n.metadata.name}`);
    },
    onEvent(e: StoreEvent) {
      if (e.key === 'nodes') {
        if (JSON.stringify(noExecuteTaints(e.previous)) !== JSON.stringify(noExecuteTaints(e.type === 'DELETED' ? undefined : e.object))) ctx.loop.enqueue(self, `node:${e.object.metadata.name}`);
      } else if (e.key === 'pods') {
        const id = idOf(e.object);
        if (e.type === 'DELETED') {
          cancel(id, false);
          return;
        }
        const moved = e.previous?.spec?.nodeName !== e.object.spec?.nodeName;
        const retolerated = JSON.stringify(e.previous?.spec?.tolerations) !== JSON.stringify(e.object.spec?.tolerations);
        if (e.type === 'ADDED' || moved || retolerated) ctx.loop.enqueue(self, `pod:${id}`);
      }
    },
    sync(ids: string[]) {
      for (const id of ids) {
        if (id.startsWith('node:')) syncNode(id.slice(5));
        else syncPod(id.slice(4));
      }
    },
    stop() {
      for (const w of work.values()) w.cancel();
      work.clear();
    },
  };

  function syncNode(name: string): void {
    const node = ctx.cache.get('nodes', name);
    const taints = noExecuteTaints(node);
    for (const pod of ctx.cache.podsOnNode(name)) processPod(pod, taints);
  }

  function syncPod(id: string): void {
    const pod = ctx.cache.get('pods', id);
    if (!pod?.spec?.nodeName) return;
    processPod(pod, noExecuteTaints(ctx.cache.get('nodes', pod.spec.nodeName)));
  }

  /** processPodOnNode. */
  function processPod(pod: KObject, taints: Taint[]): void {
    const id = idOf(pod);
    const now = Date.now();
    if (!taints.length) {
      cancel(id, true);
      return;
    }
    const { tolerated, seconds } = tolerationWindow(pod.spec?.tolerations, taints);
    if (!tolerated) {
      cancel(id, true);
      evict(id, pod.metadata.uid!);
      return;
    }
    if (seconds < 0) {
      cancel(id, true);
      return;
    }
    const existing = work.get(id);
    let createdAt = now;
    if (existing && existing.uid === pod.metadata.uid) {
      createdAt = existing.createdAt;
      if (due(createdAt, seconds) >= existing.fireAt) return;
      cancel(id, true);
    }
    schedule(id, pod.metadata.uid!, createdAt, due(createdAt, seconds));
  }

  /** When a toleration of `seconds` (simulated) that began at `createdAt` (real ms) runs out, in real ms. */
  function due(createdAt: number, seconds: number): number {
    return createdAt + (seconds > 0 ? scaledMs(ctx, seconds) : 0);
  }

  function schedule(id: string, uid: string, createdAt: number, fireAt: number): void {
    const delay = Math.max(0, fireAt - Date.now());
    const cancelTimer = ctx.loop.after(delay, () => {
      work.delete(id);
      evict(id, uid);
    }, false);
    work.set(id, { uid, createdAt, fireAt, cancel: cancelTimer });
  }

  /** cancelWorkWithEvent. */
  function cancel(id: string, withEvent: boolean): void {
    const w = work.get(id);
    if (!w) return;
    w.cancel();
    work.delete(id);
    const pod = ctx.cache.get('pods', id);
    if (withEvent && pod) ctx.events.record(COMPONENT, pod, EventType.Normal, 'TaintManagerEviction', `Cancelling deletion of Pod ${id}`);
  }

  /** deletePodHandler + addConditionAndDeletePod. */
  function evict(id: string, uid: string): void {
    const pod = ctx.cache.get('pods', id);
    if (!pod || pod.metadata.uid !== uid) return;
    const { namespace, name } = splitId(id);
    ctx.events.record(COMPONENT, pod, EventType.Normal, 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`);
    const marked = writable(pod);
    setCondition(marked, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastProbeTime: null }, rfc3339());
    ctx.store.update('pods', marked);
    deletePod(ctx, ctx.cache.get('pods', id) ?? pod);
  }

  return self;
}
