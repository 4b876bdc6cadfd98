import type { Logger } from 'pino';

/**
 * One audited event, as a SIEM reads it from the logs: who did what to which object in which
 * cluster, and how it ended. Every change of a request's state, every vote and every refusal is
 * one of these (the Redis audit stream behind `/k8s audit` holds the approval-side subset).
 */
export interface AuditEntry {
  requestId: string;
  /** Slack user id of whoever acted (`worker:CLUSTER` or `sitrep` for the system). */
  user: string;
  verb: string;
  /** The object acted on, e.g. `node/node02`, `deployment/shop/web`; for reads, what was asked. */
  target: string;
  cluster: string;
  /** e.g. requested, refused, approval-requested, approval, approved, started, done, failed, cancelled. */
  outcome: string;
  /** Why, or how many approvals so far; plain text. */
  detail?: string;
  /** The error or refusal code, when there is one. */
  code?: string;
}

/**
 * Writes one audit line at `info`: `{"audit":true,"requestId":…,"user":…,"verb":…,"target":…,
 * "cluster":…,"outcome":…}` with the message `audit <outcome>`. Filter on `audit: true`. Refusals
 * that may be an attack (a forged execution) are logged at `warn`.
 */
export function logAudit(logger: Logger, entry: AuditEntry, level: 'info' | 'warn' = 'info'): void {
  logger[level]({ audit: true, ...entry }, `audit ${entry.outcome}`);
}
