import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../src/core/duration.js';
import { ErrorCode, isSitrepError } from '../src/core/errors.js';
import type { Plan } from '../src/core/plan.js';
import { conditionTarget, describeCondition, waitVerb, type WaitArgs } from '../src/core/verbs/index.js';
import { statusCodeOf } from '../src/k8s/api-errors.js';
import { observeCondition, type Observation } from '../src/k8s/conditions.js';
import type { JobContext, OperationJob } from './job-context.js';
import { buildPlan, readStart, rethrow } from './support/operation.js';

export interface WaitJobOptions {
  /** Milliseconds between two reads of the condition.
   * @defaultValue 1000 */
  pollMs?: number;
}

/**
 * A runbook's wait step (and the check of a step's `if:`). Its plan reads the condition now and
 * records the baseline the wait compares against (`fixed`: the node's boot ID, the workloads on
 * the node) and whether it holds (`fixed.holds`); it changes nothing, so it has no actions. Its
 * execution reads the condition every `pollMs` until it holds or the step's timeout, counted from
 * the first start (a wait resumed by another worker keeps its deadline), runs out.
 */
export function createWaitJob(options: WaitJobOptions = {}): OperationJob<typeof waitVerb> {
  const pollMs = options.pollMs ?? 1000;

  async function observe(ctx: JobContext, args: WaitArgs, baseline?: Plan['fixed']): Promise<Observation> {
    return observeCondition(ctx.kube, args.condition, baseline, ctx.signal);
  }

  return {
    verb: waitVerb,

    async plan(args, ctx) {
      const what = describeCondition(args.condition);
      try {
        const o = await observe(ctx, args);
        return buildPlan(ctx, {
          verb: 'wait',
          target: conditionTarget(args.condition),
          summary: `Wait up to ${formatDuration(args.timeoutMs)} for ${what}; now: ${o.seen}`,
          actions: [],
          skipped: [],
          warnings: [],
          fixed: { ...o.baseline, holds: o.holds, seen: o.seen },
        });
      } catch (err) {
        if (statusCodeOf(err) === 404 || (isSitrepError(err) && err.code === ErrorCode.NotFound)) {
          return buildPlan(ctx, { verb: 'wait', target: conditionTarget(args.condition), summary: `Cannot wait for ${what}`, actions: [], skipped: [], warnings: [], refusal: { message: `${conditionTarget(args.condition)} does not exist in cluster ${ctx.cluster}` }, fixed: { holds: false, seen: 'not found' } });
        }
        rethrow(err, ctx, `reading ${what}`);
      }
    },

    async execute(args, approved, ctx) {
      const start = await readStart(ctx);
      await start.begin();
      const what = describeCondition(args.condition);
      const deadline = start.startedAt + args.timeoutMs;
      let last = '';
      let lastSent = 0;
      for (;;) {
        let o: Observation;
        try {
          o = await observe(ctx, args, approved.fixed);
        } catch (err) {
          rethrow(err, ctx, `reading ${what}`);
        }
        const now = ctx.clock.now();
        const took = formatDuration(now - start.startedAt);
        if (o.holds) return { ok: true, title: o.seen, text: `${what} after ${took}.`, changed: [], unchanged: [] };
        if (now >= deadline) {
          return { ok: false, code: ErrorCode.WaitTimeout, title: `Timed out after ${took} waiting for ${what}; last seen: ${o.seen}`, text: 'Nothing was changed by this step. Check the object, then start the runbook again or finish by hand.', changed: [], unchanged: [] };
        }
        if (o.seen !== last || now - lastSent > 5000) {
          last = o.seen;
          lastSent = now;
          await ctx.progress({ phase: 'waiting', done: 0, total: 0, blocked: [], message: `Waiting for ${what}: ${o.seen} (${formatDuration(deadline - now)} left)` });
        }
        await sleep(Math.min(pollMs, Math.max(0, deadline - now)), undefined, { signal: ctx.signal }).catch(() => undefined);
        if (ctx.signal.aborted) throw new Error('wait stopped: the worker is shutting down');
      }
    },
  };
}

/** The job the registry runs. */
export const waitJob = createWaitJob();
