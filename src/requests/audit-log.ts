import type { Logger } from 'pino';
import { AuditAction, type ApprovalStore } from '../approval/index.js';
import { logAudit, type AuditEntry } from '../core/audit.js';
import type { CommandRequest } from '../core/request.js';
import { argsFor, type VerbContract } from '../core/verbs/contract.js';
import { OPERATION_VERBS, RUNBOOK_VERB } from '../core/verbs/index.js';
import type { RequestChange } from './request-store.js';
import { RequestState } from './request-state.js';

/** The object a request acts on (`node/node02`), or for a read what was asked (`get pods -n shop`). */
export function requestTarget(request: CommandRequest): string {
  const contract = (OPERATION_VERBS as Record<string, VerbContract>)[request.verb];
  if (contract?.targetOf) {
    try {
      return contract.targetOf(argsFor(contract, request.args));
    } catch {
      // Arguments that no longer parse (an older request): the words typed say it well enough.
    }
  }
  return request.text;
}

/** The audit outcome a request's new state stands for. */
const OUTCOME: Record<RequestState, string> = {
  [RequestState.Received]: 'requested',
  [RequestState.Queued]: 'queued',
  [RequestState.Planning]: 'planning',
  [RequestState.Planned]: 'planned',
  [RequestState.AwaitingApproval]: 'approval-requested',
  [RequestState.AwaitingConfirmation]: 'confirmation-requested',
  [RequestState.Approved]: 'approved',
  [RequestState.Running]: 'started',
  [RequestState.Done]: 'done',
  [RequestState.Failed]: 'failed',
  [RequestState.Refused]: 'refused',
  [RequestState.Rejected]: 'rejected',
  [RequestState.Expired]: 'expired',
  [RequestState.Cancelled]: 'cancelled',
  [RequestState.Drifted]: 'drifted',
};

/** States that also go on the Redis audit stream `/k8s audit` shows (results: of operations only). */
const TRAIL: Partial<Record<RequestState, AuditAction>> = {
  [RequestState.Refused]: AuditAction.Refused,
  [RequestState.Done]: AuditAction.Done,
  [RequestState.Failed]: AuditAction.Failed,
  [RequestState.Drifted]: AuditAction.Drifted,
};

/**
 * The audit log: one structured log line per change of a request's state (requested, refused,
 * approval requested, approved, started, done, failed, ...) from the request store's hook, and
 * one per vote or refused click from the approval steps. Refusals of any request and results of
 * operations also go on the Redis audit stream, next to the votes the approval store writes there,
 * so `/k8s audit` shows them too.
 */
export class AuditLog {
  constructor(private readonly logger: Logger, private readonly approvals: Pick<ApprovalStore, 'auditEvent'>) {}

  /** Logs one entry. */
  line(entry: AuditEntry): void {
    logAudit(this.logger, entry);
  }

  /** The request store's onChange hook. */
  readonly onChange = async (change: RequestChange): Promise<void> => {
    const r = change.request;
    const { result, failure } = change.fields;
    const detail = failure?.message ?? (result ? result.title : undefined);
    const entry: AuditEntry = {
      requestId: r.id,
      user: r.userId,
      verb: r.verb,
      target: requestTarget(r),
      cluster: r.cluster,
      outcome: OUTCOME[change.to],
      ...(detail ? { detail } : {}),
      ...(failure?.code ? { code: failure.code } : result?.code ? { code: result.code } : {}),
    };
    this.line(entry);
    const action = TRAIL[change.to];
    if (action && (action === AuditAction.Refused || r.verb in OPERATION_VERBS || r.verb === RUNBOOK_VERB.name)) {
      await this.approvals
        .auditEvent({ action, requestId: r.id, verb: r.verb, cluster: r.cluster, user: r.userId, detail: `${entry.target}${detail ? `: ${detail}` : ''}` })
        .catch((err: unknown) => this.logger.warn({ err, requestId: r.id }, 'could not add to the audit stream'));
    }
  };
}
