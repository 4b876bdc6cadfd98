import { currentDeadline } from '../core/deadline.js';
import { sealKey, type SealedDecision } from '../core/decision-seal.js';
import { ErrorCode, JobError } from '../core/errors.js';
import { GRANT_TTL_MS, signGrant, type JobGrant } from '../core/job-grant.js';
import { fingerprintPlan } from '../core/plan.js';
import { stepInProcedure } from '../core/runbook-step.js';
import { requireSeal } from './decisions.js';
import { JobKind } from '../core/job.js';
import type { Plan } from '../core/plan.js';
import { stepRequestId, type StepPart } from '../core/runbook-step.js';
import type { RunbookInstance } from '../runbooks/index.js';
import type { RequestDeps } from './deps.js';
import type { RequestRecord } from './request-store.js';
import { stepJob } from './runbook-plan.js';

/** Which job of which step: the step (0-based), its attempt, and whether it checks its `if:`. */
export interface StepJobRef {
  index: number;
  attempt: number;
  part: StepPart;
}

/**
 * Queues the read-only plan of a runbook step (or, for `part: 'check'`, the plan of a wait on the
 * step's `if:` condition, which says whether it holds). The job carries the step's own request id,
 * so its events come back through parseStepRequestId. Idempotent: the job id is fixed per step,
 * attempt and part. It is queued even while no worker is live: the job waits for one.
 */
export async function queueStepPlan(deps: RequestDeps, record: RequestRecord, procedure: RunbookInstance, ref: StepJobRef): Promise<void> {
  const step = procedure.steps[ref.index]!;
  const job = ref.part === 'check' && step.kind === 'run' && step.if ? { verb: 'wait', args: { condition: step.if, timeoutMs: 1000 } } : stepJob(step);
  if (!job) return;
  const r = record.request;
  await deps.producer.enqueue(
    { v: 1, kind: JobKind.Plan, verb: job.verb, requestId: stepRequestId(r.id, ref.index, ref.attempt, ref.part), cluster: r.cluster, args: job.args, requestedBy: r.userId, channelId: r.channelId },
    { requireWorker: false },
  );
}

/**
 * Queues a step's execution, signed as any execution is (core/job-grant.ts), naming the runbook
 * request and the step: the approval it runs under is the runbook's (its procedure plan lists
 * the step) or the step's own when it was asked again. Idempotent per step and attempt.
 */
export async function queueStepExecution(deps: RequestDeps, record: RequestRecord, procedure: RunbookInstance, index: number, attempt: number, plan: Plan, who: Pick<JobGrant, 'approvalId' | 'confirmedBy'>): Promise<void> {
  const job = stepJob(procedure.steps[index]!)!;
  const r = record.request;
  const seal = await stepSeal(deps, record, index, job, plan, who);
  const requestId = stepRequestId(r.id, index, attempt);
  const now = deps.clock.now();
  // Queued for a click (a Done, a step's approval): the job runs only if released in time, and
  // the grant signs that deadline too, as for any execution (approval-steps.ts).
  const releaseBy = currentDeadline();
  const grant: JobGrant = {
    v: 1,
    requestId,
    cluster: r.cluster,
    verb: job.verb,
    args: job.args,
    planFingerprint: plan.fingerprint,
    ...who,
    runbook: { requestId: r.id, step: index, procedure: record.plan!.fingerprint },
    seal,
    issuedAt: now,
    expiresAt: now + GRANT_TTL_MS,
    ...(releaseBy === undefined ? {} : { releaseBy }),
  };
  await deps.producer.enqueue(
    { v: 1, kind: JobKind.Execute, verb: job.verb, requestId, cluster: r.cluster, args: job.args, requestedBy: r.userId, channelId: r.channelId, approvedPlan: plan, grant, signature: signGrant(grant, deps.jobKey), ...(releaseBy === undefined ? {} : { releaseBy }) },
    { requireWorker: false },
  );
}

/**
 * The sealed decision a step runs under (requests/decisions.ts). The step's own (approved or Run
 * again on its new plan) seals that plan; otherwise the runbook's seals its procedure, and the
 * step must be one the procedure lists: the procedure read back from Redis counts only if its
 * fingerprint is the sealed one, so a procedure altered in Redis signs nothing.
 * @throws JobError sitrep_job_forged when no seal covers the step.
 */
async function stepSeal(deps: RequestDeps, record: RequestRecord, index: number, job: { verb: string; args: Record<string, unknown> }, plan: Plan, who: Pick<JobGrant, 'approvalId' | 'confirmedBy'>): Promise<SealedDecision> {
  const r = record.request;
  const decider = who.approvalId ? { approvalId: who.approvalId } : { confirmedBy: who.confirmedBy! };
  const own = await deps.store.sealOf(r.id, sealKey(decider, plan.fingerprint));
  if (own && own.decision.subject === plan.fingerprint) return requireSeal(deps, r.id, plan.fingerprint, decider);
  const procedure = record.plan;
  const sealed = await requireSeal(deps, r.id, procedure?.fingerprint ?? '-', decider);
  if (!procedure || fingerprintPlan(procedure) !== procedure.fingerprint || !stepInProcedure(procedure, index, job, plan)) {
    throw new JobError(ErrorCode.JobForged, `Not run: step ${index + 1} is not a step of the procedure that was approved, so nothing was signed or changed.`, {
      hint: 'Run the runbook again to plan and approve it anew.',
    });
  }
  return sealed;
}
