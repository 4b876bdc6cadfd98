import type { KObject, StoreEvent } from '../store.js';
import { idOf } from './cache.js';
import { deleteAs, type Controller, type ControllerContext } from './context.js';
import { isNodeReady, isTerminal, rfc3339, setCondition, writable, type Condition } from './pod-util.js';

export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

/** taints.TaintKeyExists(node.Spec.Taints, v1.TaintNodeOutOfService). */
export function isOutOfService(node: KObject | undefined): boolean {
  return !!node?.spec?.taints?.some((t: { key: string }) => t.key === OUT_OF_SERVICE_TAINT);
}

/**
 * The pod garbage collector (kubernetes/kubernetes pkg/controller/podgc/gc_controller.go), run
 * whenever what it looks at changes instead of every 20 s:
 * - gcTerminating: a terminating pod on a node that is not Ready and carries the
 *   `node.kubernetes.io/out-of-service` taint (non-graceful node shutdown) is force-deleted;
 * - gcOrphaned: a pod bound to a node that no longer exists is force-deleted, marked
 *   DisruptionTarget (DeletionByPodGC, "PodGC: node no longer exists");
 * - gcUnscheduledTerminating: a terminating pod that was never scheduled is force-deleted.
 * Each first sets phase Failed (markFailedAndDeletePod), so nothing reads a dead pod as Running.
 */
export function createPodGc(ctx: ControllerContext): Controller {
  const self: Controller = {
    name: 'pod-gc',
    resync() {
      for (const p of ctx.cache.all('pods')) ctx.loop.enqueue(self, idOf(p));
    },
    onEvent(e: StoreEvent) {
      if (e.key === 'pods' && e.type !== 'DELETED') ctx.loop.enqueue(self, idOf(e.object));
      else if (e.key === 'nodes') {
        const relevant = e.type === 'DELETED' || isNodeReady(e.previous) !== isNodeReady(e.object) || isOutOfService(e.previous) !== isOutOfService(e.object);
        if (relevant) for (const p of ctx.cache.podsOnNode(e.object.metadata.name)) ctx.loop.enqueue(self, idOf(p));
      }
    },
    sync(ids: string[]) {
      for (const id of ids) {
        const pod = ctx.cache.get('pods', id);
        if (pod) gc(pod);
      }
    },
  };

  function gc(pod: KObject): void {
    const nodeName: string | undefined = pod.spec?.nodeName;
    if (!nodeName) {
      if (pod.metadata.deletionTimestamp) markFailedAndDelete(pod);
      return;
    }
    const node = ctx.cache.get('nodes', nodeName);
    if (!node) {
      markFailedAndDelete(pod, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
      return;
    }
    if (pod.metadata.deletionTimestamp && !isNodeReady(node) && isOutOfService(node)) markFailedAndDelete(pod);
  }

  /** markFailedAndDeletePodWithCondition; a pod already forced (grace 0) and held by finalizers is left. */
  function markFailedAndDelete(pod: KObject, condition?: Condition): void {
    if (pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0) return;
    if (!isTerminal(pod)) {
      const next = writable(pod);
      next.status.phase = 'Failed';
      if (condition) setCondition(next, { ...condition, lastProbeTime: null }, rfc3339());
      ctx.store.update('pods', next);
    }
    deleteAs(ctx, 'pods', ctx.cache.get('pods', idOf(pod)) ?? pod, { gracePeriodSeconds: 0 });
  }

  return self;
}
