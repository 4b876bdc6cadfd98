import type { Logger } from 'pino';
import type { ApprovalStore, GroupResolver, Policy } from '../approval/index.js';
import type { Clock } from '../core/clock.js';
import type { IncidentStore, Timeline } from '../incident/index.js';
import type { JobBeats } from '../queue/job-beats.js';
import type { JobProducer } from '../queue/job-producer.js';
import type { WorkerRegistry } from '../queue/worker-registry.js';
import type { AuditLog } from './audit-log.js';
import type { RequestStore } from './request-store.js';

/**
 * What the request lifecycle works with. Built once by the bot and passed in, so tests hand in
 * the real things on loopback and nothing is global.
 */
export interface RequestDeps {
  clock: Clock;
  logger: Logger;
  store: RequestStore;
  /** One structured log line per click (votes, runs, refusals); state changes log themselves. */
  audit: AuditLog;
  approvals: ApprovalStore;
  policy: Policy;
  /** Members of a Slack user group, for policies that name one. */
  resolveGroup: GroupResolver;
  producer: JobProducer;
  registry: WorkerRegistry;
  /** Heartbeats of running jobs (queue/job-beats.ts), read to tell a card its worker was lost. */
  beats: JobBeats;
  /**
   * A running job whose worker has not beaten for this long is shown as lost (SITREP_JOB_LOST_AFTER), ms.
   * @defaultValue JOB_LOST_AFTER_MS (10000)
   */
  jobLostAfterMs?: number;
  incidents: IncidentStore;
  timeline: Timeline;
  /** Cluster used when a command names none. */
  defaultCluster: string;
  /** SITREP_JOB_KEY: every execution is signed with it (core/job-grant.ts), and every decision sealed (core/decision-seal.ts). */
  jobKey: string;
  /** Keys a seal may have been made with: SITREP_JOB_KEY, then SITREP_JOB_KEY_PREVIOUS during a rotation. @defaultValue [jobKey] */
  jobKeys?: readonly string[];
  /**
   * The Slack team (and enterprise) this installation serves, from auth.test; clicks and commands
   * from anywhere else are refused. Undefined until Slack answered (then only the card is checked).
   */
  slackTeam(): { teamId: string; enterpriseId?: string } | undefined;
  /** Whether a Slack user is a single- or multi-channel guest (users.info), cached briefly. */
  isGuest(userId: string): Promise<boolean>;
  /**
   * How long a running runbook's step cursor may stand still before the sweep makes sure its step
   * has what it needs (a bot that died between moving the cursor and queueing the step's job), ms.
   * @defaultValue 15000
   */
  runbookStallMs?: number;
  /**
   * Called after every change a request's card should show. The chat layer schedules the card's
   * render; the lifecycle never renders.
   */
  changed(requestId: string): void;
}
