export * from './approval-record.js';
export * from './approval-store.js';
export * from './approver-spec.js';
export { DEFAULT_POLICY_YAML, NO_POLICY_MESSAGE, OPEN_POLICY_YAML } from './policy-default.js';
export type { ParsePolicyOptions } from './policy-file.js';
export * from './policy.js';
