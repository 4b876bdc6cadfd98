/**
 * sitrep's built-in policy, used when SITREP_POLICY is not set: safe by default. Reading and the
 * /incident verbs are open; nothing that changes a cluster runs until a policy file names who may
 * run and approve it (Policy.evaluate answers NO_POLICY_MESSAGE for those). Kept as YAML text so
 * it is parsed by the same code as a file, and so an admin can start their own file from it.
 */
export const DEFAULT_POLICY_YAML = `# sitrep built-in policy (used when SITREP_POLICY is not set)
rules:
  # Reading never changes the cluster.
  - verbs: [get, describe, logs, top, jobs, status, help, audit]
    allow: ["*"]
approvalTtl: 15m
`;

export const DEFAULT_POLICY_SOURCE = 'built-in policy';

/** What the built-in policy says to any verb that changes a cluster. */
export const NO_POLICY_MESSAGE = 'no policy configured: destructive verbs are off until SITREP_POLICY names who may run and approve them';

/**
 * The policy the tests and `sitrep all` examples used to get by default: everyone may read and
 * cordon; drain, delete, scale and restart need one approval from anyone but the requester. Not
 * a default any more: a policy file has to say so.
 */
export const OPEN_POLICY_YAML = `rules:
  - verbs: [get, describe, logs, top, jobs, status, help, audit]
    allow: ["*"]
  - verbs: [cordon, uncordon]
    allow: ["*"]
  - verbs: [drain, delete, scale, restart, fence, unfence]
    allow: ["*"]
    approvals: 1
    approvers: ["*"]
  - verbs: ["*"]
    allow: ["*"]
    approvals: 1
    approvers: ["*"]
approvalTtl: 15m
`;
