import { formatDuration } from '../../src/core/duration.js';
import { ErrorCode } from '../../src/core/errors.js';
import type { JobResult } from '../../src/core/job.js';
import type { Plan } from '../../src/core/plan.js';
import type { DrainArgs } from '../../src/core/verbs/index.js';
import { nsName } from '../../src/k8s/object-ref.js';
import type { JobContext } from '../job-context.js';
import { podTarget, type DrainAnalysis } from './drain-analysis.js';
import { evictedKey, type DrainOutcome } from './drain-run.js';

/**
 * What a drain did, for its card and the timeline: every pod the approved plan named, each as
 * changed (removed by this job, in any attempt, by its checkpoint) or not (gone already, left
 * alone, still there and why). `ok: false` when any pod is still on the node.
 */
export async function summarizeDrain(ctx: JobContext, args: DrainArgs, analysis: DrainAnalysis, approved: Plan, outcome: DrainOutcome, startedAt: number): Promise<JobResult> {
  const node = args.node;
  const removed = args.disableEviction ? 'deleted' : 'evicted';
  const { tracks } = outcome;
  const changed = [...outcome.changed];
  const unchanged = [...outcome.unchanged];
  const byUid = new Map(tracks.map((t) => [t.uid, t]));
  // Pods the approved plan named that this run no longer saw: gone since, by this job's earlier
  // run (checkpointed) or by someone else.
  for (const act of approved.actions) {
    if ((act.kind !== 'evict' && act.kind !== 'delete') || !act.uid || byUid.has(act.uid)) continue;
    if (await ctx.checkpoints.get(evictedKey(act.uid))) changed.push(`${act.target} ${removed}`);
    else unchanged.push(`${act.target} was already gone`);
  }
  for (const t of tracks) {
    if (t.state === 'gone' || t.state === 'requested') {
      if (t.removedHere || (await ctx.checkpoints.get(evictedKey(t.uid)))) changed.push(`${t.ref} ${removed}`);
      else unchanged.push(`${t.ref} was already gone${t.note ? ` (${t.note})` : ''}`);
    } else if (t.state === 'skipped') changed.push(`${t.ref} ${removed}; ${t.note}`);
  }
  for (const sk of analysis.selection.skipped) unchanged.push(`${podTarget(sk.pod)} left alone: ${sk.reason}`);

  const failed = tracks.filter((t) => t.state === 'failed');
  const left = tracks.filter((t) => t.state === 'pending' || t.state === 'requested');
  for (const t of [...failed, ...left]) unchanged.push(`${t.ref} still on ${node}: ${t.note ?? t.blocked ?? 'still terminating'}`);
  const took = formatDuration(ctx.clock.now() - startedAt);
  const count = changed.filter((c) => c.startsWith('pod/')).length;

  if (failed.length === 0 && left.length === 0) {
    return {
      ok: true,
      title: `Drained ${node}: ${count} pod${count === 1 ? '' : 's'} ${removed} in ${took}`,
      text: `${node} is cordoned and empty of workload pods${analysis.selection.skipped.length ? ` (${analysis.selection.skipped.length} left alone: DaemonSet or static pods)` : ''}. Undo with \`/k8s uncordon ${node}\` after maintenance.`,
      changed,
      unchanged,
    };
  }
  const timedOut = left.length > 0;
  const lines = [...left, ...failed].map((t) => `${nsName(t.namespace, t.name)}: ${t.state === 'failed' ? `failed: ${t.note}` : t.blocked ? `blocked: ${t.blocked}` : 'still terminating'}`);
  return {
    ok: false,
    code: timedOut ? ErrorCode.Timeout : ErrorCode.KubernetesApi,
    title: timedOut
      ? `Drain of ${node} timed out after ${formatDuration(args.timeoutMs)}: ${left.length} pod${left.length === 1 ? '' : 's'} still there`
      : `Drain of ${node} incomplete: ${failed.length} pod${failed.length === 1 ? '' : 's'} could not be ${removed}`,
    text: [`${count} pod${count === 1 ? '' : 's'} ${removed}; not done:`, ...lines.slice(0, 20).map((l) => `• ${l}`), `${node} stays cordoned. Fix the cause and run the drain again, or \`/k8s uncordon ${node}\`.`].join('\n'),
    changed,
    unchanged,
  };
}
