import { RUNBOOK_PREFIX, type ApprovalRecord, type PolicyDecision } from '../approval/index.js';
import type { CommandRequest } from '../core/request.js';
import { Risk } from '../core/risk.js';
import { policyVerb } from '../core/verbs/index.js';
import { procedureOf, type RunbookInstance } from '../runbooks/index.js';
import type { RequestDeps } from './deps.js';

/**
 * Asks the policy about a request: the same question at intake, at plan time and at every Run
 * click. `namespace` is the one the verb acts in, as its contract says (absent for nodes).
 */
export function evaluatePolicy(deps: Pick<RequestDeps, 'policy' | 'resolveGroup'>, request: CommandRequest): Promise<PolicyDecision> {
  const procedure = procedureOf(request.args);
  if (procedure) return evaluateRunbook(deps, request, procedure);
  return deps.policy.evaluate(
    { verb: policyVerb(request.command, request.verb), userId: request.userId, channelId: request.channelId, cluster: request.cluster, ...(request.namespace ? { namespace: request.namespace } : {}) },
    deps.resolveGroup,
  );
}

const RISK_RANK: Record<string, number> = { [Risk.Read]: 0, [Risk.Change]: 1, [Risk.Destructive]: 2 };

/**
 * A runbook under the policy: a rule that names it (`runbook.NAME`, `runbook.*`) decides; without
 * one, the runbook is what its most dangerous step is. Every step must be allowed to the requester
 * (a runbook is no way around the policy), and the decision asking the most approvals (the
 * riskier step on a tie, then the earlier) is the runbook's: its approvers, count and expiry.
 */
async function evaluateRunbook(deps: Pick<RequestDeps, 'policy' | 'resolveGroup'>, request: CommandRequest, procedure: RunbookInstance): Promise<PolicyDecision> {
  const base = { userId: request.userId, channelId: request.channelId, cluster: request.cluster };
  const named = await deps.policy.evaluate({ ...base, verb: `${RUNBOOK_PREFIX}${procedure.name}` }, deps.resolveGroup);
  if (named.ruleIndex !== undefined) return named;
  const runs = procedure.steps.flatMap((s, i) => (s.kind === 'run' ? [{ s, i }] : []));
  if (runs.length === 0) {
    // Only waits, manual steps and notes: nothing of the cluster changes through sitrep.
    return { allowed: true, reason: `Allowed: runbook ${procedure.name} changes nothing through sitrep.`, approvals: 0, approvers: [], approverDescription: 'no approval needed', approversLabel: '', namedApprovers: [], ttlMs: deps.policy.ttlMs };
  }
  const decisions = await Promise.all(runs.map(({ s }) => deps.policy.evaluate({ ...base, verb: s.verb, ...(s.namespace ? { namespace: s.namespace } : {}) }, deps.resolveGroup)));
  const refused = decisions.findIndex((d) => !d.allowed);
  if (refused >= 0) {
    const { s, i } = runs[refused]!;
    return { ...decisions[refused]!, reason: `Runbook ${procedure.name}, step ${i + 1} (\`${s.text}\`): ${decisions[refused]!.reason}` };
  }
  let pick = 0;
  decisions.forEach((d, k) => {
    const best = decisions[pick]!;
    const riskier = (RISK_RANK[runs[k]!.s.risk] ?? 0) > (RISK_RANK[runs[pick]!.s.risk] ?? 0);
    if (d.approvals > best.approvals || (d.approvals === best.approvals && riskier)) pick = k;
  });
  const { s, i } = runs[pick]!;
  const d = decisions[pick]!;
  return { ...d, reason: `Runbook ${procedure.name} counts as its most dangerous step, ${i + 1} (\`${s.text}\`): ${d.reason}` };
}

/** The approvers a decision allows, `*` when it needs no approver (it then narrows nothing). */
export const approversNow = (d: PolicyDecision) => (d.approvals === 0 ? ('*' as const) : d.approvers);

/**
 * Why the policy in force now would not let this execution run, or undefined: asked once more
 * just before signing, so a policy tightened between the last click and now still applies.
 * `approval` is the approval the execution runs under (none for a plan the requester confirmed).
 */
export async function policyNowProblem(deps: Pick<RequestDeps, 'policy' | 'resolveGroup'>, request: CommandRequest, approval: ApprovalRecord | undefined): Promise<string | undefined> {
  const decision = await evaluatePolicy(deps, request);
  if (!decision.allowed) return decision.reason;
  if (!approval) return decision.approvals > 0 ? 'the policy now requires approval for this; run the command again to ask for it' : undefined;
  const spec = approversNow(decision);
  const counted = approval.approvals.filter((v) => spec === '*' || spec.includes(v.userId)).length;
  const needed = Math.max(approval.requiredApprovals, decision.approvals);
  return counted >= needed ? undefined : `the policy now needs ${needed} approval(s) from ${decision.approversLabel || 'others'}, and ${counted} of the approvals given still count`;
}
