import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { ErrorCode, JobError } from '../../src/core/errors.js';
import type { Plan, PlanAction, PlanWarning } from '../../src/core/plan.js';
import { simulatePlacement } from '../../src/k8s/capacity.js';
import { findNode, loadClusterView, podsOnNode, type ClusterView } from '../../src/k8s/cluster-view.js';
import { selectDrainPods, type DrainSelection } from '../../src/k8s/drain-filters.js';
import { listAll } from '../../src/k8s/list-all.js';
import { isCordoned } from '../../src/k8s/node-schedulable.js';
import { listSome, objectRef } from '../../src/k8s/object-ref.js';
import { workloadLabel, workloadOf } from '../../src/k8s/owners.js';
import {
  barePodsWarning,
  capacityWarnings,
  controlPlaneWarning,
  downtimeWarning,
  localDataWarning,
  lastSchedulableWarning,
  nodeNotReadyWarning,
  pdbWarning,
  rwoMultiAttachWarning,
  staticPodsWarning,
} from '../../src/k8s/plan-warnings.js';
import { controllerOf, isNodeReady, isTerminating } from '../../src/k8s/pod-facts.js';
import { callOptions } from '../../src/k8s/request-options.js';
import { pdbCoverage } from '../../src/k8s/pdb-facts.js';
import { localDataOf, pvPinnedTo, podClaims } from '../../src/k8s/storage-facts.js';
import type { DrainArgs } from '../../src/core/verbs/index.js';
import type { JobContext } from '../job-context.js';
import { buildPlan } from './operation.js';

/** A drain plan with what execution needs from the same read of the cluster. */
export interface DrainAnalysis {
  plan: Plan;
  view: ClusterView;
  node: V1Node;
  /** Every pod on the node as listed (the watch starts from this list). */
  nodePods: V1Pod[];
  selection: DrainSelection;
}

export const podTarget = (p: V1Pod) => objectRef('pod', p.metadata?.name ?? '', p.metadata?.namespace);

/**
 * Reads the cluster (LIST calls only) and works out what `drain` would do: kubectl's filters, then
 * sitrep's hazards. Used by plan() and again by execute() before any change.
 */
export async function analyzeDrain(ctx: JobContext, args: DrainArgs): Promise<DrainAnalysis> {
  const name = args.node;
  const [view, selected] = await Promise.all([
    loadClusterView(ctx.kube, { focus: (pods) => pods.filter((p) => p.spec?.nodeName === name), signal: ctx.signal }),
    // kubectl lists the node's pods with --pod-selector; sitrep does too, only when one is given.
    args.podSelector
      ? listAll(
          (cont, limit) =>
            ctx.kube.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}`, labelSelector: args.podSelector, _continue: cont, limit }, callOptions({ signal: ctx.signal })),
          { signal: ctx.signal },
        )
      : undefined,
  ]);
  const node = findNode(view, name);
  if (!node) {
    throw new JobError(ErrorCode.NotFound, `Node ${name} not found in cluster ${ctx.cluster}.`, { hint: 'List nodes with `/k8s get nodes`.' });
  }
  const allOnNode = podsOnNode(view, name);
  const wanted = selected ? new Set(selected.items.map((p) => p.metadata?.uid)) : undefined;
  const nodePods = wanted ? allOnNode.filter((p) => wanted.has(p.metadata?.uid)) : allOnNode;
  const daemonSets = new Set(view.daemonSets.map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`));
  const selection = selectDrainPods(
    nodePods,
    { ...args, now: ctx.clock.now() },
    { daemonSetExists: (ns, ds) => daemonSets.has(`${ns}/${ds}`) },
  );

  const cordoned = isCordoned(node);
  const verb = args.disableEviction ? 'delete' : 'evict';
  const actions: PlanAction[] = [];
  if (!cordoned) actions.push({ kind: 'cordon', target: objectRef('node', name), detail: 'mark unschedulable first' });
  for (const p of selection.targets) {
    const w = workloadOf(p, view.replicaSets);
    const notes: string[] = [];
    if (isTerminating(p)) notes.push('already terminating: wait only');
    if (localDataOf(p, view, name).some((d) => d.kind === 'emptyDir')) notes.push('emptyDir data lost');
    if (!controllerOf(p)) notes.push('no controller: not recreated');
    actions.push({
      kind: verb,
      target: podTarget(p),
      ...(p.metadata?.uid ? { uid: p.metadata.uid } : {}),
      ...(w ? { owner: workloadLabel(w) } : {}),
      ...(notes.length ? { detail: notes.join('; ') } : {}),
    });
  }

  const warnings = drainWarnings(view, node, nodePods, selection);
  const refusal = selection.errors.length
    ? {
        message: selection.errors.map((e) => e.message).join('; '),
        flag: [...new Set(selection.errors.map((e) => e.flag))].join(' '),
      }
    : undefined;
  const n = selection.targets.length;
  const how = args.disableEviction ? 'delete (bypassing PDBs)' : 'evict';
  const skippedText = selection.skipped.length ? `; ${selection.skipped.length} left alone` : '';
  const summary = refusal
    ? `Drain ${name} refused: ${refusal.message}`
    : `${args.dryRun ? 'Dry run: would ' : ''}${cordoned ? '' : `cordon ${name}, then `}${how} ${n} pod${n === 1 ? '' : 's'}${skippedText}`;

  const plan = buildPlan(ctx, {
    verb: 'drain',
    target: objectRef('node', name),
    summary: summary.charAt(0).toUpperCase() + summary.slice(1),
    actions,
    skipped: selection.skipped.map((s) => ({ target: podTarget(s.pod), reason: s.reason })),
    warnings,
    ...(refusal ? { refusal } : {}),
    facts: budgetFacts(selection, view, args),
    fixed: { node: name, ...(args.dryRun ? { dryRun: args.dryRun } : {}) },
  });
  return { plan, view, node, nodePods, selection };
}

/**
 * The budget now of every PodDisruptionBudget that governs an eviction of this drain, as the card
 * shows it: an approver who saw "1 allowed" approved a drain that could proceed; if it is 0 by the
 * time the drain runs, that is another plan. Deletes (--disable-eviction) bypass budgets.
 */
function budgetFacts(selection: DrainSelection, view: ClusterView, args: DrainArgs): Record<string, number> {
  if (args.disableEviction) return {};
  const facts: Record<string, number> = {};
  for (const c of pdbCoverage(selection.targets, view.pdbs)) facts[`allowed disruptions ${objectRef('poddisruptionbudget', c.name, c.namespace)}`] = c.allowed;
  return facts;
}

function drainWarnings(view: ClusterView, node: V1Node, nodePods: V1Pod[], selection: DrainSelection): PlanWarning[] {
  const name = node.metadata?.name ?? '';
  const leaving = selection.targets.filter((p) => !isTerminating(p));
  // Pods whose replacement must be scheduled somewhere else: not bare, not already replaced.
  const moving = leaving.filter((p) => controllerOf(p));
  const placement = simulatePlacement(view, moving, {
    exclude: [name],
    cannotMove: (p) => {
      const pinned = podClaims(p, view).find((c) => c.pv && pvPinnedTo(c.pv, name));
      return pinned ? `its volume ${pinned.pv?.metadata?.name} is pinned to ${name}` : undefined;
    },
  });
  const last = lastSchedulableWarning(placement, name, moving.length);
  const ready = isNodeReady(node);
  const w: (PlanWarning | undefined)[] = [
    localDataWarning(selection.targets, view, name),
    downtimeWarning(leaving, view, `on ${name}`),
    pdbWarning(leaving, view, name),
    last,
    ...(last ? [] : capacityWarnings(placement, name)),
    controlPlaneWarning(node),
    staticPodsWarning(nodePods, name),
    rwoMultiAttachWarning(selection.targets, view, node),
    nodeNotReadyWarning(
      node,
      ready
        ? ''
        : `its kubelet cannot confirm that evicted pods stopped, so they stay Terminating and the drain waits until --timeout${
            selection.targets.length ? ` (${listSome(selection.targets.map((p) => p.metadata?.name ?? ''), 3)})` : ''
          }. Use --skip-wait-for-delete-timeout to stop waiting once they are marked.`,
    ),
    barePodsWarning(selection.targets),
  ];
  return w.filter((x): x is PlanWarning => x !== undefined);
}
