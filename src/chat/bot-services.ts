import type { webApi } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ApprovalStore, Policy } from '../approval/index.js';
import type { Clock } from '../core/clock.js';
import type { IncidentStore, Timeline } from '../incident/index.js';
import type { BackupStore } from '../queue/backup-store.js';
import type { JobProducer } from '../queue/job-producer.js';
import type { QueueKeys } from '../queue/keys.js';
import type { WorkerRegistry } from '../queue/worker-registry.js';
import type { MessagePoster } from './message-poster.js';
import type { RequestStore } from './request-store.js';

/**
 * Everything the bot's handlers use, built once in bot.ts. Handlers get it as a parameter, so
 * tests build the same thing on loopback (real Redis, stand-in Slack) and nothing is global.
 */
export interface BotServices {
  logger: Logger;
  clock: Clock;
  /** Fail-fast connection for request-path commands. */
  redis: Redis;
  keys: QueueKeys;
  producer: JobProducer;
  registry: WorkerRegistry;
  requests: RequestStore;
  approvals: ApprovalStore;
  policy: Policy;
  incidents: IncidentStore;
  timeline: Timeline;
  backups: BackupStore;
  poster: MessagePoster;
  client: webApi.WebClient;
  /** Cluster used when a command names none. */
  defaultCluster: string;
  /** Emoji name that pins a message to the open incident's timeline. */
  pinEmoji: string;
  /** Members of a Slack user group, for policies that name one (cached briefly). */
  resolveGroup(groupId: string): Promise<string[]>;
}
