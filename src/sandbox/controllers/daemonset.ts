import { isDeepStrictEqual } from 'node:util';
import type { KObject, StoreEvent } from '../store.js';
import { idOf } from './cache.js';
import { deletePod, type Controller, type ControllerContext } from './context.js';
import { EventType } from './events.js';
import { controllerRef, isActive, isPodReady, ownerRefTo, writable } from './pod-util.js';
import { DAEMONSET_TOLERATIONS, podFromTemplate, templateHash, withTolerations } from './pod-template.js';
import { effectiveTaints } from './scheduler.js';
import { podMatchesNodeAffinity, untoleratedTaint, type Toleration } from './selectors.js';

const KEY = 'apps/daemonsets';
const COMPONENT = 'daemonset-controller';
const REVISION_LABEL = 'controller-revision-hash';

/** Where a daemon pod belongs: its node from spec.nodeName or the matchFields affinity the controller sets. */
export function daemonPodNode(pod: KObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/** Whether a DaemonSet's pod should be created on / may keep running on a node. */
export function daemonPlacement(ds: KObject, node: KObject): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const probe: KObject = { metadata: { name: '' }, spec: ds.spec?.template?.spec ?? {} };
  if (!podMatchesNodeAffinity(probe, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations: Toleration[] = withTolerations(ds.spec?.template?.spec?.tolerations, DAEMONSET_TOLERATIONS);
  const taints = effectiveTaints(node);
  return {
    shouldRun: !untoleratedTaint(tolerations, taints),
    shouldContinueRunning: !untoleratedTaint(tolerations, taints, ['NoExecute']),
  };
}

/**
 * The DaemonSet controller: one pod per eligible node — cordoned nodes included, since daemon
 * pods tolerate `node.kubernetes.io/unschedulable` — pinned with a matchFields node affinity and
 * bound by the scheduler, as on a real cluster. Rolling updates replace one pod at a time.
 */
export function createDaemonSetController(ctx: ControllerContext): Controller {
  const self: Controller = {
    name: 'daemonset',
    resync() {
      for (const d of ctx.cache.all(KEY)) ctx.loop.enqueue(self, idOf(d));
    },
    onEvent(e: StoreEvent) {
      if (e.key === KEY) ctx.loop.enqueue(self, idOf(e.object));
      else if (e.key === 'pods') {
        for (const p of [e.object, e.previous]) {
          const ref = p && controllerRef(p);
          if (ref?.kind === 'DaemonSet') ctx.loop.enqueue(self, `${p!.metadata.namespace}/${ref.name}`);
        }
      } else if (e.key === 'nodes') {
        for (const d of ctx.cache.all(KEY)) ctx.loop.enqueue(self, idOf(d));
      }
    },
    sync(ids: string[]) {
      for (const id of ids) reconcile(id);
    },
  };

  function reconcile(id: string): void {
    const ds = ctx.cache.get(KEY, id);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const revision = templateHash(ds.spec?.template);
    const byNode = new Map<string, KObject[]>();
    for (const p of ctx.cache.podsOwnedBy(ds.metadata.uid!)) {
      const n = daemonPodNode(p);
      if (!n || !isActive(p)) continue;
      const list = byNode.get(n) ?? [];
      list.push(p);
      byNode.set(n, list);
    }
    const nodes = [...ctx.cache.all('nodes')].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const nodeNames = new Set(nodes.map((n) => n.metadata.name));
    const outdated: KObject[] = [];
    let unavailable = 0;
    for (const node of nodes) {
      const name = node.metadata.name;
      const pods = (byNode.get(name) ?? []).sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
      const { shouldRun, shouldContinueRunning } = daemonPlacement(ds, node);
      if (shouldRun && pods.length === 0) {
        createPod(ds, name, revision);
        unavailable++;
        continue;
      }
      if (!shouldContinueRunning) {
        for (const p of pods) kill(ds, p);
        continue;
      }
      for (const p of pods.slice(1)) kill(ds, p);
      const p = pods[0];
      if (!p) continue;
      if (!isPodReady(p)) unavailable++;
      if (p.metadata.labels?.[REVISION_LABEL] !== revision) outdated.push(p);
    }
    // Pods pinned to nodes that no longer exist.
    for (const [n, pods] of byNode) if (!nodeNames.has(n)) for (const p of pods) kill(ds, p);

    if (ds.spec?.updateStrategy?.type !== 'OnDelete' && outdated.length) {
      const maxUnavailable = Number(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1) || 1;
      for (const p of outdated) {
        if (unavailable >= maxUnavailable) break;
        kill(ds, p);
        unavailable++;
      }
    }
    writeStatus(id, revision);
  }

  function kill(ds: KObject, p: KObject): void {
    if (p.metadata.deletionTimestamp) return;
    deletePod(ctx, p);
    ctx.events.record(COMPONENT, ds, EventType.Normal, 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
  }

  function createPod(ds: KObject, nodeName: string, revision: string): void {
    const pod = podFromTemplate({
      template: ds.spec?.template,
      owner: ownerRefTo(ds, 'apps/v1', 'DaemonSet'),
      namespace: ds.metadata.namespace!,
      generateName: `${ds.metadata.name}-`,
      labels: { [REVISION_LABEL]: revision, 'pod-template-generation': String(ds.metadata.generation ?? 1) },
      patchSpec: (spec) => {
        spec.tolerations = withTolerations(spec.tolerations, DAEMONSET_TOLERATIONS);
        spec.affinity = {
          ...(spec.affinity ?? {}),
          nodeAffinity: {
            ...(spec.affinity?.nodeAffinity ?? {}),
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
            },
          },
        };
      },
    });
    try {
      const created = ctx.store.create('pods', pod);
      ctx.events.record(COMPONENT, ds, EventType.Normal, 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (err) {
      ctx.events.record(COMPONENT, ds, EventType.Warning, 'FailedCreate', `Error creating: ${(err as Error).message}`);
    }
  }

  function writeStatus(id: string, revision: string): void {
    const ds = ctx.cache.get(KEY, id);
    if (!ds) return;
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let updated = 0;
    const byNode = new Map<string, KObject>();
    for (const p of ctx.cache.podsOwnedBy(ds.metadata.uid!)) {
      const n = daemonPodNode(p);
      if (n && isActive(p) && !byNode.has(n)) byNode.set(n, p);
    }
    for (const node of ctx.cache.all('nodes')) {
      const { shouldRun } = daemonPlacement(ds, node);
      const p = byNode.get(node.metadata.name);
      const scheduled = !!p?.spec?.nodeName;
      if (shouldRun) {
        desired++;
        if (scheduled) current++;
        if (p && isPodReady(p)) ready++;
        if (p && scheduled && p.metadata.labels?.[REVISION_LABEL] === revision) updated++;
      } else if (scheduled) {
        misscheduled++;
      }
    }
    const status = {
      ...(ds.status ?? {}),
      currentNumberScheduled: current,
      desiredNumberScheduled: desired,
      numberMisscheduled: misscheduled,
      numberReady: ready,
      numberAvailable: ready,
      numberUnavailable: Math.max(0, desired - ready),
      updatedNumberScheduled: updated,
      observedGeneration: ds.metadata.generation,
    };
    if (isDeepStrictEqual(status, ds.status)) return;
    const next = writable(ds);
    next.status = status;
    ctx.store.update(KEY, next);
  }

  return self;
}
