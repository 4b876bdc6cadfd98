import { sealDecision } from '../../src/core/decision-seal.js';
import { GRANT_TTL_MS, signGrant, type JobGrant } from '../../src/core/job-grant.js';
import type { Plan } from '../../src/core/plan.js';
import { TEST_JOB_KEY } from './stack.js';

/**
 * The grant and signature the bot adds to an execution it queues, for tests that queue one
 * directly (a plan the requester confirmed, so no approval record is involved), with the decision
 * sealed as the bot seals the requester's Run click.
 */
export function signedExecution(e: { requestId: string; cluster: string; verb: string; args: Record<string, unknown>; plan: Plan; confirmedBy: string }, key = TEST_JOB_KEY): { grant: JobGrant; signature: string } {
  const now = Date.now();
  const seal = sealDecision({ v: 1, requestId: e.requestId, subject: e.plan.fingerprint, confirmedBy: e.confirmedBy, at: now }, key);
  const grant: JobGrant = { v: 1, requestId: e.requestId, cluster: e.cluster, verb: e.verb, args: e.args, planFingerprint: e.plan.fingerprint, confirmedBy: e.confirmedBy, issuedAt: now, expiresAt: now + GRANT_TTL_MS, seal };
  return { grant, signature: signGrant(grant, key) };
}
