import { isDeepStrictEqual } from 'node:util';
import type { KObject, StoreEvent } from '../store.js';
import { idOf } from './cache.js';
import { deletePod, type Controller, type ControllerContext } from './context.js';
import { EventType } from './events.js';
import { controllerRef, isActive, isPodReady, ownerRefTo, writable } from './pod-util.js';
import { podFromTemplate } from './pod-template.js';
import { matchesSelector } from './selectors.js';

const KEY = 'apps/replicasets';
const COMPONENT = 'replicaset-controller';

/** Lower sorts first = deleted first: unscheduled, then pending, not ready, newest (ActivePodsWithRanks, simplified). */
export function deletionRank(a: KObject, b: KObject): number {
  const rank = (p: KObject) => [
    p.spec?.nodeName ? 1 : 0,
    p.status?.phase === 'Pending' ? 0 : p.status?.phase === 'Running' ? 2 : 1,
    isPodReady(p) ? 1 : 0,
  ];
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
  // Newer first.
  return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || b.metadata.name.localeCompare(a.metadata.name);
}

/**
 * The ReplicaSet controller: keeps spec.replicas active pods (not terminating, not finished),
 * creating replacements with new names and UIDs and deleting extras gracefully, and reports
 * replicas/ready/available in status.
 */
export function createReplicaSetController(ctx: ControllerContext): Controller {
  const self: Controller = {
    name: 'replicaset',
    resync() {
      for (const rs of ctx.cache.all(KEY)) ctx.loop.enqueue(self, idOf(rs));
    },
    onEvent(e: StoreEvent) {
      if (e.key === KEY) ctx.loop.enqueue(self, idOf(e.object));
      else if (e.key === 'pods') {
        for (const p of [e.object, e.previous]) {
          const ref = p && controllerRef(p);
          if (ref?.kind === 'ReplicaSet') ctx.loop.enqueue(self, `${p!.metadata.namespace}/${ref.name}`);
        }
      }
    },
    sync(ids: string[]) {
      for (const id of ids) reconcile(id);
    },
  };

  function reconcile(id: string): void {
    const rs = ctx.cache.get(KEY, id);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const uid = rs.metadata.uid!;
    const owned = ctx.cache.podsOwnedBy(uid);
    const active = owned.filter(isActive);
    const want: number = rs.spec?.replicas ?? 1;
    const diff = active.length - want;
    if (diff < 0) {
      for (let i = 0; i < -diff; i++) {
        const pod = createPod(rs);
        if (pod) active.push(pod);
      }
    } else if (diff > 0) {
      const victims = [...active].sort(deletionRank).slice(0, diff);
      for (const v of victims) {
        deletePod(ctx, v);
        ctx.events.record(COMPONENT, rs, EventType.Normal, 'SuccessfulDelete', `Deleted pod: ${v.metadata.name}`);
      }
    }
    writeStatus(rs);
  }

  function createPod(rs: KObject): KObject | undefined {
    const pod = podFromTemplate({
      template: rs.spec?.template,
      owner: ownerRefTo(rs, 'apps/v1', 'ReplicaSet'),
      namespace: rs.metadata.namespace!,
      generateName: `${rs.metadata.name}-`,
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const created = ctx.store.create('pods', pod);
        ctx.events.record(COMPONENT, rs, EventType.Normal, 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        return created;
      } catch (err) {
        if ((err as { code?: number }).code !== 409) {
          ctx.events.record(COMPONENT, rs, EventType.Warning, 'FailedCreate', `Error creating: ${(err as Error).message}`);
          return undefined;
        }
        // generateName collided with an existing pod: try another suffix, as the controller would.
      }
    }
    return undefined;
  }

  function writeStatus(rs: KObject): void {
    const current = ctx.cache.get(KEY, idOf(rs));
    if (!current) return;
    const active = ctx.cache.podsOwnedBy(current.metadata.uid!).filter(isActive);
    const ready = active.filter(isPodReady).length;
    const templateLabels = current.spec?.template?.metadata?.labels ?? {};
    const status = {
      ...(current.status ?? {}),
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => matchesSelector({ matchLabels: templateLabels }, p.metadata.labels)).length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: current.metadata.generation,
    };
    if (isDeepStrictEqual(status, current.status)) return;
    const next = writable(current);
    next.status = status;
    ctx.store.update(KEY, next);
  }

  return self;
}
