import { z } from 'zod';
import { SlashCommand } from '../request.js';
import { botVerb } from './contract.js';

/** `/k8s jobs`: the recent requests and jobs in this channel, with their state. No args. */
export const jobsVerb = botVerb(SlashCommand.K8s, 'jobs', z.object({}));

/** `/k8s status`: sitrep's own health: queue depth, live workers, known clusters. No args. */
export const statusVerb = botVerb(SlashCommand.K8s, 'status', z.object({}));

/** How far back `/k8s audit` looks by default, in ms. */
export const AUDIT_DEFAULT_SINCE_MS = 3_600_000;
/** The furthest back `/k8s audit --since` may look, in ms. */
export const AUDIT_MAX_SINCE_MS = 30 * 86_400_000;

/** `/k8s audit [--since 1h]`: who asked for, approved and ran what. `sinceMs`: how far back. */
export const AuditArgsSchema = z.object({ sinceMs: z.number().int().positive().max(AUDIT_MAX_SINCE_MS).default(AUDIT_DEFAULT_SINCE_MS) });
export type AuditArgs = z.output<typeof AuditArgsSchema>;

export const auditVerb = botVerb(SlashCommand.K8s, 'audit', AuditArgsSchema);

/** `/k8s help [VERB]` and `/incident help [VERB]`: `verb` as typed, lowercased (it may be unknown). */
export const HelpArgsSchema = z.object({ verb: z.string().max(64).optional() });
export type HelpArgs = z.output<typeof HelpArgsSchema>;

export const k8sHelpVerb = botVerb(SlashCommand.K8s, 'help', HelpArgsSchema);

export const incidentHelpVerb = botVerb(SlashCommand.Incident, 'help', HelpArgsSchema);
