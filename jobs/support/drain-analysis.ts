import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Plan, PlanAction, PlanWarning } from '../../src/core/plan.js';
import { findNode, loadClusterView, podsOnNode, type ClusterView } from '../../src/k8s/cluster-view.js';
import { selectDrainPods, SkipFilter, type DrainFilterLookups, type DrainSelection } from '../../src/k8s/drain-filters.js';
import { listAll } from '../../src/k8s/list-all.js';
import { nodeNotFound } from '../../src/k8s/not-found.js';
import { isCordoned } from '../../src/k8s/node-schedulable.js';
import { listSome, objectRef } from '../../src/k8s/object-ref.js';
import { workloadLabel, workloadOf } from '../../src/k8s/owners.js';
import {
  barePodsWarning,
  controlPlaneWarning,
  downtimeWarning,
  localDataWarning,
  movedPodsWarnings,
  nodeNotReadyWarning,
  pdbWarning,
  rwoMultiAttachWarning,
  staticPodsWarning,
} from '../../src/k8s/plan-warnings.js';
import { controllerOf, isNodeReady, isTerminating } from '../../src/k8s/pod-facts.js';
import { callOptions } from '../../src/k8s/request-options.js';
import { pdbCoverage } from '../../src/k8s/pdb-facts.js';
import { localDataOf } from '../../src/k8s/storage-facts.js';
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
  if (!node) throw nodeNotFound(name, view.nodes, ctx.cluster);
  const allOnNode = podsOnNode(view, name);
  const wanted = selected ? new Set(selected.items.map((p) => p.metadata?.uid)) : undefined;
  const nodePods = wanted ? allOnNode.filter((p) => wanted.has(p.metadata?.uid)) : allOnNode;
  const daemonSets = new Set(view.daemonSets.map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`));
  const lookups = { daemonSetExists: (ns: string, ds: string) => daemonSets.has(`${ns}/${ds}`) };
  const asked = selectDrainPods(nodePods, { ...args, now: ctx.clock.now() }, lookups);
  const refusal = asked.errors.length ? refusalOf(asked, nodePods, args, ctx.clock.now(), lookups) : undefined;
  // A refused plan shows what the drain would do with the override flags: every pod they add.
  const selection = refusal ? refusal.selection : asked;

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

  const warnings = drainWarnings(view, node, nodePods, selection, args);
  const n = selection.targets.length;
  const how = args.disableEviction ? 'delete (bypassing PDBs)' : 'evict';
  const notWaited = selection.skipped.filter((s) => s.by === SkipFilter.SkipDeleted).length;
  const alone = selection.skipped.length - notWaited;
  const skippedText = [
    notWaited ? `; ${notWaited} terminating pod${notWaited === 1 ? '' : 's'} not waited for (${notWaited === 1 ? 'it stays' : 'they stay'} on ${name})` : '',
    alone ? `; ${alone} left alone` : '',
  ].join('');
  const would = `${cordoned ? '' : `cordon ${name}, then `}${how} ${n} pod${n === 1 ? '' : 's'}${skippedText}`;
  const summary = refusal
    ? `Refused as asked; with ${refusal.plan.flag} it would ${would}`
    : `${args.dryRun ? 'Dry run: would ' : ''}${would}`;

  const plan = buildPlan(ctx, {
    verb: 'drain',
    target: objectRef('node', name),
    summary: summary.charAt(0).toUpperCase() + summary.slice(1),
    actions,
    skipped: selection.skipped.map((s) => ({ target: podTarget(s.pod), reason: s.reason })),
    warnings,
    ...(refusal ? { refusal: refusal.plan } : {}),
    facts: budgetFacts(selection, view, args),
    fixed: { node: name, ...(args.dryRun ? { dryRun: args.dryRun } : {}) },
  });
  return { plan, view, node, nodePods, selection };
}

/** The drain flag that lifts each of kubectl's filter errors, as a change of the args. */
const OVERRIDES: Record<string, Partial<DrainArgs>> = {
  '--delete-emptydir-data': { deleteEmptyDirData: true },
  '--force': { force: true },
  '--ignore-daemonsets': { ignoreDaemonsets: true },
};

/**
 * kubectl's filter errors as a refusal, with the selection the override flags would give and what
 * each flag adds to it, so the card lists the whole overridden plan, not just what passed.
 */
function refusalOf(asked: DrainSelection, nodePods: V1Pod[], args: DrainArgs, now: number, lookups: DrainFilterLookups): { plan: NonNullable<Plan['refusal']>; selection: DrainSelection } {
  const flags = [...new Set(asked.errors.map((e) => e.flag))];
  const overridden = Object.assign({}, args, ...flags.map((f) => OVERRIDES[f] ?? {})) as DrainArgs;
  const selection = selectDrainPods(nodePods, { ...overridden, now }, lookups);
  const targets = new Map(selection.targets.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, podTarget(p)]));
  const overrides = flags.map((flag) => ({
    flag,
    adds: asked.errors.filter((e) => e.flag === flag).flatMap((e) => e.pods.flatMap((ref) => targets.get(ref) ?? [])),
  }));
  return {
    plan: { message: asked.errors.map((e) => e.message).join('; '), flag: flags.join(' '), overrides },
    selection,
  };
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

function drainWarnings(view: ClusterView, node: V1Node, nodePods: V1Pod[], selection: DrainSelection, args: DrainArgs): PlanWarning[] {
  const name = node.metadata?.name ?? '';
  const leaving = selection.targets.filter((p) => !isTerminating(p));
  // Pods whose replacement must be scheduled somewhere else: not bare, not already replaced.
  const moving = leaving.filter((p) => controllerOf(p));
  // Pods the drain evicts or stops waiting for: both stay on a dead node, holding their volumes.
  const notWaited = selection.skipped.filter((s) => s.by === SkipFilter.SkipDeleted).map((s) => s.pod);
  const w: (PlanWarning | undefined)[] = [
    localDataWarning(selection.targets, view, name),
    downtimeWarning(leaving, view, `on ${name}`, { node: name }),
    pdbWarning(leaving, view, name),
    ...movedPodsWarnings(view, moving, name),
    controlPlaneWarning(node),
    staticPodsWarning(nodePods, name),
    rwoMultiAttachWarning([...selection.targets, ...notWaited], view, node),
    isNodeReady(node) ? undefined : nodeNotReadyWarning(node, notReadyConsequence(name, selection.targets, notWaited, args)),
    barePodsWarning(selection.targets),
  ];
  return w.filter((x): x is PlanWarning => x !== undefined);
}

/** What a NotReady node means for this drain: no kubelet confirms a pod stopped, so none leaves. */
function notReadyConsequence(node: string, targets: V1Pod[], notWaited: V1Pod[], args: DrainArgs): string {
  const names = (pods: V1Pod[]) => listSome(pods.map((p) => p.metadata?.name ?? ''), 3);
  const parts: string[] = ['its kubelet cannot confirm that pods stopped, so evicted pods stay Terminating there'];
  if (notWaited.length) {
    parts.push(`${notWaited.length} terminating for more than ${args.skipWaitForDeleteTimeoutSeconds}s (${names(notWaited)}) ${notWaited.length === 1 ? 'is' : 'are'} not waited for and stay${notWaited.length === 1 ? 's' : ''} on ${node}`);
  }
  if (targets.length) {
    parts.push(`the drain waits for ${names(targets)} until --timeout${args.skipWaitForDeleteTimeoutSeconds > 0 ? '' : ' (--skip-wait-for-delete-timeout stops waiting, but they stay on the node)'}`);
  }
  return `${parts.join('; ')}. Once ${node} is surely powered off, \`/k8s fence ${node}\` force-deletes them and frees their volumes.`;
}
