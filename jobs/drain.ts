import { ErrorCode, JobError } from '../src/core/errors.js';
import type { JobResult } from '../src/core/job.js';
import { drainVerb, type DrainArgs } from '../src/core/verbs/index.js';
import { withApiRetries } from '../src/k8s/api-retry.js';
import { isCordoned } from '../src/k8s/node-schedulable.js';
import { listSome } from '../src/k8s/object-ref.js';
import type { OperationJob } from './job-context.js';
import { analyzeDrain, podTarget, type DrainAnalysis } from './support/drain-analysis.js';
import { DrainRun } from './support/drain-run.js';
import { summarizeDrain } from './support/drain-summary.js';
import { PodBackup } from './support/pod-backup.js';
import { assertNoDrift, backupOnce, readStart, rethrow } from './support/operation.js';

export interface DrainJobOptions {
  /** Longest milliseconds between eviction attempts while a PodDisruptionBudget refuses (429), as kubectl's 5 s;
   * a pod is asked again sooner once a budget covering it allows a disruption (support/budget-wait.ts).
   * @defaultValue 5000 */
  retryIntervalMs?: number;
  /** Eviction or delete requests in flight at once; all pods proceed in parallel below this cap.
   * @defaultValue 32 */
  maxInFlight?: number;
  /** Least milliseconds between progress reports.
   * @defaultValue 250 */
  progressIntervalMs?: number;
  /** After this many milliseconds without progress the worker logs what the drain waits on (support/stall-watch.ts).
   * @defaultValue 30000 */
  stallReportMs?: number;
}

/** How long the result's read of the node keeps retrying a failing API, ms. */
const RESULT_READ_MS = 5000;

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

/**
 * `/k8s drain NODE`: plan with kubectl's filters and sitrep's hazards; execute by re-planning,
 * refusing drift, backing up, then the steps of DrainRun (jobs/support/drain-run.ts).
 */
export function createDrainJob(options: DrainJobOptions = {}): OperationJob<typeof drainVerb> {
  const retryIntervalMs = options.retryIntervalMs ?? 5000;
  const limit = limiter(options.maxInFlight ?? 32);

  return {
    verb: drainVerb,

    async plan(args, ctx) {
      try {
        return (await analyzeDrain(ctx, args)).plan;
      } catch (err) {
        rethrow(err, ctx, `planning the drain of ${args.node}`);
      }
    },

    async execute(args, approved, ctx) {
      const start = await readStart(ctx);
      let analysis: DrainAnalysis;
      try {
        analysis = await analyzeDrain(ctx, args);
      } catch (err) {
        rethrow(err, ctx, `re-checking the drain of ${args.node}`);
      }
      if (analysis.plan.refusal) {
        // sitrep's rule: any filter error means nothing on the node is touched. kubectl cordons
        // before it filters; sitrep filters first, so a refused drain does not even cordon.
        throw new JobError(ErrorCode.DrainRefused, `Drain of ${args.node} refused, nothing changed: ${analysis.plan.refusal.message}`, {
          hint: `Add ${analysis.plan.refusal.flag} if that is what you want, and ask again.`,
        });
      }
      assertNoDrift(approved, analysis.plan, { resumed: start.resumed });
      if (args.dryRun) return dryRunResult(analysis, args);
      await start.begin();
      try {
        // Backup once per job, before the first destructive step; a resumed job keeps the original.
        await backupOnce(ctx, `drain-${args.node}`, () => backupObjects(analysis));
      } catch (err) {
        rethrow(err, ctx, `backing up before the drain of ${args.node}`);
      }
      const run = new DrainRun(ctx, args, analysis, { startedAt: start.startedAt, retryIntervalMs, limit, progressIntervalMs: options.progressIntervalMs ?? 250, stallReportMs: options.stallReportMs });
      const outcome = await run.run();
      // The result reads the node again; if the API is still out (the drain timed out on it), it
      // says what the run knew after a short wait rather than retrying for long past the deadline.
      return withApiRetries({ until: AbortSignal.any([ctx.signal, AbortSignal.timeout(RESULT_READ_MS)]) }, () => summarizeDrain(ctx, args, analysis, approved, outcome, start.startedAt));
    },
  };
}

/** The job the registry runs. */
export const drainJob = createDrainJob();

function dryRunResult(a: DrainAnalysis, args: DrainArgs): JobResult {
  const targets = a.selection.targets.map(podTarget);
  return {
    ok: true,
    title: `Dry run: drain ${args.node} would ${isCordoned(a.node) ? '' : 'cordon it and '}${args.disableEviction ? 'delete' : 'evict'} ${targets.length} pod${targets.length === 1 ? '' : 's'}`,
    text: ['Nothing was changed (dry run).', targets.length ? `Would remove: ${listSome(targets, 10)}` : 'No pods to remove.'].join('\n'),
    changed: [],
    unchanged: [`node/${args.node}: dry run, nothing changed`],
  };
}

/** Manifests saved before the first eviction: the node, each target pod, their PVCs and PVs. */
function backupObjects(a: DrainAnalysis): unknown[] {
  return new PodBackup(a.view).add(a.node.metadata?.uid, a.node, 'Node', 'v1').pods(a.selection.targets).manifests();
}
