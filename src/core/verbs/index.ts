import { SlashCommand } from '../request.js';
import type { VerbContract } from './contract.js';
import { auditVerb, incidentHelpVerb, jobsVerb, k8sHelpVerb, statusVerb } from './bot-k8s.js';
import { deletePodVerb } from './delete-pod.js';
import { describeVerb } from './describe.js';
import { drainVerb } from './drain.js';
import { fenceVerb, unfenceVerb } from './fence.js';
import { getVerb } from './get.js';
import { commanderVerb, incidentStatusVerb, listVerb, noteVerb, postmortemVerb, resolveVerb, sevVerb, startVerb, timelineVerb } from './incident.js';
import { logsVerb } from './logs.js';
import { cordonVerb, uncordonVerb } from './node-target.js';
import { restartVerb } from './restart.js';
import { runbookVerb } from './runbook.js';
import { scaleVerb } from './scale.js';
import { topVerb } from './top.js';
import { waitVerb } from './wait.js';

export * from './bot-k8s.js';
export * from './contract.js';
export * from './delete-pod.js';
export * from './describe.js';
export * from './drain.js';
export * from './fence.js';
export * from './get.js';
export * from './incident.js';
export * from './logs.js';
export * from './names.js';
export * from './node-target.js';
export * from './resource-kind.js';
export * from './restart.js';
export * from './runbook.js';
export * from './scale.js';
export * from './top.js';
export * from './wait.js';

/** Verbs a worker answers with one read job. One line per verb; jobs/registry.ts has one job each. */
export const READ_VERBS = { get: getVerb, describe: describeVerb, logs: logsVerb, top: topVerb } as const;
export type ReadVerbName = keyof typeof READ_VERBS;

/** Verbs that change a cluster: plan, approval or confirmation, execute. One job each in jobs/registry.ts. */
export const OPERATION_VERBS = {
  cordon: cordonVerb,
  uncordon: uncordonVerb,
  drain: drainVerb,
  restart: restartVerb,
  scale: scaleVerb,
  delete: deletePodVerb,
  fence: fenceVerb,
  unfence: unfenceVerb,
} as const;
export type OperationVerbName = keyof typeof OPERATION_VERBS;

/**
 * Jobs only a runbook's steps ask for (no chat verb of their own): one job each in
 * jobs/registry.ts's RUNBOOK_JOBS.
 */
export const RUNBOOK_STEP_VERBS = { wait: waitVerb } as const;
export type RunbookStepVerbName = keyof typeof RUNBOOK_STEP_VERBS;

/** `/k8s runbook`: the one verb whose runner is a runbook (src/requests/runbook-steps.ts). */
export const RUNBOOK_VERB = runbookVerb;

/** Verbs the bot answers from Redis. One handler each in src/chat/verbs/registry.ts. */
export const BOT_VERBS = {
  '/k8s jobs': jobsVerb,
  '/k8s status': statusVerb,
  '/k8s audit': auditVerb,
  '/k8s help': k8sHelpVerb,
  '/incident start': startVerb,
  '/incident note': noteVerb,
  '/incident sev': sevVerb,
  '/incident commander': commanderVerb,
  '/incident status': incidentStatusVerb,
  '/incident resolve': resolveVerb,
  '/incident timeline': timelineVerb,
  '/incident postmortem': postmortemVerb,
  '/incident list': listVerb,
  '/incident help': incidentHelpVerb,
} as const;
export type BotVerbKey = keyof typeof BOT_VERBS;

/** The key of a bot-side verb in BOT_VERBS. */
export function botVerbKey(contract: Pick<VerbContract, 'command' | 'name'>): string {
  return `${contract.command} ${contract.name}`;
}

/**
 * The verb as the policy names it: `/k8s` verbs as typed (`drain`), `/incident` verbs as
 * `incident.<verb>` (`incident.start`), so a `*` rule never covers incident bookkeeping.
 */
export function policyVerb(command: SlashCommand, verb: string): string {
  return command === SlashCommand.Incident ? `incident.${verb}` : verb;
}
