import { z } from 'zod';

/** Every kind of entry an incident timeline can hold. */
export const EventKind = {
  IncidentStarted: 'incident.started',
  IncidentNote: 'incident.note',
  IncidentSeverity: 'incident.severity',
  IncidentCommander: 'incident.commander',
  IncidentStatus: 'incident.status',
  IncidentResolved: 'incident.resolved',
  Command: 'command',
  Plan: 'plan',
  ApprovalRequested: 'approval.requested',
  Approved: 'approval.approved',
  Rejected: 'approval.rejected',
  Expired: 'approval.expired',
  Cancelled: 'approval.cancelled',
  JobStarted: 'job.started',
  JobBlocked: 'job.blocked',
  JobProgress: 'job.progress',
  JobFailed: 'job.failed',
  JobFinished: 'job.finished',
  JobBackup: 'job.backup',
  /** What the cluster did: a Kubernetes Event or node condition change, or a collapsed flood of them. */
  ClusterEvent: 'cluster.event',
  /** An Alertmanager alert started firing (`at` is its startsAt). */
  AlertFiring: 'alert.firing',
  /** An Alertmanager alert resolved (`at` is its endsAt). */
  AlertResolved: 'alert.resolved',
  /** A runbook step that is no job: a manual step waited for or done, a step skipped by its `if:`. */
  RunbookStep: 'runbook.step',
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/**
 * One event on a timeline. `key` makes appends idempotent: the same step retried by a resumed
 * job produces the same key and is stored once. `at` is when it happened, not when it was written.
 */
export const TimelineEventSchema = z.object({
  v: z.literal(1),
  key: z.string().min(1),
  kind: z.string().min(1),
  /** Milliseconds since the epoch, on a clock corrected to Redis's (see queue/ for workers). */
  at: z.number().int().nonnegative(),
  /**
   * Slack user id (`U…`), or `sitrep` for the bot's own doing, `worker:<id>`, `cluster:<name>` for
   * what a cluster did (its Events), or `alertmanager` for alerts.
   */
  actor: z.string().min(1),
  text: z.string(),
  requestId: z.string().optional(),
  cluster: z.string().optional(),
  /** Permalink or message reference (`channel/ts`) of the Slack message it came from. */
  link: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type TimelineEvent = z.infer<typeof TimelineEventSchema>;
