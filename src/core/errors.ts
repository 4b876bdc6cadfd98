/**
 * Every failure sitrep reports carries one of these codes, so logs, metrics and tests can tell
 * failure classes apart without parsing messages.
 */
export const ErrorCode = {
  BadArgs: 'sitrep_bad_args',
  UnknownVerb: 'sitrep_unknown_verb',
  PolicyDenied: 'sitrep_policy_denied',
  PolicyInvalid: 'sitrep_policy_invalid',
  /** A runbook file (SITREP_RUNBOOKS) that cannot be read or is not valid. */
  RunbookInvalid: 'sitrep_runbook_invalid',
  /** A runbook step's wait ran out of time before its condition held. */
  WaitTimeout: 'sitrep_wait_timeout',
  ConfigInvalid: 'sitrep_config_invalid',
  ApprovalRefused: 'sitrep_approval_refused',
  RequestEnded: 'sitrep_request_ended',
  NotFound: 'sitrep_not_found',
  Conflict: 'sitrep_conflict',
  PlanDrifted: 'sitrep_plan_drifted',
  DrainRefused: 'sitrep_drain_refused',
  /** An operation whose fresh plan refuses it (a mirror pod, a node that heartbeated): nothing was changed. */
  OperationRefused: 'sitrep_operation_refused',
  /** A drain that ran but left pods on the node (not waited for, or stuck Terminating). */
  DrainIncomplete: 'sitrep_drain_incomplete',
  Timeout: 'sitrep_timeout',
  RedisUnavailable: 'sitrep_redis_unavailable',
  ClusterUnavailable: 'sitrep_cluster_unavailable',
  NoWorker: 'sitrep_no_worker',
  KubernetesApi: 'sitrep_k8s_api',
  SlackApi: 'sitrep_slack_api',
  IncidentExists: 'sitrep_incident_exists',
  NoIncident: 'sitrep_no_incident',
  /** An execution without a valid signature from the bot, or whose approval record does not match. */
  JobForged: 'sitrep_job_forged',
  /** A signed execution that already ran (or started) queued again. */
  JobReplayed: 'sitrep_job_replayed',
  /** A signed execution that waited for a worker past its grant's expiry. */
  JobExpired: 'sitrep_job_expired',
  /** Another destructive operation on the same target is pending or running. */
  TargetBusy: 'sitrep_target_busy',
  /** A click from another card, channel, team or enterprise than the one its buttons are on. */
  ForeignClick: 'sitrep_foreign_click',
  /** The worker is stopping: the job goes back to the queue for another worker. */
  Shutdown: 'sitrep_shutdown',
  /** The worker no longer holds the job's lock (another worker took it over, or Redis lost it): it stops and does nothing more. */
  JobLost: 'sitrep_job_lost',
  Internal: 'sitrep_internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface SitrepErrorOptions {
  cause?: unknown;
  /** The next step for the person reading the message, e.g. the right form of a command. */
  hint?: string;
}

/** Base class: a message written for the on-call engineer, a code for machines, the cause kept. */
export class SitrepError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options: SitrepErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.hint !== undefined) this.hint = options.hint;
  }
}

/** The user typed something sitrep cannot run: wrong verb, arguments, flags or names. */
export class BadArgsError extends SitrepError {
  constructor(message: string, options: SitrepErrorOptions & { code?: typeof ErrorCode.BadArgs | typeof ErrorCode.UnknownVerb } = {}) {
    super(options.code ?? ErrorCode.BadArgs, message, options);
  }
}

/** The policy does not allow this user to do this here. */
export class PolicyDeniedError extends SitrepError {
  constructor(message: string, options: SitrepErrorOptions = {}) {
    super(ErrorCode.PolicyDenied, message, options);
  }
}

/** Configuration (environment or policy file) is wrong; raised at start-up. */
export class ConfigError extends SitrepError {
  constructor(message: string, options: SitrepErrorOptions & { code?: typeof ErrorCode.ConfigInvalid | typeof ErrorCode.PolicyInvalid | typeof ErrorCode.RunbookInvalid } = {}) {
    super(options.code ?? ErrorCode.ConfigInvalid, message, options);
  }
}

/** An approval click that cannot be taken (self-approval, not an approver, request ended). */
export class ApprovalError extends SitrepError {
  constructor(code: typeof ErrorCode.ApprovalRefused | typeof ErrorCode.RequestEnded, message: string, options: SitrepErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A dependency is down: Redis, the cluster, or no worker serves the cluster. */
export class UnavailableError extends SitrepError {
  constructor(
    code: typeof ErrorCode.RedisUnavailable | typeof ErrorCode.ClusterUnavailable | typeof ErrorCode.NoWorker | typeof ErrorCode.SlackApi,
    message: string,
    options: SitrepErrorOptions = {},
  ) {
    super(code, message, options);
  }
}

/** A job step failed or refused in a way the user must act on (drift, drain filters, timeout, API error). */
export class JobError extends SitrepError {}

/** Incident verbs used in the wrong state (a second open incident, none open). */
export class IncidentError extends SitrepError {}

export function isSitrepError(err: unknown): err is SitrepError {
  return err instanceof SitrepError;
}

/**
 * A failure sitrep expects and explains (bad input, a refusal, a dependency down), as opposed to a
 * bug. Logged on one line with its code and message, never with a stack trace.
 */
export function isExpectedFailure(err: unknown): err is SitrepError {
  return isSitrepError(err) && err.code !== ErrorCode.Internal;
}

/** The message to show a person for any thrown value; unknown errors never leak stack traces. */
export function describeError(err: unknown): { code: ErrorCode; message: string; hint?: string } {
  if (isSitrepError(err)) return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  const message = err instanceof Error ? err.message : String(err);
  return { code: ErrorCode.Internal, message: `Internal error: ${message}` };
}
