import { Policy } from '../../src/approval/index.js';

/**
 * The policy most bot tests run under: the `oncall` group (Alice, Bob, Carol), reads for everyone,
 * and `verbs` allowed to oncall with one approval from another oncall member.
 */
export function oncallPolicy(verbs: readonly string[]): Policy {
  return Policy.fromText(
    `
groups:
  oncall: [U0ALICE001, U0BOB00001, U0CAROL001]
rules:
  - verbs: [get, describe, logs, top, jobs, status, help, audit]
    allow: ["*"]
  - verbs: [${verbs.join(', ')}]
    allow: [oncall]
    approvals: 1
    approvers: [oncall]
approvalTtl: 15m
`,
    'test-policy.yaml',
  );
}
