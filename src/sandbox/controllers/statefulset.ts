import { isDeepStrictEqual } from 'node:util';
import type { KObject, StoreEvent } from '../store.js';
import { idOf } from './cache.js';
import { deletePod, type Controller, type ControllerContext } from './context.js';
import { EventType } from './events.js';
import { controllerRef, isActive, isPodReady, isRunningAndReady, ownerRefTo, writable } from './pod-util.js';
import { podFromTemplate, templateHash } from './pod-template.js';

const KEY = 'apps/statefulsets';
const COMPONENT = 'statefulset-controller';
const REVISION_LABEL = 'controller-revision-hash';

/** `<sts>-<hash>`, the ControllerRevision name pods carry in controller-revision-hash. */
export function statefulSetRevision(sts: KObject): string {
  return `${sts.metadata.name}-${templateHash(sts.spec?.template)}`;
}

/** The ordinal of `<sts>-<n>`, or -1 when the name is not one of this set's. */
export function ordinalOf(stsName: string, podName: string): number {
  if (!podName.startsWith(`${stsName}-`)) return -1;
  const rest = podName.slice(stsName.length + 1);
  return /^\d+$/.test(rest) ? Number(rest) : -1;
}

/**
 * The StatefulSet controller: pods `<sts>-<ordinal>` with stable names, created in order (each
 * waits for the previous to be Running and Ready unless podManagementPolicy is Parallel), claims
 * `<template>-<sts>-<ordinal>` created once and kept, a deleted pod recreated under the same name
 * only once the old object is gone, scale-down from the highest ordinal, and rolling updates
 * from the highest ordinal down, one pod at a time.
 */
export function createStatefulSetController(ctx: ControllerContext): Controller {
  const self: Controller = {
    name: 'statefulset',
    resync() {
      for (const s of ctx.cache.all(KEY)) ctx.loop.enqueue(self, idOf(s));
    },
    onEvent(e: StoreEvent) {
      if (e.key === KEY) ctx.loop.enqueue(self, idOf(e.object));
      else if (e.key === 'pods') {
        for (const p of [e.object, e.previous]) {
          const ref = p && controllerRef(p);
          if (ref?.kind === 'StatefulSet') ctx.loop.enqueue(self, `${p!.metadata.namespace}/${ref.name}`);
        }
      }
    },
    sync(ids: string[]) {
      for (const id of ids) reconcile(id);
    },
  };

  function reconcile(id: string): void {
    const sts = ctx.cache.get(KEY, id);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const name = sts.metadata.name;
    const ns = sts.metadata.namespace!;
    const replicas: number = sts.spec?.replicas ?? 1;
    const parallel = sts.spec?.podManagementPolicy === 'Parallel';
    const revision = statefulSetRevision(sts);
    const byOrdinal = new Map<number, KObject>();
    for (const p of ctx.cache.podsOwnedBy(sts.metadata.uid!)) {
      const n = ordinalOf(name, p.metadata.name);
      if (n >= 0) byOrdinal.set(n, p);
    }

    let allHealthy = true;
    for (let i = 0; i < replicas; i++) {
      const pod = byOrdinal.get(i) ?? ctx.cache.getNs('pods', ns, `${name}-${i}`);
      if (!pod) {
        ensureClaims(sts, i);
        const created = createPod(sts, i, revision);
        if (created) byOrdinal.set(i, created);
        allHealthy = false;
        if (!parallel) break;
        continue;
      }
      if (!isActive(pod) || !isRunningAndReady(pod)) {
        allHealthy = false;
        if (!parallel) break;
      }
    }

    if (allHealthy) {
      // Scale down: the highest ordinal beyond replicas, one at a time.
      const extra = [...byOrdinal.keys()].filter((n) => n >= replicas).sort((a, b) => b - a);
      const terminating = [...byOrdinal.values()].some((p) => p.metadata.deletionTimestamp);
      if (extra.length && (!terminating || parallel)) {
        for (const n of parallel ? extra : extra.slice(0, 1)) {
          const p = byOrdinal.get(n)!;
          if (p.metadata.deletionTimestamp) continue;
          deletePod(ctx, p);
          ctx.events.record(COMPONENT, sts, EventType.Normal, 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`);
        }
      } else if (!extra.length && !terminating && sts.spec?.updateStrategy?.type !== 'OnDelete') {
        // Rolling update: the highest ordinal still on an old revision, above the partition.
        const partition: number = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
        for (let i = replicas - 1; i >= partition; i--) {
          const p = byOrdinal.get(i);
          if (p && p.metadata.labels?.[REVISION_LABEL] !== revision) {
            deletePod(ctx, p);
            ctx.events.record(COMPONENT, sts, EventType.Normal, 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`);
            break;
          }
        }
      }
    }
    writeStatus(id, revision);
  }

  function ensureClaims(sts: KObject, ordinal: number): void {
    for (const t of sts.spec?.volumeClaimTemplates ?? []) {
      const claim = `${t.metadata.name}-${sts.metadata.name}-${ordinal}`;
      if (ctx.cache.getNs('persistentvolumeclaims', sts.metadata.namespace, claim)) continue;
      try {
        ctx.store.create('persistentvolumeclaims', {
          metadata: {
            name: claim,
            namespace: sts.metadata.namespace,
            labels: { ...(sts.spec?.selector?.matchLabels ?? {}), ...(t.metadata?.labels ?? {}) },
            ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
          },
          spec: { volumeMode: 'Filesystem', ...structuredClone(t.spec ?? {}) },
          status: { phase: 'Pending' },
        });
        ctx.events.record(COMPONENT, sts, EventType.Normal, 'SuccessfulCreate', `create Claim ${claim} Pod ${sts.metadata.name}-${ordinal} in StatefulSet ${sts.metadata.name} success`);
      } catch (err) {
        ctx.events.record(COMPONENT, sts, EventType.Warning, 'FailedCreate', `create Claim ${claim} for Pod ${sts.metadata.name}-${ordinal} in StatefulSet ${sts.metadata.name} failed error: ${(err as Error).message}`);
      }
    }
  }

  function createPod(sts: KObject, ordinal: number, revision: string): KObject | undefined {
    const name = `${sts.metadata.name}-${ordinal}`;
    const pod = podFromTemplate({
      template: sts.spec?.template,
      owner: ownerRefTo(sts, 'apps/v1', 'StatefulSet'),
      namespace: sts.metadata.namespace!,
      name,
      labels: { [REVISION_LABEL]: revision, 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(ordinal) },
      patchSpec: (spec) => {
        spec.hostname = name;
        if (sts.spec?.serviceName) spec.subdomain = sts.spec.serviceName;
        const volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[] = spec.volumes ?? [];
        for (const t of sts.spec?.volumeClaimTemplates ?? []) {
          const claimName = `${t.metadata.name}-${name}`;
          const existing = volumes.find((v) => v.name === t.metadata.name);
          if (existing) existing.persistentVolumeClaim = { claimName };
          else volumes.push({ name: t.metadata.name, persistentVolumeClaim: { claimName } });
        }
        if (volumes.length) spec.volumes = volumes;
      },
    });
    try {
      const created = ctx.store.create('pods', pod);
      ctx.events.record(COMPONENT, sts, EventType.Normal, 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${sts.metadata.name} successful`);
      return created;
    } catch (err) {
      ctx.events.record(COMPONENT, sts, EventType.Warning, 'FailedCreate', `create Pod ${name} in StatefulSet ${sts.metadata.name} failed error: ${(err as Error).message}`);
      return undefined;
    }
  }

  function writeStatus(id: string, revision: string): void {
    const sts = ctx.cache.get(KEY, id);
    if (!sts) return;
    const pods = ctx.cache.podsOwnedBy(sts.metadata.uid!).filter((p) => ordinalOf(sts.metadata.name, p.metadata.name) >= 0);
    const active = pods.filter(isActive);
    const ready = active.filter(isPodReady).length;
    const updated = active.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision).length;
    const replicas: number = sts.spec?.replicas ?? 1;
    const done = updated === replicas && active.length === replicas;
    const currentRevision: string = done ? revision : sts.status?.currentRevision ?? revision;
    const status = {
      ...(sts.status ?? {}),
      observedGeneration: sts.metadata.generation,
      replicas: active.length,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: active.filter((p) => p.metadata.labels?.[REVISION_LABEL] === currentRevision).length,
      updatedReplicas: updated,
      currentRevision,
      updateRevision: revision,
      collisionCount: sts.status?.collisionCount ?? 0,
    };
    if (isDeepStrictEqual(status, sts.status)) return;
    const next = writable(sts);
    next.status = status;
    ctx.store.update(KEY, next);
  }

  return self;
}
