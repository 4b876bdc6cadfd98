export type { ClickReply } from './approval-steps.js';
export type { RequestDeps } from './deps.js';
export type { IntakeOptions, IntakeOutcome } from './intake.js';
export { RequestLifecycle } from './lifecycle.js';
export { evaluatePolicy } from './policy-check.js';
export { isFinal, RequestState } from './request-state.js';
export { RequestKeys, RequestStore, type Failure, type RequestRecord, type TransitionOutcome } from './request-store.js';
export { noteOnIncident, noteQuietly, type RequestNote } from './timeline-note.js';
export { allowed, STEPS, type Step } from './transitions.js';
