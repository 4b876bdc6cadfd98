import { GRANT_TTL_MS, signGrant, type JobGrant } from '../../src/core/job-grant.js';
import type { Plan } from '../../src/core/plan.js';
import { TEST_JOB_KEY } from './stack.js';

/**
 * The grant and signature the bot adds to an execution it queues, for tests that queue one
 * directly (a plan the requester confirmed, so no approval record is involved).
 */
export function signedExecution(e: { requestId: string; cluster: string; verb: string; args: Record<string, unknown>; plan: Plan; confirmedBy: string }, key = TEST_JOB_KEY): { grant: JobGrant; signature: string } {
  const now = Date.now();
  const grant: JobGrant = { v: 1, requestId: e.requestId, cluster: e.cluster, verb: e.verb, args: e.args, planFingerprint: e.plan.fingerprint, confirmedBy: e.confirmedBy, issuedAt: now, expiresAt: now + GRANT_TTL_MS };
  return { grant, signature: signGrant(grant, key) };
}
