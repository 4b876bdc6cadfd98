import { isDeepStrictEqual } from 'node:util';
import type { KObject, StoreEvent } from '../store.js';
import { idOf } from './cache.js';
import { deleteAs, type Controller, type ControllerContext } from './context.js';
import { EventType } from './events.js';
import { controllerRef, ownerRefTo, rfc3339, type Condition, writable } from './pod-util.js';
import { canonicalJson, templateHash, templateWithoutHash } from './pod-template.js';

const KEY = 'apps/deployments';
const RS_KEY = 'apps/replicasets';
const COMPONENT = 'deployment-controller';
const REVISION = 'deployment.kubernetes.io/revision';

/** intstr.GetScaledValueFromIntOrPercent: "25%" of total, rounded up or down; ints as they are. */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean, fallback: number | string): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    if (/^\d+$/.test(v)) return Number(v);
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  }
  const raw = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

/** maxSurge (rounded up) and maxUnavailable (rounded down) for a replica count; never both zero. */
export function rollingParams(d: KObject, replicas: number): { maxSurge: number; maxUnavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const maxSurge = scaledValue(ru.maxSurge, replicas, true, '25%');
  let maxUnavailable = scaledValue(ru.maxUnavailable, replicas, false, '25%');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/**
 * The Deployment controller: one ReplicaSet per pod template (named with the template's hash),
 * rolling updates within maxSurge/maxUnavailable (or Recreate), paused rollouts, and the status
 * and conditions `kubectl rollout status` reads.
 */
export function createDeploymentController(ctx: ControllerContext): Controller {
  const self: Controller = {
    name: 'deployment',
    resync() {
      for (const d of ctx.cache.all(KEY)) ctx.loop.enqueue(self, idOf(d));
    },
    onEvent(e: StoreEvent) {
      if (e.key === KEY) ctx.loop.enqueue(self, idOf(e.object));
      else if (e.key === RS_KEY) {
        const ref = controllerRef(e.object);
        if (ref?.kind === 'Deployment') ctx.loop.enqueue(self, `${e.object.metadata.namespace}/${ref.name}`);
      }
    },
    sync(ids: string[]) {
      for (const id of ids) reconcile(id);
    },
  };

  function ownedReplicaSets(d: KObject): KObject[] {
    return ctx.cache.dependentsOf(d.metadata.uid!)
      .filter((x) => x.key === RS_KEY && x.object.metadata.ownerReferences?.some((r) => r.uid === d.metadata.uid && r.controller))
      .map((x) => x.object);
  }

  function reconcile(id: string): void {
    const d = ctx.cache.get(KEY, id);
    if (!d || d.metadata.deletionTimestamp) return;
    const replicas: number = d.spec?.replicas ?? 1;
    const wanted = canonicalJson(templateWithoutHash(d.spec?.template));
    let all = ownedReplicaSets(d);
    let newRS = all.find((rs) => canonicalJson(templateWithoutHash(rs.spec?.template)) === wanted);
    const paused = !!d.spec?.paused;

    if (!newRS && !paused) {
      newRS = createReplicaSet(d, all, replicas);
      if (newRS) all = [...all, newRS];
    }
    if (!paused && newRS) {
      const old = all.filter((rs) => rs !== newRS && rs.metadata.uid !== newRS!.metadata.uid);
      if (d.spec?.strategy?.type === 'Recreate') recreate(d, newRS, old, replicas);
      else rolling(d, newRS, old, replicas);
      cleanupHistory(d);
    } else if (paused && newRS && all.length === 1 && (newRS.spec?.replicas ?? 0) !== replicas) {
      // Scaling is allowed while paused; only template changes wait.
      scale(d, newRS, replicas);
    }
    writeStatus(d);
  }

  function createReplicaSet(d: KObject, existing: KObject[], replicas: number): KObject | undefined {
    const hash = templateHash(templateWithoutHash(d.spec?.template));
    const template = structuredClone(d.spec?.template ?? {});
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash } };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), 'pod-template-hash': hash };
    const revision = Math.max(0, ...existing.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0))) + 1;
    // First RS of a deployment starts at full size; later ones grow as the rollout allows (below).
    const start = existing.some((rs) => (rs.spec?.replicas ?? 0) > 0) ? 0 : replicas;
    const { maxSurge } = rollingParams(d, replicas);
    try {
      const rs = ctx.store.create(RS_KEY, {
        metadata: {
          name: `${d.metadata.name}-${hash}`,
          namespace: d.metadata.namespace,
          labels: { ...(d.spec?.template?.metadata?.labels ?? {}), 'pod-template-hash': hash },
          annotations: {
            [REVISION]: String(revision),
            'deployment.kubernetes.io/desired-replicas': String(replicas),
            'deployment.kubernetes.io/max-replicas': String(replicas + maxSurge),
          },
          ownerReferences: [ownerRefTo(d, 'apps/v1', 'Deployment')],
        },
        spec: { replicas: start, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
      });
      ctx.events.record(COMPONENT, d, EventType.Normal, 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata.name} from 0 to ${start}`);
      ctx.store.mutate(KEY, d.metadata.namespace, d.metadata.name, (x) => {
        x.metadata.annotations = { ...(x.metadata.annotations ?? {}), [REVISION]: String(revision) };
      });
      return rs;
    } catch (err) {
      ctx.logger?.warn({ err, deployment: idOf(d) }, 'sandbox: cannot create ReplicaSet');
      return undefined;
    }
  }

  function scale(d: KObject, rs: KObject, to: number): void {
    const from: number = rs.spec?.replicas ?? 0;
    if (from === to) return;
    ctx.store.mutate(RS_KEY, rs.metadata.namespace, rs.metadata.name, (x) => {
      x.spec.replicas = to;
      x.metadata.annotations = { ...(x.metadata.annotations ?? {}), 'deployment.kubernetes.io/desired-replicas': String(d.spec?.replicas ?? 1) };
    });
    ctx.events.record(COMPONENT, d, EventType.Normal, 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`);
  }

  function rolling(d: KObject, newRS: KObject, old: KObject[], replicas: number): void {
    const { maxSurge, maxUnavailable } = rollingParams(d, replicas);
    const specOf = (rs: KObject) => (rs.spec?.replicas ?? 0) as number;
    const availableOf = (rs: KObject) => (rs.status?.availableReplicas ?? 0) as number;
    const activeOld = old.filter((rs) => specOf(rs) > 0);
    let newSpec = specOf(newRS);

    // Scale up the new ReplicaSet within maxSurge.
    if (!activeOld.length) {
      if (newSpec !== replicas) scale(d, newRS, replicas);
      return;
    }
    if (newSpec < replicas) {
      const total = newSpec + activeOld.reduce((s, rs) => s + specOf(rs), 0);
      const maxTotal = replicas + maxSurge;
      if (total < maxTotal) {
        const to = Math.min(newSpec + (maxTotal - total), replicas);
        scale(d, newRS, to);
        newSpec = to;
      }
    } else if (newSpec > replicas) {
      scale(d, newRS, replicas);
      newSpec = replicas;
    }

    // Scale down old ReplicaSets as far as availability allows: unhealthy replicas first.
    const olds = [...activeOld].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    const specs = new Map(olds.map((rs) => [rs.metadata.name, specOf(rs)]));
    const total = newSpec + olds.reduce((s, rs) => s + specOf(rs), 0);
    const minAvailable = replicas - maxUnavailable;
    const newUnavailable = Math.max(0, newSpec - availableOf(newRS));
    let budget = total - minAvailable - newUnavailable;
    if (budget > 0) {
      for (const rs of olds) {
        if (budget <= 0) break;
        const unhealthy = specs.get(rs.metadata.name)! - Math.min(availableOf(rs), specs.get(rs.metadata.name)!);
        if (unhealthy <= 0) continue;
        const n = Math.min(budget, unhealthy);
        specs.set(rs.metadata.name, specs.get(rs.metadata.name)! - n);
        budget -= n;
      }
    }
    const available = availableOf(newRS) + olds.reduce((s, rs) => s + Math.min(availableOf(rs), specs.get(rs.metadata.name)!), 0);
    let down = available - minAvailable;
    for (const rs of olds) {
      if (down <= 0) break;
      const cur = specs.get(rs.metadata.name)!;
      const n = Math.min(cur, down);
      specs.set(rs.metadata.name, cur - n);
      down -= n;
    }
    for (const rs of olds) scale(d, rs, specs.get(rs.metadata.name)!);
  }

  function recreate(d: KObject, newRS: KObject, old: KObject[], replicas: number): void {
    for (const rs of old) if ((rs.spec?.replicas ?? 0) > 0) scale(d, rs, 0);
    const oldPods = old.some((rs) => ctx.cache.podsOwnedBy(rs.metadata.uid!).length > 0);
    if (!oldPods) scale(d, newRS, replicas);
    else if ((newRS.spec?.replicas ?? 0) > 0 && old.length) scale(d, newRS, 0);
  }

  function cleanupHistory(d: KObject): void {
    const limit: number = d.spec?.revisionHistoryLimit ?? 10;
    const dead = ownedReplicaSets(d)
      .filter((rs) => (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0 && ctx.cache.podsOwnedBy(rs.metadata.uid!).length === 0)
      .sort((a, b) => Number(a.metadata.annotations?.[REVISION] ?? 0) - Number(b.metadata.annotations?.[REVISION] ?? 0));
    const newest = canonicalJson(templateWithoutHash(d.spec?.template));
    const removable = dead.filter((rs) => canonicalJson(templateWithoutHash(rs.spec?.template)) !== newest);
    for (const rs of removable.slice(0, Math.max(0, removable.length - limit))) {
      deleteAs(ctx, RS_KEY, rs);
    }
  }

  function writeStatus(d0: KObject): void {
    const d = ctx.cache.get(KEY, idOf(d0));
    if (!d) return;
    const replicas: number = d.spec?.replicas ?? 1;
    const all = ownedReplicaSets(d);
    const wanted = canonicalJson(templateWithoutHash(d.spec?.template));
    const newRS = all.find((rs) => canonicalJson(templateWithoutHash(rs.spec?.template)) === wanted);
    const sum = (f: (rs: KObject) => number) => all.reduce((s, rs) => s + f(rs), 0);
    const statusReplicas = sum((rs) => rs.status?.replicas ?? 0);
    const updated = newRS?.status?.replicas ?? 0;
    const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const specTotal = sum((rs) => rs.spec?.replicas ?? 0);
    const { maxUnavailable } = rollingParams(d, replicas);
    const now = rfc3339();
    const conditions: Condition[] = structuredClone(d.status?.conditions ?? []);
    const put = (c: Condition) => {
      const i = conditions.findIndex((x) => x.type === c.type);
      const old = i >= 0 ? conditions[i] : undefined;
      const same = old && old.status === c.status && old.reason === c.reason && old.message === c.message;
      const merged: Condition = same ? old : {
        ...c,
        lastUpdateTime: now,
        lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now,
      };
      if (i >= 0) conditions[i] = merged;
      else conditions.push(merged);
    };
    const minAvailable = d.spec?.strategy?.type === 'Recreate' ? replicas : replicas - maxUnavailable;
    put(available >= minAvailable
      ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
      : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
    if (d.spec?.paused) {
      put({ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    } else if (newRS) {
      const complete = updated === replicas && available >= replicas && statusReplicas === replicas;
      put(complete
        ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` }
        : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${newRS.metadata.name}" is progressing.` });
    }
    // Available first, then Progressing, as the controller lists them.
    conditions.sort((a, b) => (a.type === 'Available' ? 0 : 1) - (b.type === 'Available' ? 0 : 1));
    const status = {
      ...(d.status ?? {}),
      observedGeneration: d.metadata.generation,
      replicas: statusReplicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, specTotal - available),
      conditions,
    };
    if (isDeepStrictEqual(status, d.status)) return;
    const next = writable(d);
    next.status = status;
    ctx.store.update(KEY, next);
  }

  return self;
}
