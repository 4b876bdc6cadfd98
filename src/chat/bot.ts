import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import type { RedisClient } from '../core/redis-client.js';
import type { Logger } from 'pino';
import type { Policy } from '../approval/index.js';
import type { Clock } from '../core/clock.js';
import { ClusterNoteSchema, clusterNotesStream } from '../core/cluster-event.js';
import { appendClusterNote } from '../incident/index.js';
import { JOB_HEARTBEAT_MS } from '../queue/job-beats.js';
import { JobEventReader } from '../queue/job-events.js';
import { StreamGroupReader } from '../queue/stream-reader.js';
import { QueueKeys } from '../queue/keys.js';
import { createRedis, whenReady } from '../queue/redis-connection.js';
import { RedisClock } from '../queue/redis-clock.js';
import { RedisEpoch } from '../queue/redis-epoch.js';
import { boltLogger } from './bolt-logger.js';
import { identifyBot, type SlackTeam } from './bot-identity.js';
import { createBotServices, type BotServices } from './bot-services.js';
import { alertmanagerRoute, type AlertmanagerAuth } from './handlers/alertmanager.js';
import { registerCardActions } from './handlers/card-actions.js';
import { registerPinReaction } from './handlers/pin-reaction.js';
import { registerSlashCommands } from './handlers/slash-commands.js';
import { loadRunbookCatalog } from './runbook-catalog.js';
import type { RunbookCatalog } from '../runbooks/index.js';
import { tellLostRequests } from './redis-loss.js';
import { withSigningWindow } from './timestamp-window.js';
import { respondRetryingFetch } from './respond-fetch.js';

/**
 * Longest one Slack Web API call may wait for its answer, in ms, before @slack/web-api abandons it
 * and tries again (its `timeout`; the SDK's default is none). Slack answers in well under a second;
 * 15 s leaves room for a slow file upload.
 */
export const SLACK_CALL_TIMEOUT_MS = 15_000;

export interface BotOptions {
  signingSecret: string;
  botToken: string;
  /** Set: Socket Mode (no inbound HTTP for Slack). */
  appToken?: string;
  /** Base URL of the Slack Web API. @defaultValue 'https://slack.com/api/' */
  slackApiUrl?: string;
  redisUrl: string;
  /** @defaultValue 'sitrep' */
  prefix?: string;
  /** HTTP port (0 picks a free one). @defaultValue 3000 */
  port?: number;
  /** @defaultValue '0.0.0.0' */
  host?: string;
  policy: Policy;
  /** SITREP_JOB_KEY: executions are signed with it, and only workers holding it run them. */
  jobKey: string;
  defaultCluster: string;
  /** @defaultValue 'pushpin' */
  pinEmoji?: string;
  /** The runbooks to offer (loadRunbookCatalog(SITREP_RUNBOOKS) at start-up). @defaultValue the built-ins */
  runbooks?: RunbookCatalog;
  /** How long a resolved incident and its timeline are kept. @defaultValue undefined (forever) */
  timelineRetentionMs?: number;
  logger: Logger;
  clock?: Clock;
  /** Minimum time between two edits of one message. @defaultValue 1000 */
  editIntervalMs?: number;
  /** How long Slack group membership and guest status are cached, in ms. @defaultValue 60000 */
  membershipCacheMs?: number;
  /** How often expired approvals are swept (and stalled runbooks caught up). @defaultValue 5000 */
  expirySweepMs?: number;
  /** How long a runbook's step may stand still before the sweep catches it up, in ms. @defaultValue 15000 */
  runbookStallMs?: number;
  /** A running job whose worker has not beaten for this long shows as lost on its card (SITREP_JOB_LOST_AFTER), ms. @defaultValue 10000 */
  jobLostAfterMs?: number;
  /** How often the bot looks for running jobs whose worker went silent, ms. @defaultValue 2000 */
  workerLossCheckMs?: number;
  /** Longest one Slack Web API call (one attempt) may wait for its answer, ms; then it is retried. @defaultValue SLACK_CALL_TIMEOUT_MS (15000) */
  slackTimeoutMs?: number;
  /** Extra routes on the bot's HTTP server (health, metrics). */
  routes?: { path: string; method: string; handler: (req: IncomingMessage, res: ServerResponse) => void }[];
  /**
   * Credentials Alertmanager's webhook must send to `POST /alertmanager` (HTTP mode). Unset: no
   * alert intake. @defaultValue undefined
   */
  alertmanager?: AlertmanagerAuth;
  /** Hook for metrics: called once per slash command with its ack latency. */
  onAck?: (info: { command: string; verb: string; outcome: string; ms: number }) => void;
  /** Hook for metrics: the `fetch` the Slack Web API client sends every request through. @defaultValue globalThis.fetch */
  slackFetch?: (url: string | URL, init?: RequestInit) => Promise<Response>;
}

export interface Bot {
  app: App;
  services: BotServices;
  /** Where Slack sends requests (HTTP mode). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The Slack side of sitrep: receives commands and clicks (always acknowledged first, within
 * milliseconds), hands requests to the lifecycle, and relays what workers report. It never talks
 * to Kubernetes. Composed of: Bolt's receiver (HTTP or Socket Mode), the services, the handlers
 * (slash commands, card actions, the pin reaction) and the job event reader.
 */
export async function startBot(options: BotOptions): Promise<Bot> {
  const logger = options.logger.child({ component: 'bot' });
  const keys = new QueueKeys(options.prefix ?? 'sitrep');
  const redis: RedisClient = createRedis(options.redisUrl, { name: 'sitrep-bot', failFast: true });
  const blocking: RedisClient = createRedis(options.redisUrl, { name: 'sitrep-bot-relay' });
  // Workers stamp heartbeats and events with Redis's time; the bot must judge them by the same
  // clock, or a skewed bot host would see every worker as dead.
  await whenReady(redis, 5000);
  const redisClock = options.clock ? undefined : await new RedisClock(redis).start();
  const clock: Clock = options.clock ?? redisClock!;

  // The route is registered before the app exists (Bolt takes routes at construction); it calls
  // into the services once they are built below.
  let alertRoute: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const routes = [...(options.routes ?? [])];
  if (options.alertmanager) {
    routes.push({ path: '/alertmanager', method: 'POST', handler: (req, res) => (alertRoute ? alertRoute(req, res) : void res.writeHead(503).end()) });
  }
  // Bolt asks `authorize` on every request; it answers from what identifyBot learnt, so no request
  // waits on an auth.test of its own (a Slack 429 there left commands unacknowledged).
  let identity: SlackTeam | undefined;
  const { app, socketReceiver, clientOptions, slackClient } = createApp({ ...options, routes }, logger, () => identity);
  // A rejected token stops start-up here, with one message; an unreachable Slack is retried below
  // while commands are still acknowledged.
  const team = await identifyBot(options.botToken, clientOptions, logger).catch((err: unknown) => {
    redisClock?.stop();
    redis.disconnect();
    blocking.disconnect();
    throw err;
  });
  const services = createBotServices({
    logger,
    clock,
    redis,
    keys,
    client: slackClient,
    policy: options.policy,
    jobKey: options.jobKey,
    defaultCluster: options.defaultCluster,
    pinEmoji: options.pinEmoji ?? 'pushpin',
    runbooks: options.runbooks ?? loadRunbookCatalog(),
    timelineRetentionMs: options.timelineRetentionMs,
    editIntervalMs: options.editIntervalMs,
    membershipCacheMs: options.membershipCacheMs,
    ...(options.runbookStallMs !== undefined ? { runbookStallMs: options.runbookStallMs } : {}),
    ...(options.jobLostAfterMs !== undefined ? { jobLostAfterMs: options.jobLostAfterMs } : {}),
  });
  services.slackTeam = team;
  identity = team;
  if (options.alertmanager) alertRoute = alertmanagerRoute(services, { auth: options.alertmanager, suggestions: () => services.alertSuggestions }).handler;
  let identifyTimer: NodeJS.Timeout | undefined;
  const identifyLater = (delayMs: number) => {
    identifyTimer = setTimeout(() => {
      identifyBot(options.botToken, clientOptions, logger).then(
        (t) => (t ? (services.slackTeam = identity = t) : identifyLater(Math.min(delayMs * 2, 60_000))),
        (err: unknown) => logger.error({ code: (err as { code?: string }).code }, (err as Error).message),
      );
    }, delayMs);
    identifyTimer.unref();
  };
  if (!team) identifyLater(1000);
  registerSlashCommands(app, services, { onAck: options.onAck });
  registerCardActions(app, services);
  registerPinReaction(app, services);

  // Redis coming back empty is noticed by the marker (checked every sweep) or by the relay's
  // consumer group vanishing, whichever is first; the owners of lost requests are told once. A loss
  // stays to be told until every card of it was: a first try that met a Redis Cluster still
  // settling, or Slack refusing the edit, had forgotten it, and the card stayed as it was (found by
  // test/redis-cluster/cluster-failover.test.ts under load; test/faults/redis-lost-told.test.ts).
  const epoch = new RedisEpoch(redis, keys.epoch);
  // Redis may still be unreachable: the first sweep's check writes the marker then.
  await epoch.start().catch(() => {});
  let lossToTell = false;
  /** Never rejects: what it could not do now, the next sweep does. */
  const checkLoss = async () => {
    try {
      // Redis not answering: asked again at the next sweep.
      if (await epoch.lost().catch(() => false)) lossToTell = true;
      if (!lossToTell) return;
      const { left } = await tellLostRequests(services);
      if (left === 0) lossToTell = false;
    } catch (err) {
      logger.warn({ err }, 'could not tell lost requests');
    }
  };
  const reader = new JobEventReader(
    blocking,
    keys.events,
    {
      consumer: `bot-${hostname()}-${process.pid}`,
      onGroupLost: () => {
        lossToTell = true;
        void checkLoss();
      },
    },
    (err) => logger.warn({ err }, 'job event relay error'),
  );
  await reader.start((e) => services.lifecycle.applyJobEvent(e));
  // What the clusters did, onto the timelines of the incidents that watch them.
  const clusterBlocking: RedisClient = createRedis(options.redisUrl, { name: 'sitrep-bot-cluster-relay' });
  const clusterReader = new StreamGroupReader(
    clusterBlocking,
    clusterNotesStream(keys.prefix),
    { consumer: `bot-${hostname()}-${process.pid}` },
    (raw) => ClusterNoteSchema.parse(JSON.parse(raw)),
    (err) => logger.warn({ err }, 'cluster event relay error'),
  );
  await clusterReader.start(async (note) => void (await appendClusterNote(services.incidents, services.timeline, note)));
  // Cards another bot (or this one, before a restart) left half-updated are finished here.
  await services.poster.resume(0).catch((err) => logger.warn({ err }, 'could not resume card updates'));
  const sweep = setInterval(() => {
    void checkLoss();
    void services.lifecycle.sweepExpired().catch((err) => logger.warn({ err }, 'expiry sweep failed'));
    void services.lifecycle.sweepRunbooks().catch((err) => logger.warn({ err }, 'runbook sweep failed'));
    void services.poster.resume(15_000).catch((err) => logger.warn({ err }, 'could not resume card updates'));
  }, options.expirySweepMs ?? 5000);
  sweep.unref();
  // Its own pace, the workers' beat: a card should say its worker was lost soon after it was.
  const lossCheck = setInterval(() => void services.lifecycle.sweepLostWorkers().catch((err) => logger.warn({ err }, 'worker loss check failed')), options.workerLossCheckMs ?? JOB_HEARTBEAT_MS);
  lossCheck.unref();

  let port = 0;
  if (socketReceiver) {
    await app.start();
  } else {
    const server = (await app.start({ port: options.port ?? 3000, host: options.host ?? '0.0.0.0' })) as Server;
    port = (server.address() as AddressInfo).port;
  }
  logger.info({ port, socketMode: Boolean(socketReceiver) }, 'bot started');
  return {
    app,
    services,
    url: `http://127.0.0.1:${port}/slack/events`,
    port,
    async stop() {
      clearInterval(sweep);
      clearInterval(lossCheck);
      clearTimeout(identifyTimer);
      // Stop taking requests first, then finish relaying what is in flight.
      await app.stop().catch(() => {});
      if (socketReceiver) await closeSocket(socketReceiver);
      await reader.stop();
      await clusterReader.stop();
      await services.poster.idle(5000);
      services.poster.stop();
      await Promise.race([services.producer.close(), new Promise((r) => setTimeout(r, 3000).unref())]);
      redisClock?.stop();
      redis.disconnect();
      blocking.disconnect();
      clusterBlocking.disconnect();
    },
  };
}

/** Bolt's app over HTTP (`/slack/events` on PORT) or, with an app token, Socket Mode. */
function createApp(options: BotOptions, logger: Logger, identity: () => SlackTeam | undefined): { app: App; socketReceiver?: SocketModeReceiver; clientOptions: webApi.WebClientOptions; slackClient: webApi.WebClient } {
  const clientOptions = {
    slackApiUrl: options.slackApiUrl ?? 'https://slack.com/api/',
    retryConfig: { retries: 5, factor: 2, minTimeout: 200, maxTimeout: 5000 },
    // Each call gives up after this and is retried: without it a call that is never answered (a
    // partition that drops packets) holds its card's edit slot forever, and the card stops moving
    // while the job goes on (chat/message-poster.ts sends one edit per card at a time).
    timeout: options.slackTimeoutMs ?? SLACK_CALL_TIMEOUT_MS,
    ...(options.slackFetch ? { fetch: options.slackFetch } : {}),
  };
  // Built here rather than by Bolt so stop() can wait for the socket to close (Bolt 5.1 does not).
  // The socket client calls apps.connections.open itself, so it needs the same Web API options.
  const socketReceiver = options.appToken ? new SocketModeReceiver({ appToken: options.appToken, logger: boltLogger(options.logger), installerOptions: { clientOptions } }) : undefined;
  const receiver =
    socketReceiver ??
    new HTTPReceiver({
      signingSecret: options.signingSecret,
      endpoints: '/slack/events',
      logger: boltLogger(options.logger),
      customRoutes: options.routes ?? [],
      // Slack retries after 3 s; every handler acks long before, so waiting longer only hides bugs.
      unhandledRequestTimeoutMillis: 2900,
    });
  if (receiver instanceof HTTPReceiver) {
    receiver.requestListener = withSigningWindow(receiver.requestListener, (req) => logger.warn({ timestamp: req.headers['x-slack-request-timestamp'], path: req.url }, 'refused a Slack request signed more than 5 minutes from now'));
  }
  // `authorize` instead of `token`: given a token, Bolt calls auth.test itself, in its constructor
  // with nobody to catch it (an unreachable Slack crashed the process), or, with verification off,
  // before every request that arrives (a Slack 429 there left commands unacknowledged). identifyBot
  // asks once instead (a rejected token stops start-up; an unreachable Slack is retried), and each
  // request is authorized from what it learnt.
  const authorize = async () => {
    const id = identity();
    return { botToken: options.botToken, ...(id?.botId ? { botId: id.botId } : {}), ...(id?.botUserId ? { botUserId: id.botUserId } : {}), ...(id ? { teamId: id.teamId } : {}), ...(id?.enterpriseId ? { enterpriseId: id.enterpriseId } : {}) };
  };
  // Bolt's respond() posts with its clientOptions' fetch, once; this one retries a reply Slack
  // rate-limited or failed (respond-fetch.ts). Bolt's own WebClient, which it also builds from these
  // options, is not used: sitrep's Web API calls go through slackClient below.
  const app = new App({ authorize, receiver, logger: boltLogger(options.logger), logLevel: LogLevel.INFO, clientOptions: { ...clientOptions, fetch: respondRetryingFetch(options.slackFetch) } });
  // Bolt's own client carries no token under `authorize`: sitrep's calls go through this one.
  const slackClient = new webApi.WebClient(options.botToken, { ...clientOptions, logger: boltLogger(options.logger) });
  return { app, clientOptions, slackClient, ...(socketReceiver ? { socketReceiver } : {}) };
}

/** Closes the Socket Mode connection; a second disconnect forces the close when Slack never answers the first. */
async function closeSocket(socketReceiver: SocketModeReceiver): Promise<void> {
  const closed = (ms: number) => Promise.race([socketReceiver.client.disconnect().then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  if (!(await closed(2000))) await closed(1000);
}
