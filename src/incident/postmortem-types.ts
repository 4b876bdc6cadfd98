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
  /** Display names by Slack user id. Without one a person shows as `<@U…>`. */
  names?: Readonly<Record<string, string>>;
}

/** An instant: epoch ms, ISO (UTC), and wall clock in the postmortem's zone. */
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

export interface PmTimelineRow {
  at: number;
  /** Wall clock in the postmortem's zone (with the offset appended when the zone's offset changed during the incident). */
  time: string;
  actor: string;
  actorLabel: string;
  kind: string;
  what: string;
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

export interface Postmortem {
  v: 1;
  incident: {
    id: string;
    title: string;
    severity: number;
    severityLabel: string;
    status: string;
    channelId: string;
    commander: PmPerson;
    startedBy: PmPerson;
  };
  summary?: string;
  timeZone: string;
  /** How the zone is named in headers, e.g. `UTC` or `Asia/Shanghai, UTC+08:00`. */
  zoneLabel: string;
  participants: PmPerson[];
  impact: { from: PmTime; to?: PmTime; duration?: PmDuration; ongoing: boolean };
  keyTimes: { started: PmTime; firstAction?: PmTime; mitigated?: PmTime; resolved?: PmTime };
  durations: { toFirstAction?: PmDuration; toMitigate?: PmDuration; toResolve?: PmDuration };
  timeline: PmTimelineRow[];
  actions: PmAction[];
  backups: { requestId: string; command?: string; name: string; objects: number }[];
  /** Prompts drawn from what happened, for the team to answer. */
  review: PmReview;
}
