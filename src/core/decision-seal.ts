import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';

/**
 * A person's decision to let a plan run, sealed by the bot the moment it took the click that made
 * it: the deciding approval (the approval store said `approved` to that very click) or the
 * requester's Run when the policy needs no approver. Redis holds requests and approval records,
 * and anyone who can write to Redis can forge those; they cannot forge this seal without
 * SITREP_JOB_KEY. The bot signs an execution only under a seal that verifies, and the worker checks
 * the seal again (worker/execution-guard.ts), so a record forged in Redis runs nothing.
 */
export const DecisionSchema = z.object({
  v: z.literal(1),
  /** The request decided on: an operation's, or a runbook's (for its procedure and its steps). */
  requestId: z.string().min(1),
  /** The fingerprint of the plan the person saw: an operation's plan, a runbook's procedure, or a step's plan asked again. */
  subject: z.string().min(1),
  approvalId: z.string().optional(),
  confirmedBy: z.string().optional(),
  /** ms since the epoch (Redis time). */
  at: z.number().int().nonnegative(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const SealedDecisionSchema = z.object({ decision: DecisionSchema, signature: z.string() });
export type SealedDecision = z.infer<typeof SealedDecisionSchema>;

// A different message than a grant's, so a grant's signature can never pass as a seal's.
const seal = (d: Decision, key: string) => createHmac('sha256', key).update(`sitrep-decision\n${canonicalJson(d)}`).digest('hex');

/** Seals a decision with SITREP_JOB_KEY. */
export function sealDecision(decision: Decision, key: string): SealedDecision {
  return { decision, signature: seal(decision, key) };
}

/** Whether the seal was made with one of `keys` (current, then previous during a rotation). Constant-time per key. */
export function decisionSealed(sealed: SealedDecision, keys: readonly string[]): boolean {
  if (!/^[0-9a-f]{64}$/.test(sealed.signature)) return false;
  const given = Buffer.from(sealed.signature, 'hex');
  return keys.some((key) => timingSafeEqual(Buffer.from(seal(sealed.decision, key), 'hex'), given));
}

/** Where a request record keeps a decision's seal: by its approval, else by the plan the requester ran. */
export function sealKey(who: { approvalId?: string }, subject: string): string {
  return who.approvalId ?? `run:${subject}`;
}
