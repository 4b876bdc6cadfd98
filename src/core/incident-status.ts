import { z } from 'zod';

/** Where an incident stands, in the words incident reviews use, in their usual order. */
export const IncidentStatus = {
  Investigating: 'investigating',
  Identified: 'identified',
  Monitoring: 'monitoring',
  Resolved: 'resolved',
} as const;
export type IncidentStatus = (typeof IncidentStatus)[keyof typeof IncidentStatus];

export const INCIDENT_STATUSES = Object.values(IncidentStatus) as [IncidentStatus, ...IncidentStatus[]];

/** Statuses after which the impact is considered mitigated. */
export function isMitigatedStatus(status: IncidentStatus): boolean {
  return status === IncidentStatus.Monitoring || status === IncidentStatus.Resolved;
}

/** SEV1 (worst) to SEV4. */
export const IncidentSeveritySchema = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
export type IncidentSeverity = z.infer<typeof IncidentSeveritySchema>;
