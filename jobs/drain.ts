import { setMaxListeners } from 'node:events';
import type { V1Pod } from '@kubernetes/client-node';
import { z } from 'zod';
import { formatDuration } from '../src/core/duration.js';
import { ErrorCode, JobError } from '../src/core/errors.js';
import type { JobResult } from '../src/core/job.js';
import type { Plan } from '../src/core/plan.js';
import { kubeStatusOf } from '../src/k8s/api-errors.js';
import { terminatingLongerThan } from '../src/k8s/drain-filters.js';
import { deletePodOnce, evictPod, type RemovalOutcome } from '../src/k8s/evict.js';
import { toManifest } from '../src/k8s/manifest.js';
import { isCordoned, setUnschedulable } from '../src/k8s/node-schedulable.js';
import { listSome, nsName } from '../src/k8s/object-ref.js';
import { podsOnNode } from '../src/k8s/cluster-view.js';
import { NodePodWatch } from '../src/k8s/pod-watch.js';
import { podClaims } from '../src/k8s/storage-facts.js';
import type { JobContext, OperationJob } from './job-context.js';
import { analyzeDrain, podTarget, type DrainAnalysis, type DrainFlags } from './support/drain-analysis.js';
import { assertNoDrift, backupOnce, ProgressReporter, readStart, rethrow } from './support/operation.js';
import { NameArg } from './support/read-args.js';

/**
 * The drain arguments as commands/k8s/drain.ts builds them, re-validated on the worker (jobs/ may
 * not import commands/). Defaults match the command's, so an older payload still reads.
 */
const DrainArgs = z.object({
  node: NameArg,
  ignoreDaemonsets: z.boolean().default(true),
  deleteEmptyDirData: z.boolean().default(false),
  force: z.boolean().default(false),
  disableEviction: z.boolean().default(false),
  skipWaitForDeleteTimeoutSeconds: z.number().int().min(0).default(0),
  podSelector: z.string().min(1).max(1000).optional(),
  timeoutMs: z.number().int().positive().default(600_000),
  gracePeriod: z.number().int().min(-1).default(-1),
  dryRun: z.union([z.literal(false), z.literal('client'), z.literal('server')]).default(false),
});

export interface DrainJobOptions {
  /** Milliseconds between eviction attempts while a PodDisruptionBudget refuses (429), as kubectl's 5 s.
   * @defaultValue 5000 */
  retryIntervalMs?: number;
  /** Eviction or delete requests in flight at once; all pods proceed in parallel below this cap.
   * @defaultValue 32 */
  maxInFlight?: number;
  /** Least milliseconds between progress reports.
   * @defaultValue 250 */
  progressIntervalMs?: number;
}

type PodState = 'pending' | 'requested' | 'gone' | 'skipped' | 'failed';

interface Track {
  pod: V1Pod;
  uid: string;
  ref: string;
  namespace: string;
  name: string;
  state: PodState;
  /** The PDB's refusal while blocked (the 429's cause). */
  blocked?: string;
  /** Why it failed, or why it was skipped while waiting. */
  note?: string;
  /** Removed by this run's request (not found gone). */
  removedHere?: boolean;
}

const evictedKey = (uid: string) => `evicted:${uid}`;

/** Longest one eviction or delete request may take. */
const REQUEST_TIMEOUT_MS = 30_000;

/** A tiny semaphore: at most `n` calls of `run` at once. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (fn) => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

export function createDrainJob(options: DrainJobOptions = {}): OperationJob {
  const retryIntervalMs = options.retryIntervalMs ?? 5000;
  const maxInFlight = options.maxInFlight ?? 32;

  return {
    verb: 'drain',

    async plan(raw, ctx) {
      const flags = DrainArgs.parse(raw);
      try {
        return (await analyzeDrain(ctx, flags)).plan;
      } catch (err) {
        rethrow(err, ctx, `planning the drain of ${flags.node}`);
      }
    },

    async execute(raw, approved, ctx) {
      const flags = DrainArgs.parse(raw);
      const start = await readStart(ctx);
      let a: DrainAnalysis;
      try {
        a = await analyzeDrain(ctx, flags);
      } catch (err) {
        rethrow(err, ctx, `re-checking the drain of ${flags.node}`);
      }
      if (a.plan.refusal) {
        // sitrep's rule: any filter error means nothing on the node is touched. kubectl cordons
        // before it filters; sitrep filters first, so a refused drain does not even cordon.
        throw new JobError(ErrorCode.DrainRefused, `Drain of ${flags.node} refused, nothing changed: ${a.plan.refusal.message}`, {
          hint: `Add ${a.plan.refusal.flag} if that is what you want, and ask again.`,
        });
      }
      assertNoDrift(approved, a.plan, { resumed: start.resumed });
      if (flags.dryRun) return dryRunResult(a, flags);
      await start.begin();
      return runDrain(ctx, flags, a, approved, { startedAt: start.startedAt, retryIntervalMs, limit: limiter(maxInFlight), progressIntervalMs: options.progressIntervalMs ?? 250 });
    },
  };
}

/** The job the registry runs. */
export const drainJob: OperationJob = createDrainJob();

function dryRunResult(a: DrainAnalysis, flags: DrainFlags): JobResult {
  const targets = a.selection.targets.map(podTarget);
  return {
    ok: true,
    title: `Dry run: drain ${flags.node} would ${isCordoned(a.node) ? '' : 'cordon it and '}${flags.disableEviction ? 'delete' : 'evict'} ${targets.length} pod${targets.length === 1 ? '' : 's'}`,
    text: ['Nothing was changed (dry run).', targets.length ? `Would remove: ${listSome(targets, 10)}` : 'No pods to remove.'].join('\n'),
    changed: [],
    unchanged: [`node/${flags.node}: dry run, nothing changed`],
  };
}

/** Manifests saved before the first eviction: the node, each target pod, their PVCs and PVs. */
function backupObjects(a: DrainAnalysis): unknown[] {
  const out: unknown[] = [toManifest(a.node, 'Node', 'v1')];
  const seen = new Set<string>();
  for (const p of a.selection.targets) {
    out.push(toManifest(p, 'Pod', 'v1'));
    for (const c of podClaims(p, a.view)) {
      if (c.pvc && !seen.has(`pvc/${c.pvc.metadata?.uid}`)) {
        seen.add(`pvc/${c.pvc.metadata?.uid}`);
        out.push(toManifest(c.pvc, 'PersistentVolumeClaim', 'v1'));
      }
      if (c.pv && !seen.has(`pv/${c.pv.metadata?.uid}`)) {
        seen.add(`pv/${c.pv.metadata?.uid}`);
        out.push(toManifest(c.pv, 'PersistentVolume', 'v1'));
      }
    }
  }
  return out;
}

async function runDrain(
  ctx: JobContext,
  flags: DrainFlags,
  a: DrainAnalysis,
  approved: Plan,
  o: { startedAt: number; retryIntervalMs: number; limit: ReturnType<typeof limiter>; progressIntervalMs: number },
): Promise<JobResult> {
  const node = flags.node;
  const runStart = ctx.clock.now();
  const deadline = runStart + flags.timeoutMs;
  const removed = flags.disableEviction ? 'deleted' : 'evicted';
  const changed: string[] = [];
  const unchanged: string[] = [];

  // One signal for the whole run: the worker stopping, or a progress report failing, ends it.
  const run = new AbortController();
  setMaxListeners(0, run.signal);
  const onAbort = () => run.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onAbort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let failure: unknown;
  const fail = (err: unknown) => {
    failure ??= err;
    run.abort(err);
  };
  const reporter = new ProgressReporter(ctx, o.startedAt, fail, o.progressIntervalMs);
  let watch: NodePodWatch | undefined;

  const tracks: Track[] = a.selection.targets.map((pod) => ({
    pod,
    uid: pod.metadata?.uid ?? '',
    ref: podTarget(pod),
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    state: 'pending',
  }));

  const report = (phase: string) => {
    const done = tracks.filter((t) => t.state === 'gone' || t.state === 'skipped').length;
    const blocked = tracks.filter((t) => t.state === 'pending' && t.blocked).map((t) => ({ target: t.ref, reason: t.blocked! }));
    const first = blocked[0];
    reporter.report({
      phase,
      done,
      total: tracks.length,
      message: `${node}: ${done}/${tracks.length} pods ${removed}${first ? `; blocked: ${nsName(first.target.split('/')[1], first.target.split('/')[2])} (${first.reason})` : ''}`,
      blocked,
    });
  };

  try {
    // Backup once per job, before the first destructive step; a resumed job keeps the original.
    await backupOnce(ctx, `drain-${node}`, () => backupObjects(a));

    // Step 1: cordon (idempotent: patching an already-cordoned node changes nothing).
    report('cordon');
    if (isCordoned(a.node)) {
      if (await ctx.checkpoints.get<boolean>('cordon')) changed.push(`node/${node} cordoned`);
      else unchanged.push(`node/${node} was already cordoned`);
    } else {
      await setUnschedulable(ctx.kube, node, true, run.signal);
      await ctx.checkpoints.set('cordon', true);
      changed.push(`node/${node} cordoned`);
    }

    // Nothing to evict (all gone, or only DaemonSet and static pods): no watch needed.
    if (tracks.length > 0) {
      // Step 2: one watch on the node's pods, from the list the plan was made from.
      watch = await NodePodWatch.start(ctx.kube, node, {
        initial: podsOnNode(a.view, node),
        resourceVersion: a.view.podsResourceVersion,
        signal: run.signal,
        onRecover: (what, err) => ctx.log.warn({ err }, what),
      });
      const w = watch;
      w.onChange(() => {
        let moved = false;
        for (const t of tracks) {
          if (t.state !== 'gone' && t.state !== 'failed' && !w.has(t.uid)) {
            t.state = 'gone';
            moved = true;
          }
        }
        if (moved) report('evicting');
      });
      for (const t of tracks) if (!w.has(t.uid)) t.state = 'gone';
      report('evicting');

      // Step 3: evict (or delete) every pod in parallel; each retries its own 429s.
      const removeOne = async (t: Track): Promise<void> => {
        if (t.state === 'gone') return;
        const already = t.pod.metadata?.deletionTimestamp || (await ctx.checkpoints.get(evictedKey(t.uid)));
        if (already) {
          // Evicted by an earlier run of this job (or terminating anyway): never ask twice.
          if (t.state === 'pending') t.state = 'requested';
          return;
        }
        for (;;) {
          run.signal.throwIfAborted();
          if (!w.has(t.uid)) {
            t.state = 'gone';
            return;
          }
          if (ctx.clock.now() >= deadline) return;
          const target = { namespace: t.namespace, name: t.name, uid: t.uid };
          // In-flight requests are not cut off when the run stops: each one finishes and is
          // checkpointed, so the job that resumes knows exactly which pods were asked. Bounded
          // by its own timeout instead.
          const req = { gracePeriodSeconds: flags.gracePeriod, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
          let outcome: RemovalOutcome;
          try {
            outcome = await o.limit(() => {
              // A slot may free up after the run was stopped: never start a new eviction then.
              run.signal.throwIfAborted();
              return flags.disableEviction ? deletePodOnce(ctx.kube, target, req) : evictPod(ctx.kube, target, req);
            });
          } catch (err) {
            if (run.signal.aborted) throw err;
            t.state = 'failed';
            t.note = kubeStatusOf(err)?.message ?? (err as Error).message;
            ctx.log.warn({ err, pod: t.ref }, 'eviction failed');
            report('evicting');
            return;
          }
          if (outcome.kind === 'accepted') {
            await ctx.checkpoints.set(evictedKey(t.uid), ctx.clock.now());
            t.removedHere = true;
            t.blocked = undefined;
            if (t.state === 'pending') t.state = w.has(t.uid) ? 'requested' : 'gone';
            report('evicting');
            return;
          }
          if (outcome.kind === 'gone') {
            t.state = 'gone';
            if (outcome.replaced) t.note = 'a new pod has its name';
            report('evicting');
            return;
          }
          if (!t.blocked) {
            await ctx.event({
              kind: 'job.blocked',
              key: `blocked:${t.uid}`,
              text: `Eviction of ${nsName(t.namespace, t.name)} blocked: ${outcome.reason}. Retrying every ${formatDuration(o.retryIntervalMs)}.`,
              data: { pod: t.ref, uid: t.uid, reason: outcome.reason },
            });
          }
          t.blocked = outcome.reason;
          report('evicting');
          await w.waitUntil(() => !w.has(t.uid), { signal: run.signal, deadline: Math.min(deadline, ctx.clock.now() + o.retryIntervalMs), now: () => ctx.clock.now() });
        }
      };
      // Settle every pod's step before giving up on any, so nothing is still in flight when this
      // run reports it stopped (a resumed run must not race a late eviction of this one).
      const settled = await Promise.allSettled(tracks.map(removeOne));
      run.signal.throwIfAborted();
      const broken = settled.find((r) => r.status === 'rejected');
      if (broken) throw broken.reason;

      // Step 4: wait until every evicted pod is gone (a replacement has a new UID, so it does not count).
      const skipNow = (t: Track) => {
        const cur = w.get(t.uid);
        if (!cur || !terminatingLongerThan({ metadata: cur }, flags.skipWaitForDeleteTimeoutSeconds, ctx.clock.now())) return false;
        t.state = 'skipped';
        t.note = `still terminating after ${flags.skipWaitForDeleteTimeoutSeconds}s (--skip-wait-for-delete-timeout)`;
        return true;
      };
      report('waiting');
      await w.waitUntil(() => tracks.every((t) => t.state !== 'requested' || !w.has(t.uid) || skipNow(t)), {
        signal: run.signal,
        deadline,
        tickMs: 1000,
        now: () => ctx.clock.now(),
      });
      for (const t of tracks) if (t.state === 'requested' && !w.has(t.uid)) t.state = 'gone';
    }
    report('done');
    await reporter.flush();
    if (failure) throw failure;
  } catch (err) {
    reporter.stop();
    if (failure) throw failure;
    // Stopped from outside (worker shutting down): surface why, unwrapped, so the job is requeued.
    if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
    rethrow(err, ctx, `draining ${node}`);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    watch?.close();
  }

  return await summarize(ctx, flags, a, approved, tracks, { changed, unchanged, startedAt: o.startedAt, removed });
}

async function summarize(
  ctx: JobContext,
  flags: DrainFlags,
  a: DrainAnalysis,
  approved: Plan,
  tracks: Track[],
  s: { changed: string[]; unchanged: string[]; startedAt: number; removed: string },
): Promise<JobResult> {
  const node = flags.node;
  const { changed, unchanged, removed } = s;
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
  for (const sk of a.selection.skipped) unchanged.push(`${podTarget(sk.pod)} left alone: ${sk.reason}`);

  const failed = tracks.filter((t) => t.state === 'failed');
  const left = tracks.filter((t) => t.state === 'pending' || t.state === 'requested');
  for (const t of [...failed, ...left]) unchanged.push(`${t.ref} still on ${node}: ${t.note ?? t.blocked ?? 'still terminating'}`);
  const took = formatDuration(ctx.clock.now() - s.startedAt);
  const count = changed.filter((c) => c.startsWith('pod/')).length;

  if (failed.length === 0 && left.length === 0) {
    return {
      ok: true,
      title: `Drained ${node}: ${count} pod${count === 1 ? '' : 's'} ${removed} in ${took}`,
      text: `${node} is cordoned and empty of workload pods${a.selection.skipped.length ? ` (${a.selection.skipped.length} left alone: DaemonSet or static pods)` : ''}. Undo with \`/k8s uncordon ${node}\` after maintenance.`,
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
      ? `Drain of ${node} timed out after ${formatDuration(flags.timeoutMs)}: ${left.length} pod${left.length === 1 ? '' : 's'} still there`
      : `Drain of ${node} incomplete: ${failed.length} pod${failed.length === 1 ? '' : 's'} could not be ${removed}`,
    text: [`${count} pod${count === 1 ? '' : 's'} ${removed}; not done:`, ...lines.slice(0, 20).map((l) => `• ${l}`), `${node} stays cordoned. Fix the cause and run the drain again, or \`/k8s uncordon ${node}\`.`].join('\n'),
    changed,
    unchanged,
  };
}
