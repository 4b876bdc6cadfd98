import type { webApi } from '@slack/bolt';
import type { RedisClient } from '../core/redis-client.js';
import type { Logger } from 'pino';
import { k8sSuggestions, type SuggestionProvider } from '../alerts/index.js';
import { ApprovalStore, type Policy } from '../approval/index.js';
import type { Clock } from '../core/clock.js';
import { ErrorCode, UnavailableError } from '../core/errors.js';
import { IncidentStore, Timeline } from '../incident/index.js';
import { BackupStore } from '../queue/backup-store.js';
import { JobProducer } from '../queue/job-producer.js';
import type { QueueKeys } from '../queue/keys.js';
import { JobBeats } from '../queue/job-beats.js';
import { WorkerRegistry } from '../queue/worker-registry.js';
import { AuditLog, RequestLifecycle, RequestStore } from '../requests/index.js';
import type { RunbookCatalog } from '../runbooks/index.js';
import { MessagePoster } from './message-poster.js';
import { OpenCards } from './open-cards.js';
import { renderRequest } from './render-request.js';
import { SlackNames } from './slack-names.js';

/**
 * Everything the bot's handlers use, built once by createBotServices. Handlers get it as a
 * parameter, so tests build the same thing on loopback (real Redis, stand-in Slack) and nothing
 * is global.
 */
export interface BotServices {
  logger: Logger;
  clock: Clock;
  /** Fail-fast connection for request-path commands. */
  redis: RedisClient;
  keys: QueueKeys;
  producer: JobProducer;
  registry: WorkerRegistry;
  requests: RequestStore;
  /** The one owner of request state; handlers call its steps and render. */
  lifecycle: RequestLifecycle;
  approvals: ApprovalStore;
  policy: Policy;
  incidents: IncidentStore;
  timeline: Timeline;
  backups: BackupStore;
  poster: MessagePoster;
  /** Cards of requests not yet ended, remembered for when Redis comes back empty (never an authority). */
  openCards: OpenCards;
  client: webApi.WebClient;
  /** Cluster used when a command names none. */
  defaultCluster: string;
  /** Emoji name that pins a message to the open incident's timeline. */
  pinEmoji: string;
  /** The runbooks `/k8s runbook` offers: the built-ins and SITREP_RUNBOOKS' files. */
  runbooks: RunbookCatalog;
  /** Members of a Slack user group, for policies that name one (cached for GROUP_CACHE_MS). */
  resolveGroup(groupId: string): Promise<string[]>;
  /** Whether a user is a Slack guest (users.info is_restricted / is_ultra_restricted), cached for GROUP_CACHE_MS. */
  isGuest(userId: string): Promise<boolean>;
  /**
   * Who suggests sitrep commands on alert cards; a list so other parts (runbooks) can add theirs.
   * @defaultValue [k8sSuggestions]
   */
  alertSuggestions: SuggestionProvider[];
  /** People and channels by name (users.info / conversations.info, cached) for postmortems and timelines. */
  names: SlackNames;
  /** The team (and enterprise) this bot serves, once auth.test has answered. */
  slackTeam?: { teamId: string; enterpriseId?: string };
}

export interface BotServicesOptions {
  logger: Logger;
  clock: Clock;
  redis: RedisClient;
  keys: QueueKeys;
  client: webApi.WebClient;
  policy: Policy;
  /** SITREP_JOB_KEY: what executions are signed with. */
  jobKey: string;
  defaultCluster: string;
  pinEmoji: string;
  runbooks: RunbookCatalog;
  /** How long a resolved incident and its timeline are kept, in ms. @defaultValue undefined (forever) */
  timelineRetentionMs?: number;
  /** Minimum time between two edits of one message, in ms. @defaultValue 1000 */
  editIntervalMs?: number;
  /** How long group membership and guest status are cached, in ms. @defaultValue GROUP_CACHE_MS (60 s) */
  membershipCacheMs?: number;
  /** How long a runbook's step may stand still before the sweep catches it up, in ms. @defaultValue 15000 */
  runbookStallMs?: number;
  /** A running job whose worker has not beaten for this long shows as lost on its card, in ms. @defaultValue JOB_LOST_AFTER_MS (10000) */
  jobLostAfterMs?: number;
}

/**
 * How long a Slack user group's members, or whether someone is a guest, are trusted before asking
 * Slack again, in ms: a person removed from a group can still approve for at most this long.
 */
export const GROUP_CACHE_MS = 60_000;

/** Builds the bot's services over one Redis connection and one Slack client. */
export function createBotServices(o: BotServicesOptions): BotServices {
  const { redis, keys, clock, client, logger } = o;
  const registry = new WorkerRegistry(redis, keys);
  const approvals = new ApprovalStore(redis, { prefix: keys.prefix, clock });
  const audit = new AuditLog(logger, approvals);
  const requests = new RequestStore(redis, keys.prefix, { onChange: audit.onChange });
  const incidents = new IncidentStore(redis, { prefix: keys.prefix, clock, retentionMs: o.timelineRetentionMs });
  const producer = new JobProducer({ redis, keys, registry, clock, logger });
  const openCards = new OpenCards();
  const poster = new MessagePoster({ client, store: requests, render: (record, now) => renderRequest(approvals, record, now), clock, logger, minIntervalMs: o.editIntervalMs, openCards });
  const groupCache = new Map<string, { at: number; members: string[] }>();
  const resolveGroup = async (groupId: string): Promise<string[]> => {
    const cached = groupCache.get(groupId);
    if (cached && clock.now() - cached.at < (o.membershipCacheMs ?? GROUP_CACHE_MS)) return cached.members;
    const res = await client.usergroups.users.list({ usergroup: groupId });
    const members = res.users ?? [];
    groupCache.set(groupId, { at: clock.now(), members });
    return members;
  };
  const guestCache = new Map<string, { at: number; guest: boolean }>();
  const isGuest = async (userId: string): Promise<boolean> => {
    const cached = guestCache.get(userId);
    if (cached && clock.now() - cached.at < (o.membershipCacheMs ?? GROUP_CACHE_MS)) return cached.guest;
    let guest: boolean;
    try {
      const res = await client.users.info({ user: userId });
      guest = Boolean(res.user?.is_restricted || res.user?.is_ultra_restricted);
    } catch (err) {
      // Fail closed: an approval from someone sitrep cannot place is not counted.
      throw new UnavailableError(ErrorCode.SlackApi, 'sitrep could not check your Slack account (users.info failed), so your approval was not counted.', {
        cause: err,
        hint: 'Try again in a minute; if it keeps failing, the Slack app may lack the users:read scope.',
      });
    }
    guestCache.set(userId, { at: clock.now(), guest });
    return guest;
  };
  const services: BotServices = {
    logger,
    clock,
    redis,
    keys,
    producer,
    registry,
    requests,
    lifecycle: undefined as never, // set just below: the lifecycle reads the policy through services
    approvals,
    policy: o.policy,
    incidents,
    timeline: new Timeline(redis, { prefix: keys.prefix }),
    backups: new BackupStore(redis, (id) => keys.backups(id)),
    poster,
    openCards,
    client,
    defaultCluster: o.defaultCluster,
    pinEmoji: o.pinEmoji,
    runbooks: o.runbooks,
    resolveGroup,
    isGuest,
    alertSuggestions: [k8sSuggestions],
    names: new SlackNames({ client, clock }),
  };
  services.lifecycle = new RequestLifecycle({
    clock,
    logger,
    store: requests,
    audit,
    approvals,
    // Read at every step, so a policy swapped on the services (a reload) applies to pending requests too.
    get policy() {
      return services.policy;
    },
    resolveGroup,
    producer,
    registry,
    beats: new JobBeats(redis, keys.jobBeats),
    ...(o.jobLostAfterMs !== undefined ? { jobLostAfterMs: o.jobLostAfterMs } : {}),
    incidents,
    timeline: services.timeline,
    defaultCluster: o.defaultCluster,
    jobKey: o.jobKey,
    slackTeam: () => services.slackTeam,
    isGuest,
    ...(o.runbookStallMs !== undefined ? { runbookStallMs: o.runbookStallMs } : {}),
    changed: (id) => poster.schedule(id),
  });
  return services;
}
