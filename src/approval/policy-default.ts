/**
 * sitrep's built-in policy, used when SITREP_POLICY is not set. Kept as YAML text so it is parsed
 * by the same code as a file, and so an admin can start their own file from it.
 */
export const DEFAULT_POLICY_YAML = `# sitrep built-in policy (used when SITREP_POLICY is not set)
rules:
  # Reading never changes the cluster.
  - verbs: [get, describe, logs, top, jobs, status, help, audit]
    allow: ["*"]
  # Cordoning is reversible and evicts nothing.
  - verbs: [cordon, uncordon]
    allow: ["*"]
  # Destructive: one more person must look at the plan first.
  - verbs: [drain, delete, scale, restart]
    allow: ["*"]
    approvals: 1
    approvers: ["*"]
  # A /k8s verb added later counts as destructive until a rule says otherwise.
  - verbs: ["*"]
    allow: ["*"]
    approvals: 1
    approvers: ["*"]
approvalTtl: 15m
`;

export const DEFAULT_POLICY_SOURCE = 'built-in policy';
