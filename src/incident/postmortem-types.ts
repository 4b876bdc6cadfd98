/**
 * The postmortem's shape: what Markdown, JSON and the Slack summary are rendered from.
 * Event `data` conventions are documented in postmortem-model.ts.
 */
import type { TimelineEvent } from '../core/timeline-event.js';
import type { Incident } from './incident.js';

export interface PostmortemInput {
  incident: Incident;
  /** The timeline, as Timeline.read returns it (sorted again here, stably, by `at`). */
  events: readonly TimelineEvent[];
  /** Backups the jobs saved, in addition to those recorded as `job.backup` events. */
  backups?: readonly { requestId: string; name: string; objects: number }[];
  /** IANA zone for every time shown. @defaultValue 'UTC' */
  timeZone?: string;
  /** Display names by Slack user id (users.info). Without one a person shows as their id. */
  names?: Readonly<Record<string, string>>;
  /** Channel names (without `#`) by Slack channel id (conversations.info). Without one a channel shows as its id. */
  channels?: Readonly<Record<string, string>>;
}

/** An instant: epoch ms, ISO (UTC), and wall clock in the postmortem's zone with its offset (`2026-11-23 22:03:00 UTC+08:00`). */
export interface PmTime {
  at: number;
  iso: string;
  local: string;
}

export interface PmDuration {
  ms: number;
  text: string;
}

export interface PmPerson {
  id: string;
  label: string;
}

export interface PmWarning {
  code: string;
  severity: string;
  message: string;
  objects: string[];
}

export interface PmBlock {
  target: string;
  reason: string;
  times: number;
  since: PmTime;
  waited: PmDuration;
}

export const ActionOutcome = {
  Requested: 'requested',
  /** The policy refused it (nothing was planned), or its plan did (nothing ran). */
  Refused: 'refused',
  Planned: 'planned',
  AwaitingApproval: 'awaiting approval',
  Approved: 'approved',
  Rejected: 'rejected',
  Expired: 'expired',
  Cancelled: 'cancelled',
  Running: 'running',
  Finished: 'finished',
  Failed: 'failed',
} as const;
export type ActionOutcome = (typeof ActionOutcome)[keyof typeof ActionOutcome];

/** One command's life on the cluster, from its events grouped by requestId. */
export interface PmAction {
  requestId: string;
  command: string;
  cluster?: string;
  verb?: string;
  target?: string;
  requestedBy?: PmPerson;
  requestedAt?: PmTime;
  approvedBy: PmPerson[];
  rejectedBy: PmPerson[];
  warnings: PmWarning[];
  blocked: PmBlock[];
  outcome: ActionOutcome;
  /** The job's summary, failure message, or what the decision was. */
  outcomeText: string;
  failureCode?: string;
  changed: string[];
  startedAt?: PmTime;
  endedAt?: PmTime;
  duration?: PmDuration;
  /** Objects that were down while it ran (from `data.unavailable`). */
  unavailable: { target: string; ms: number }[];
}

/** Where a timeline row came from: a person, the cluster (its Events), an alert, or sitrep itself. */
export type PmSource = 'person' | 'cluster' | 'alert' | 'sitrep';

export interface PmTimelineRow {
  at: number;
  /** Wall clock in the postmortem's zone with its offset, e.g. `2026-11-23 14:03:00 UTC`. */
  time: string;
  source: PmSource;
  actor: string;
  actorLabel: string;
  kind: string;
  /** Plain text: Slack mentions and links turned into names, entities decoded. */
  what: string;
  /** Objects a collapsed cluster entry stands for (`pod/ns/name`), when there are several. */
  objects?: string[];
  requestId?: string;
  /** Set when a skewed clock's time was corrected (see causal-order.ts). */
  reportedAt?: number;
}

export interface PmReview {
  rootCause: string[];
  wentWell: string[];
  wentWrong: string[];
  lessons: string[];
  followUps: string[];
}

/** A read-only command (get, describe, logs, top): it changed nothing. */
export interface PmRead {
  requestId: string;
  command: string;
  requestedBy?: PmPerson;
  at: PmTime;
}

/** The version of the JSON shape; docs/postmortem.schema.json describes it. */
export const POSTMORTEM_VERSION = 2;

export interface Postmortem {
  v: 2;
  incident: {
    id: string;
    title: string;
    severity: number;
    severityLabel: string;
    status: string;
    channelId: string;
    /** `#ops`, or the id when the name is unknown. */
    channelLabel: string;
    commander: PmPerson;
    startedBy: PmPerson;
  };
  summary?: string;
  timeZone: string;
  /** How the zone is named in headers, e.g. `UTC` or `Asia/Shanghai, UTC+08:00`. */
  zoneLabel: string;
  participants: PmPerson[];
  impact: { from: PmTime; to?: PmTime; duration?: PmDuration; ongoing: boolean };
  /**
   * began: the earliest of the incident's start, its first alert and the cluster's first sign
   * (a Warning Event, or a node going NotReady). detected: the first alert, else the incident's start. acknowledged: the first thing a
   * person did (started the incident, a command, a note, a vote) at or after detection.
   * firstAction: the first job that ran on a cluster. mitigated: the status first went to monitoring
   * or resolved, or every alert had resolved, whichever came first. resolved: the incident resolved.
   */
  keyTimes: { began: PmTime; started: PmTime; detected: PmTime; acknowledged?: PmTime; firstAction?: PmTime; mitigated?: PmTime; resolved?: PmTime };
  /** TTD began→detected, TTA detected→acknowledged, then from began: first action, TTM, TTR. */
  durations: { toDetect: PmDuration; toAcknowledge?: PmDuration; toFirstAction?: PmDuration; toMitigate?: PmDuration; toResolve?: PmDuration };
  timeline: PmTimelineRow[];
  /** What ran on a cluster (finished, failed, or still running). */
  actions: PmAction[];
  /** Changes asked for that did not run: refused by policy, rejected, expired, cancelled, or still waiting. */
  notRun: PmAction[];
  /** Read-only commands. */
  reads: PmRead[];
  backups: { requestId: string; command?: string; name: string; objects: number }[];
  /** Prompts drawn from what happened, for the team to answer. */
  review: PmReview;
}
