import { z } from 'zod';
import { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';
import { clusterScoped, defineVerb, VerbRunner } from './contract.js';

/** A runbook's name: lowercase letters, digits and `-`, starting with a letter (a DNS-1123 label). */
export const RUNBOOK_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A runbook parameter's name: as a runbook name, `_` allowed. */
export const RUNBOOK_PARAM_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * `/k8s runbook` (list) and `/k8s runbook NAME key=value …` (plan the whole procedure, approve it
 * once, run it step by step). `params` are the values as typed; the runbook checks them.
 */
export const RunbookArgsSchema = z.object({
  name: z.string().regex(RUNBOOK_NAME, 'must be a runbook name (lowercase letters, digits and -)').optional(),
  params: z.record(z.string().regex(RUNBOOK_PARAM_NAME, 'must be a parameter name'), z.string().max(253)).default({}),
});
export type RunbookArgs = z.output<typeof RunbookArgsSchema>;

export const runbookVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'runbook',
  risk: Risk.Destructive,
  runner: VerbRunner.Runbook,
  args: RunbookArgsSchema,
  namespaceOf: clusterScoped,
});
