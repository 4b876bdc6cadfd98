import { Policy } from '../approval/index.js';

/**
 * The policy `sitrep demo` runs with, written as a policy file so that it doubles as an example:
 * Alice and Bob are on call; everyone may read; cordoning is for the on-call pair; anything that
 * evicts, deletes, scales or restarts needs the other on-call person's approval. Carol (and Dave)
 * may look but not touch, which shows what a refusal looks like.
 */
export const DEMO_POLICY_YAML = `# sitrep demo policy (the local console's users: alice, bob, carol, dave)
groups:
  oncall: [U0ALICE001, U0BOB00001]   # alice, bob
rules:
  # Reading never changes the cluster: anyone.
  - verbs: [get, describe, logs, top, jobs, status, help, audit]
    allow: ["*"]
  # Reversible and evicts nothing: on call, no approval.
  - verbs: [cordon, uncordon]
    allow: [oncall]
  # Destructive: on call, and the other on-call person approves the plan.
  - verbs: [drain, delete, scale, restart, fence, unfence]
    allow: [oncall]
    approvals: 1
    approvers: [oncall]
  # A verb added later counts as destructive until a rule says otherwise.
  - verbs: ["*"]
    allow: [oncall]
    approvals: 1
    approvers: [oncall]
approvalTtl: 15m
`;

export function demoPolicy(): Policy {
  // Users read "rule 3 of the demo policy (line 17)"; the path is for start-up errors only.
  return Policy.fromText(DEMO_POLICY_YAML, 'src/demo/demo-policy.ts', { label: 'demo policy' });
}
