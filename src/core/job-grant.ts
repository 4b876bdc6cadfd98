import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { SealedDecisionSchema } from './decision-seal.js';

export { canonicalJson } from './canonical-json.js';

/**
 * What the bot signs when it queues an execution: the request, cluster, verb and args, the
 * fingerprint of the plan that was approved, who approved or confirmed it, and until when it may
 * start. A worker runs an execution only with a grant signed by a key it holds (SITREP_JOB_KEY),
 * so write access to Redis alone cannot make a worker drain a node.
 */
export const JobGrantSchema = z.object({
  v: z.literal(1),
  requestId: z.string().min(1),
  cluster: z.string().min(1),
  verb: z.string().min(1),
  args: z.record(z.string(), z.unknown()),
  /** The approved plan's fingerprint (core/plan.ts), over every field the approver saw. */
  planFingerprint: z.string().min(1),
  /** The approval record the worker checks; absent for a plan the policy let run on the requester's Run click. */
  approvalId: z.string().optional(),
  /** Who pressed Run, for a plan that needed no approval. */
  confirmedBy: z.string().optional(),
  /**
   * For a runbook's step: the runbook's request, the step (0-based) and the fingerprint of the
   * procedure's approved plan. `requestId` is then the step's own id (core/runbook-step.ts).
   */
  runbook: z.object({ requestId: z.string().min(1), step: z.number().int().nonnegative(), procedure: z.string().min(1) }).optional(),
  /** Milliseconds since the epoch (Redis time). */
  issuedAt: z.number().int().nonnegative(),
  /** A worker refuses to start the execution after this (ms since the epoch, Redis time). */
  expiresAt: z.number().int().nonnegative(),
  /** The payload's `releaseBy`, signed so that a copy without it is not a different execution. */
  releaseBy: z.number().int().nonnegative().optional(),
  /** The person's decision this execution runs under, as the bot sealed it at the click (core/decision-seal.ts). */
  seal: SealedDecisionSchema.optional(),
});
export type JobGrant = z.infer<typeof JobGrantSchema>;

/** How long a signed execution may wait for a worker before it must be approved again: 30 minutes. */
export const GRANT_TTL_MS = 30 * 60_000;

/** HMAC-SHA256 of the grant's canonical JSON, hex. */
export function signGrant(grant: JobGrant, key: string): string {
  return createHmac('sha256', key).update(canonicalJson(grant)).digest('hex');
}

/**
 * Whether `signature` is this grant's HMAC under one of `keys` (the current key, then the previous
 * one during a rotation). Constant-time per key.
 */
export function grantSignedBy(grant: JobGrant, signature: string, keys: readonly string[]): boolean {
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  const given = Buffer.from(signature, 'hex');
  return keys.some((key) => timingSafeEqual(Buffer.from(signGrant(grant, key), 'hex'), given));
}
