import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export { IncidentSeveritySchema, IncidentStatus, isMitigatedStatus, type IncidentSeverity } from '../core/incident-status.js';
import { IncidentSeveritySchema, IncidentStatus } from '../core/incident-status.js';

/** One incident as stored in Redis; everything read back is parsed with this schema. */
export const IncidentSchema = z.object({
  /** Short and readable, e.g. `inc-2026-11-23-a1b2` (UTC date of the start, random suffix). */
  id: z.string().min(1),
  channelId: z.string().min(1),
  title: z.string().min(1),
  severity: IncidentSeveritySchema,
  commanderId: z.string().min(1),
  startedBy: z.string().min(1),
  status: z.enum([IncidentStatus.Investigating, IncidentStatus.Identified, IncidentStatus.Monitoring, IncidentStatus.Resolved]),
  startedAt: z.number().int().nonnegative(),
  /** The first time the status went to monitoring or resolved. */
  mitigatedAt: z.number().int().nonnegative().optional(),
  resolvedAt: z.number().int().nonnegative().optional(),
  summary: z.string().optional(),
  /** Slack ts of the pinned summary card, so the chat layer can edit it in place. */
  cardTs: z.string().optional(),
  /** Commands run only in this channel count towards this incident (no cross-channel linking). */
  channelOnly: z.boolean(),
  participants: z.array(z.string()),
});
export type Incident = z.infer<typeof IncidentSchema>;

/** `SEV2`. */
export function severityLabel(severity: number): string {
  return `SEV${severity}`;
}

/** `inc-2026-11-23-a1b2`: sortable by day, short enough to type, random enough for one day's incidents. */
export function newIncidentId(startedAt: number): string {
  const day = new Date(startedAt).toISOString().slice(0, 10);
  return `inc-${day}-${randomBytes(2).toString('hex')}`;
}
