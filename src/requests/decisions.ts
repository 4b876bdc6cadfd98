import { decisionSealed, sealDecision, sealKey, type SealedDecision } from '../core/decision-seal.js';
import { ErrorCode, JobError } from '../core/errors.js';
import type { RequestDeps } from './deps.js';

/** Who decided: the approval that completed, or the requester who pressed Run. */
export type Decider = { approvalId: string; confirmedBy?: undefined } | { confirmedBy: string; approvalId?: undefined };

/**
 * Seals the decision this process just took from a click (the approval store answered
 * `approved` to it, or the requester pressed Run) and keeps the seal with the request. Only code
 * holding that click calls this: a record read back from Redis is never sealed.
 */
export async function sealNow(deps: RequestDeps, requestId: string, subject: string, who: Decider): Promise<SealedDecision> {
  const sealed = sealDecision({ v: 1, requestId, subject, ...who, at: deps.clock.now() }, deps.jobKey);
  await deps.store.putSeal(requestId, sealKey(who, subject), sealed);
  return sealed;
}

/**
 * The seal under which an execution of `subject` may be signed for `who`: kept with the request,
 * made with the job key, and naming exactly this request, plan and decider.
 * @throws JobError sitrep_job_forged when there is none (a record forged or altered in Redis, or
 *   a bot that stopped between the click and its seal): nothing is signed.
 */
export async function requireSeal(deps: RequestDeps, requestId: string, subject: string, who: Decider): Promise<SealedDecision> {
  const sealed = await deps.store.sealOf(requestId, sealKey(who, subject));
  const d = sealed?.decision;
  const fits = sealed && d!.requestId === requestId && d!.subject === subject && d!.approvalId === who.approvalId && d!.confirmedBy === who.confirmedBy && decisionSealed(sealed, deps.jobKeys ?? [deps.jobKey]);
  if (!fits) {
    throw new JobError(ErrorCode.JobForged, 'Not run: sitrep has no sealed record of the approval this plan needs, so nothing was signed or changed.', {
      hint: 'Run the command again to plan and approve it anew. If no bot stopped while the approval was taken, check who can write to Redis (docs/operations.md, Protecting sitrep).',
    });
  }
  return sealed!;
}
