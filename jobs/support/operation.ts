import { ErrorCode, JobError } from '../../src/core/errors.js';
import type { JobProgress } from '../../src/core/job.js';
import { fingerprintPlan, planDrift, type Plan } from '../../src/core/plan.js';
import { toSitrepError } from '../../src/k8s/api-errors.js';
import type { JobContext } from '../job-context.js';

/** Everything of a plan but what buildPlan fills in. */
export type PlanDraft = Omit<Plan, 'v' | 'fingerprint' | 'createdAt' | 'fixed' | 'facts' | 'cluster'> & { fixed?: Plan['fixed']; facts?: Plan['facts'] };

/** A plan from its draft: stamped with the cluster and time, and fingerprinted over every field. */
export function buildPlan(ctx: JobContext, draft: PlanDraft): Plan {
  const body = { ...draft, fixed: draft.fixed ?? {}, facts: draft.facts ?? {} };
  return { v: 1, cluster: ctx.cluster, ...body, createdAt: ctx.clock.now(), fingerprint: fingerprintPlan(body) };
}

/** Checkpoint that marks a job's first change: a later execute of the same job is a resume. */
const STARTED = 'started';

export interface RunStart {
  /** An earlier run of this job already began changing the cluster. */
  resumed: boolean;
  /** When the job first began (this run's start when it is the first). */
  startedAt: number;
  /** Records the first change; call after the drift check, before the first write. */
  begin(): Promise<void>;
}

/**
 * Whether this run resumes one that had begun. Only a run that got past its checks counts: a run
 * that failed before changing anything (drift, cluster unreachable) leaves the next one a fresh start.
 */
export async function readStart(ctx: JobContext): Promise<RunStart> {
  const before = await ctx.checkpoints.get<number>(STARTED);
  const startedAt = before ?? ctx.clock.now();
  return {
    resumed: before !== undefined,
    startedAt,
    begin: async () => {
      if (before === undefined) await ctx.checkpoints.set(STARTED, startedAt);
    },
  };
}

/**
 * DESIGN.md invariant 3: what runs is what was approved. Anything the fresh plan would do or warn
 * about that the approved one did not stops the job before it changes anything. Drift that only
 * shrinks (fewer pods, fewer warnings) is fine.
 *
 * A resumed job compares only actions and refusals: its own earlier steps moved pods, so the fresh
 * warnings about where pods land (capacity, PDB budget, downtime) are the job's own effect, not the
 * cluster drifting under it. New targets still stop it.
 */
export function assertNoDrift(approved: Plan, fresh: Plan, options: { resumed: boolean }): void {
  if (approved.target !== fresh.target || approved.verb !== fresh.verb) {
    throw new JobError(ErrorCode.PlanDrifted, `The approved plan was for ${approved.verb} ${approved.target}, not ${fresh.verb} ${fresh.target}. Nothing was changed.`, {
      hint: 'Ask again with the command you mean to run.',
    });
  }
  const { added } = planDrift(approved, fresh, { actionsOnly: options.resumed });
  if (added.length === 0) return;
  throw new JobError(ErrorCode.PlanDrifted, `Stopped: the cluster changed since the plan was approved. New: ${added.slice(0, 8).join('; ')}${added.length > 8 ? `; and ${added.length - 8} more` : ''}. Nothing was changed.`, {
    hint: 'Run the command again to see the new plan and approve it.',
  });
}

/**
 * Saves the job's backup once, before its first destructive step: a resumed job keeps the
 * manifests as they were before anything changed. `objects` is only built when needed.
 */
export async function backupOnce(ctx: JobContext, name: string, objects: () => unknown[]): Promise<void> {
  if (await ctx.checkpoints.get<boolean>('backup')) return;
  await ctx.backup(name, objects());
  await ctx.checkpoints.set('backup', true);
}

/**
 * Wraps a Kubernetes failure for people, except when the worker is stopping: then the raw error
 * goes up so the runner hands the job back to the queue for another worker to resume.
 */
export function rethrow(err: unknown, ctx: JobContext, doing: string): never {
  if (ctx.signal.aborted) throw err;
  throw toSitrepError(err, ctx.cluster, doing);
}

/**
 * Progress for people, sent at most every `intervalMs` (the last state always goes out). A failing
 * progress call (the worker shutting down) aborts the job through `fail`.
 */
export class ProgressReporter {
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  private pending: Omit<JobProgress, 'elapsedMs'> | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** When the progress write now in flight started (Date.now ms), if one is. */
  private writingSince: number | undefined;

  constructor(
    private readonly ctx: JobContext,
    private readonly startedAt: number,
    private readonly fail: (err: unknown) => void,
    private readonly intervalMs = 250,
  ) {}

  report(p: Omit<JobProgress, 'elapsedMs'>): void {
    this.pending = p;
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0) this.send();
    else this.timer ??= setTimeout(() => this.send(), wait);
  }

  /** Sends what is pending now and waits for every send so far. */
  async flush(): Promise<void> {
    if (this.pending) this.send();
    await this.chain;
  }

  /** How long the progress write in flight has waited, ms; undefined when none is in flight. */
  writingForMs(): number | undefined {
    return this.writingSince === undefined ? undefined : Date.now() - this.writingSince;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private send(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    this.last = Date.now();
    const elapsedMs = Math.max(0, this.ctx.clock.now() - this.startedAt);
    this.chain = this.chain
      .then(async () => {
        this.writingSince = Date.now();
        try {
          await this.ctx.progress({ ...p, elapsedMs });
        } finally {
          this.writingSince = undefined;
        }
      })
      .catch((err) => this.fail(err));
  }
}
