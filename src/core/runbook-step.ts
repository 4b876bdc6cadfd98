import { createHash } from 'node:crypto';
import type { Plan } from './plan.js';
import { canonicalJson } from './job-grant.js';

/**
 * How a runbook's steps are named outside the runbook's own request: each job a step asks for
 * carries a request id of its own, `<runbook request>.s<step>.a<attempt>` (or `.c<attempt>` for
 * the check of a step's `if:`), so BullMQ job ids, checkpoints and consumed grants are per step
 * and per attempt, and a worker needs to know nothing about runbooks to run one.
 */

/** What a step's job is for: the step itself, or the check of its `if:` condition. */
export type StepPart = 'run' | 'check';

export interface StepRef {
  /** The runbook's request id. */
  parentId: string;
  /** 0-based index of the step. */
  step: number;
  /** 0 for the plan made at approval; each later plan of the step adds one. */
  attempt: number;
  part: StepPart;
}

/** `req_x.s2.a1`: the request id a step's jobs carry. */
export function stepRequestId(parentId: string, step: number, attempt: number, part: StepPart = 'run'): string {
  return `${parentId}.s${step}.${part === 'check' ? 'c' : 'a'}${attempt}`;
}

/** The runbook step a request id names, or undefined for any other request id. */
export function parseStepRequestId(id: string): StepRef | undefined {
  const m = /^(.+)\.s(\d{1,3})\.([ac])(\d{1,4})$/.exec(id);
  if (!m) return undefined;
  return { parentId: m[1]!, step: Number(m[2]), attempt: Number(m[4]), part: m[3] === 'c' ? 'check' : 'run' };
}

/** The fact a runbook's approved plan holds for each step: `step 3`. 0-based `step`. */
export function stepFactKey(step: number): string {
  return `step ${step + 1}`;
}

/** A step planned only when it is reached: its fact says so instead of a fingerprint. */
export const WHEN_REACHED = 'when-reached';

/**
 * The fact's value: the step's verb, a digest of its arguments, and the fingerprint of the plan
 * approved for it, or WHEN_REACHED. The worker recomputes it from what it is asked to run, so an
 * execution can only claim the approval of the procedure for a step the procedure contains.
 */
export function stepFactValue(verb: string, args: Record<string, unknown>, fingerprint: string): string {
  const digest = createHash('sha256').update(canonicalJson(args)).digest('hex').slice(0, 16);
  return `${verb} ${digest} ${fingerprint}`;
}

/**
 * Whether a runbook's approved procedure (its plan's one fact per step) contains this step: the
 * same verb and args with this plan's fingerprint, or planned when reached and, then, a plan that
 * carries no warnings (a step planned late with warnings needs its own approval). Checked by the
 * bot before it signs a step, and by the worker before it runs one.
 */
export function stepInProcedure(procedure: Pick<Plan, 'facts'>, step: number, job: { verb: string; args: Record<string, unknown> }, plan: Plan): boolean {
  const fact = procedure.facts[stepFactKey(step)];
  if (fact === stepFactValue(job.verb, job.args, plan.fingerprint)) return true;
  return fact === stepFactValue(job.verb, job.args, WHEN_REACHED) && !plan.warnings.some((w) => w.severity !== 'info');
}
