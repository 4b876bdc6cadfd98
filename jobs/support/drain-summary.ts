import type { V1Pod } from '@kubernetes/client-node';
import { formatDuration } from '../../src/core/duration.js';
import { ErrorCode } from '../../src/core/errors.js';
import type { JobResult } from '../../src/core/job.js';
import type { Plan } from '../../src/core/plan.js';
import type { DrainArgs } from '../../src/core/verbs/index.js';
import { unavailableReason } from '../../src/k8s/api-errors.js';
import { findNode, loadClusterView } from '../../src/k8s/cluster-view.js';
import { SkipFilter } from '../../src/k8s/drain-filters.js';
import { nsName } from '../../src/k8s/object-ref.js';
import { isNodeReady } from '../../src/k8s/pod-facts.js';
import { whyStillOnNode } from '../../src/k8s/stuck-pod.js';
import type { JobContext } from '../job-context.js';
import { drainAgainCommand } from './drain-again.js';
import { podTarget, type DrainAnalysis } from './drain-analysis.js';
import { askedToRemove, type DrainOutcome, type Track } from './drain-run.js';

/** A pod the drain meant to see leave (or chose not to wait for) that is still on the node. */
interface Leftover {
  pod: V1Pod;
  /** What the drain did about it: blocked by a PDB, failed, not waited for, still waited for at the timeout. */
  status: string;
}

/**
 * What a drain did, for its card and the timeline: every pod the approved plan named, each as
 * changed (removed by this job, in any attempt, by its checkpoint) or not (gone already, left
 * alone, still there and why). `ok` only when the node is empty of workload pods: a pod the drain
 * did not wait for (--skip-wait-for-delete-timeout) is still on the node, so the result says so,
 * with why, instead of "drained", and names the way out (on a dead node: fence it).
 */
export async function summarizeDrain(ctx: JobContext, args: DrainArgs, analysis: DrainAnalysis, approved: Plan, outcome: DrainOutcome, startedAt: number): Promise<JobResult> {
  const node = args.node;
  const removed = args.disableEviction ? 'deleted' : 'evicted';
  const { tracks } = outcome;
  const changed = [...outcome.changed];
  const unchanged = [...outcome.unchanged];
  const byUid = new Map(tracks.map((t) => [t.uid, t]));
  // Pods the approved plan named that this run no longer saw: gone since, by this job's earlier
  // attempt (asked, by its checkpoints, even if it died before hearing the answer) or by someone else.
  for (const act of approved.actions) {
    if ((act.kind !== 'evict' && act.kind !== 'delete') || !act.uid || byUid.has(act.uid)) continue;
    if (await askedToRemove(ctx, act.uid)) changed.push(`${act.target} ${removed}`);
    else unchanged.push(`${act.target} was already gone`);
  }
  for (const t of tracks) {
    if (t.state === 'gone' || t.state === 'requested') {
      if (t.removedHere || (await askedToRemove(ctx, t.uid))) changed.push(`${t.ref} ${removed}`);
      else unchanged.push(`${t.ref} was already gone${t.note ? ` (${t.note})` : ''}`);
    } else if (t.state === 'skipped') changed.push(`${t.ref} ${removed}; ${t.note}`);
  }
  const notWaited = analysis.selection.skipped.filter((s) => s.by === SkipFilter.SkipDeleted);
  const alone = analysis.selection.skipped.filter((s) => s.by !== SkipFilter.SkipDeleted);
  for (const sk of alone) unchanged.push(`${podTarget(sk.pod)} left alone: ${sk.reason}`);

  const failed = tracks.filter((t) => t.state === 'failed');
  const waiting = tracks.filter((t) => t.state === 'pending' || t.state === 'requested');
  const candidates: Leftover[] = [
    ...[...waiting, ...failed, ...tracks.filter((t) => t.state === 'skipped')].map((t) => ({ pod: t.pod, status: trackStatus(t) })),
    ...notWaited.map((s) => ({ pod: s.pod, status: `not waited for (--skip-wait-for-delete-timeout ${args.skipWaitForDeleteTimeoutSeconds})` })),
  ];
  const took = formatDuration(ctx.clock.now() - startedAt);
  const stillThere = candidates.length ? await stillOnNode(ctx, node, candidates) : { lines: [], uids: new Set<string>(), nodeReady: true };
  // A pod whose request failed or was never answered, or that was still waiting its turn, may be
  // gone by now: removed by this job (an attempt asked for it) or by someone else. Never unlisted.
  for (const t of tracks.filter((x) => (x.state === 'failed' || x.state === 'pending') && !stillThere.uids.has(x.uid))) {
    if (await askedToRemove(ctx, t.uid)) changed.push(`${t.ref} ${removed}`);
    else unchanged.push(`${t.ref} gone since, not by this drain`);
  }
  const count = changed.filter((c) => c.startsWith('pod/')).length;
  for (const sk of notWaited) if (!stillThere.uids.has(sk.pod.metadata?.uid ?? '')) unchanged.push(`${podTarget(sk.pod)} not waited for (${sk.reason}); gone since`);
  for (const l of stillThere.lines) unchanged.push(`still on ${node}: ${l}`);

  if (stillThere.lines.length === 0) {
    return {
      ok: true,
      title: `Drained ${node}: ${count} pod${count === 1 ? '' : 's'} ${removed} in ${took}`,
      text: `${node} is cordoned and empty of workload pods${alone.length ? ` (${alone.length} DaemonSet or static pod${alone.length === 1 ? '' : 's'} stay by design)` : ''}. Undo with \`/k8s uncordon ${node}\` after maintenance.`,
      changed,
      unchanged,
    };
  }
  const left = stillThere.lines.length;
  const pods = `${left} pod${left === 1 ? '' : 's'}`;
  const [code, title] =
    waiting.length > 0
      ? [ErrorCode.Timeout, `Drain of ${node} timed out after ${formatDuration(args.timeoutMs)}${stillThere.unanswered ? ' with the Kubernetes API not answering' : ''}: ${pods} still there`]
      : failed.length > 0
        ? [ErrorCode.KubernetesApi, `Drain of ${node} incomplete: ${failed.length} pod${failed.length === 1 ? '' : 's'} could not be ${removed}`]
        : [ErrorCode.DrainIncomplete, `Drain of ${node} incomplete: ${pods} still on ${node}`];
  const again = `\`${drainAgainCommand(args, ctx.cluster)}\``;
  const next = stillThere.unanswered
    ? `Run ${again} once the API server answers: it carries on where this one stopped, and asks no pod twice.`
    : stillThere.nodeReady
      ? `Fix the cause and run ${again} (it carries on where this one stopped), or \`/k8s uncordon ${node}\`.`
      : `Once ${node} is surely powered off, \`/k8s fence ${node}\` force-deletes them and detaches their volumes.`;
  const shown = stillThere.lines.slice(0, LISTED);
  return {
    ok: false,
    code,
    title,
    text: [
      `${count} pod${count === 1 ? '' : 's'} ${removed}; still on ${node}${stillThere.unanswered ? ' when the API server last answered' : ''}:`,
      ...shown.map((l) => `• ${l}`),
      ...(left > shown.length ? [`• … and ${left - shown.length} more`] : []),
      `${node} stays cordoned. ${next}`,
    ].join('\n'),
    changed,
    unchanged,
  };
}

/** Pods listed by name in a failed drain's message; the rest are counted. */
const LISTED = 20;

function trackStatus(t: Track): string {
  if (t.state === 'failed') return `failed: ${t.note}`;
  if (t.blocked) return `blocked: ${t.blocked}`;
  if (t.state === 'skipped') return `${t.note}`;
  if (t.state === 'pending') return `not ${t.note ? `evicted: ${t.note}` : 'evicted yet'}`;
  return 'still terminating';
}

/**
 * Which of `candidates` are still on the node, read again now (the run may have outlived the
 * plan's read by minutes), each with its status and why it is still there.
 */
async function stillOnNode(ctx: JobContext, node: string, candidates: Leftover[]): Promise<{ lines: string[]; uids: Set<string>; nodeReady: boolean; unanswered?: boolean }> {
  let view: Awaited<ReturnType<typeof loadClusterView>>;
  try {
    view = await loadClusterView(ctx.kube, { focus: (pods) => pods.filter((p) => p.spec?.nodeName === node), signal: ctx.signal });
  } catch (err) {
    // The API is still out (the drain timed out waiting for it): what the run knew is all there is.
    const why = unavailableReason(err);
    if (!why) throw err;
    ctx.log.warn({ err }, 'could not read the node again for the drain result');
    const lines = candidates.map((c) => `${nsName(c.pod.metadata?.namespace, c.pod.metadata?.name)}: ${c.status}`);
    return { lines, uids: new Set(candidates.map((c) => c.pod.metadata?.uid ?? '')), nodeReady: true, unanswered: true };
  }
  const current = findNode(view, node);
  const present = new Map(view.pods.filter((p) => p.spec?.nodeName === node).map((p) => [p.metadata?.uid, p]));
  const lines: string[] = [];
  const uids = new Set<string>();
  for (const c of candidates) {
    const pod = present.get(c.pod.metadata?.uid);
    if (!pod) continue;
    uids.add(pod.metadata?.uid ?? '');
    const why = whyStillOnNode(pod, current, view, ctx.clock.now());
    lines.push(`${nsName(pod.metadata?.namespace, pod.metadata?.name)}: ${[c.status, ...why].join('; ')}`);
  }
  return { lines, uids, nodeReady: current ? isNodeReady(current) : true };
}
