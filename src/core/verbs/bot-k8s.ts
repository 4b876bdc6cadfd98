import { z } from 'zod';
import { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';
import { clusterScoped, defineVerb, VerbRunner } from './contract.js';

/** `/k8s jobs`: the recent requests and jobs in this channel, with their state. No args. */
export const jobsVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'jobs',
  risk: Risk.Read,
  runner: VerbRunner.Bot,
  args: z.object({}),
  namespaceOf: clusterScoped,
});

/** `/k8s status`: sitrep's own health: queue depth, live workers, known clusters. No args. */
export const statusVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'status',
  risk: Risk.Read,
  runner: VerbRunner.Bot,
  args: z.object({}),
  namespaceOf: clusterScoped,
});

/** How far back `/k8s audit` looks by default, in ms. */
export const AUDIT_DEFAULT_SINCE_MS = 3_600_000;
/** The furthest back `/k8s audit --since` may look, in ms. */
export const AUDIT_MAX_SINCE_MS = 30 * 86_400_000;

/** `/k8s audit [--since 1h]`: who asked for, approved and ran what. `sinceMs`: how far back. */
export const AuditArgsSchema = z.object({ sinceMs: z.number().int().positive().max(AUDIT_MAX_SINCE_MS).default(AUDIT_DEFAULT_SINCE_MS) });
export type AuditArgs = z.output<typeof AuditArgsSchema>;

export const auditVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'audit',
  risk: Risk.Read,
  runner: VerbRunner.Bot,
  args: AuditArgsSchema,
  namespaceOf: clusterScoped,
});

/** `/k8s help [VERB]` and `/incident help [VERB]`: `verb` as typed, lowercased (it may be unknown). */
export const HelpArgsSchema = z.object({ verb: z.string().max(64).optional() });
export type HelpArgs = z.output<typeof HelpArgsSchema>;

export const k8sHelpVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'help',
  risk: Risk.Read,
  runner: VerbRunner.Bot,
  args: HelpArgsSchema,
  namespaceOf: clusterScoped,
});

export const incidentHelpVerb = defineVerb({
  command: SlashCommand.Incident,
  name: 'help',
  risk: Risk.Read,
  runner: VerbRunner.Bot,
  args: HelpArgsSchema,
  namespaceOf: clusterScoped,
});
