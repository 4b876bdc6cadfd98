export { BUILT_IN_RUNBOOKS, type BuiltInRunbook } from './builtin/index.js';
export { loadRunbooks, RunbookCatalog, type LoadRunbooksOptions, type UnavailableRunbook } from './catalog.js';
export { instantiate, runbookUsage, type InstantiateOutcome } from './instantiate.js';
export { parseRunbookText, type ParseRunbookOutcome, type RunbookDefinition } from './parse-runbook.js';
export { MAX_STEPS } from './runbook-file.js';
export { PlanTime, procedureOf, RunbookInstanceSchema, RunbookStepSchema, type RunbookInstance, type RunbookStep, type RunStep } from './runbook-instance.js';
export type { CheckRun, RunCheck } from './runbook-steps-build.js';
