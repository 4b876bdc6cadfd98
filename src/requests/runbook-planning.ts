import { describeError } from '../core/errors.js';
import type { Plan } from '../core/plan.js';
import type { StepRef } from '../core/runbook-step.js';
import type { JobEventEnvelope } from '../queue/job-events.js';
import { PlanTime, procedureOf, type RunbookInstance } from '../runbooks/index.js';
import type { ApprovalSteps } from './approval-steps.js';
import type { RequestDeps } from './deps.js';
import type { RequestRecord, StepRecord } from './request-store.js';
import { queueStepPlan } from './runbook-jobs.js';
import { procedurePlan } from './runbook-plan.js';
import { StepStatus } from './transitions.js';

/** The plan of a wait job says whether its condition holds now, and what it saw. */
export function conditionHolds(plan: Plan): { holds: boolean; seen: string } {
  return { holds: plan.fixed.holds === true, seen: String(plan.fixed.seen ?? plan.summary) };
}

/**
 * What a step needs before the runbook can be shown for approval: a run step planned now needs
 * its plan (or, with an `if:` that does not hold now, nothing: it is planned when reached), a
 * wait needs its plan (the baseline it waits against). Manual steps, notes and steps planned
 * when reached need nothing.
 */
function settled(procedure: RunbookInstance, steps: readonly (StepRecord | undefined)[], i: number): boolean {
  const step = procedure.steps[i]!;
  const r = steps[i];
  if (step.kind === 'manual' || step.kind === 'note') return true;
  if (step.kind === 'wait') return Boolean(r?.plan);
  if (step.plan === PlanTime.WhenReached) return true;
  if (step.if && r?.holds === false) return true;
  return Boolean(r?.plan);
}

/**
 * A runbook before approval: every step that can be planned now is planned (in parallel, one
 * read-only plan job each, after its `if:` is read), then the procedure's plan goes to the
 * approval steps like any plan. Each result is written only while the runbook is `planning`.
 */
export class RunbookPlanning {
  constructor(private readonly deps: RequestDeps, private readonly approvals: ApprovalSteps) {}

  /** Queues the plans; called by intake once the runbook is `planning` and its card is posted. */
  async start(record: RequestRecord): Promise<void> {
    const procedure = procedureOf(record.request.args)!;
    const { store } = this.deps;
    let queued = 0;
    for (const [i, step] of procedure.steps.entries()) {
      await store.setPlannedStep(record.request.id, i, { status: StepStatus.Pending });
      const now = step.kind === 'wait' || (step.kind === 'run' && step.plan === PlanTime.Now);
      if (!now) continue;
      await queueStepPlan(this.deps, record, procedure, { index: i, attempt: 0, part: step.kind === 'run' && step.if ? 'check' : 'run' });
      queued++;
    }
    if (queued === 0) await this.maybeReady(record.request.id);
  }

  /** A plan (or a check) of one step came back, or failed. */
  async onEvent(record: RequestRecord, ref: StepRef, e: JobEventEnvelope): Promise<void> {
    const id = record.request.id;
    const procedure = procedureOf(record.request.args)!;
    const before = record.steps?.[ref.step] ?? { status: StepStatus.Pending };
    const body = e.body;
    if (body.type === 'failed') {
      const step = procedure.steps[ref.step]!;
      await this.deps.store.transition(id, 'fail', {
        failure: { code: body.code, message: `Step ${ref.step + 1} (\`${step.text}\`) could not be planned: ${body.message}`, hint: body.hint ?? 'Nothing was changed. Fix the cause and run the runbook again.' },
      });
      this.deps.changed(id);
      return;
    }
    if (body.type !== 'result' || !body.result.plan) return;
    const plan = body.result.plan;
    if (ref.part === 'check') {
      const { holds, seen } = conditionHolds(plan);
      if (!(await this.deps.store.setPlannedStep(id, ref.step, { ...before, holds, seen }))) return;
      if (holds) {
        try {
          await queueStepPlan(this.deps, record, procedure, { index: ref.step, attempt: 0, part: 'run' });
        } catch (err) {
          const d = describeError(err);
          await this.deps.store.transition(id, 'fail', { failure: { code: d.code, message: `Could not plan step ${ref.step + 1}: ${d.message}`, hint: 'Nothing was changed. Run the runbook again.' } });
          this.deps.changed(id);
        }
        return;
      }
    } else if (!(await this.deps.store.setPlannedStep(id, ref.step, { ...before, plan }))) {
      return;
    }
    await this.maybeReady(id);
  }

  /** Once every step is settled, the procedure's plan is ready for the approval steps. */
  private async maybeReady(id: string): Promise<void> {
    const record = await this.deps.store.get(id);
    if (!record) return;
    const procedure = procedureOf(record.request.args)!;
    const steps = record.steps ?? [];
    if (!procedure.steps.every((_, i) => settled(procedure, steps, i))) return;
    const plan = procedurePlan(procedure, steps, record.request.cluster, this.deps.clock.now());
    await this.approvals.planReady(record, plan);
    this.deps.changed(id);
  }
}
