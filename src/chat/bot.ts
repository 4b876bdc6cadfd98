import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type BlockAction, type ButtonAction } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { helpText } from '../../commands/help.js';
import { parseCommand } from '../../commands/parse.js';
import { ApprovalStore, type Policy } from '../approval/index.js';
import type { Clock } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import { EventKind } from '../core/timeline-event.js';
import { IncidentStore, Timeline } from '../incident/index.js';
import { BackupStore } from '../queue/backup-store.js';
import { JobEventReader } from '../queue/job-events.js';
import { JobProducer } from '../queue/job-producer.js';
import { QueueKeys } from '../queue/keys.js';
import { createRedis } from '../queue/redis-connection.js';
import { RedisClock } from '../queue/redis-clock.js';
import { WorkerRegistry } from '../queue/worker-registry.js';
import { ApprovalFlow } from './approval-flow.js';
import { boltLogger } from './bolt-logger.js';
import type { BotServices } from './bot-services.js';
import { runIncidentVerb } from './incident-verbs.js';
import { runK8sBotVerb, type BotReply } from './k8s-bot-verbs.js';
import { MessagePoster } from './message-poster.js';
import { Relay } from './relay.js';
import { renderRequest } from './render-request.js';
import { CardAction } from './render/operation-card.js';
import { problemBlocks } from './render/request-card.js';
import { RequestStore } from './request-store.js';
import { takeRequest } from './request-intake.js';

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
  defaultCluster: string;
  /** @defaultValue 'pushpin' */
  pinEmoji?: string;
  /** How long a resolved incident and its timeline are kept. @defaultValue undefined (forever) */
  timelineRetentionMs?: number;
  logger: Logger;
  clock?: Clock;
  /** Minimum time between two edits of one message. @defaultValue 1000 */
  editIntervalMs?: number;
  /** How often expired approvals are swept. @defaultValue 5000 */
  expirySweepMs?: number;
  /** Extra routes on the bot's HTTP server (health, metrics). */
  routes?: { path: string; method: string; handler: (req: IncomingMessage, res: ServerResponse) => void }[];
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

function ephemeral(reply: { text: string; blocks?: unknown[] }) {
  return { response_type: 'ephemeral' as const, text: reply.text, ...(reply.blocks ? { blocks: reply.blocks as never } : {}) };
}

/**
 * The Slack side of sitrep: receives commands and clicks (always acknowledged first, within
 * milliseconds), hands slow work to the queue, and relays what workers report. It never talks
 * to Kubernetes.
 */
export async function startBot(options: BotOptions): Promise<Bot> {
  const logger = options.logger.child({ component: 'bot' });
  const keys = new QueueKeys(options.prefix ?? 'sitrep');
  const redis: Redis = createRedis(options.redisUrl, { name: 'sitrep-bot', failFast: true });
  const blocking: Redis = createRedis(options.redisUrl, { name: 'sitrep-bot-relay' });
  const registry = new WorkerRegistry(redis, keys);
  // Workers stamp heartbeats and events with Redis's time; the bot must judge them by the same
  // clock, or a skewed bot host would see every worker as dead.
  const redisClock = options.clock ? undefined : await new RedisClock(redis).start();
  const clock: Clock = options.clock ?? redisClock!;

  const receiver = options.appToken
    ? undefined
    : new HTTPReceiver({
        signingSecret: options.signingSecret,
        endpoints: '/slack/events',
        logger: boltLogger(logger),
        customRoutes: options.routes ?? [],
        // Slack retries after 3 s; every handler acks long before, so waiting longer only hides bugs.
        unhandledRequestTimeoutMillis: 2900,
      });
  const clientOptions = { slackApiUrl: options.slackApiUrl ?? 'https://slack.com/api/', retryConfig: { retries: 5, factor: 2, minTimeout: 200, maxTimeout: 5000 }, ...(options.slackFetch ? { fetch: options.slackFetch } : {}) };
  // Built here rather than by Bolt so stop() can wait for the socket to close (Bolt 5.1 does not).
  // The socket client calls apps.connections.open itself, so it needs the same Web API options.
  const socketReceiver = options.appToken ? new SocketModeReceiver({ appToken: options.appToken, logger: boltLogger(logger), installerOptions: { clientOptions } }) : undefined;
  const app = new App({
    token: options.botToken,
    receiver: receiver ?? socketReceiver,
    logger: boltLogger(logger),
    logLevel: LogLevel.INFO,
    clientOptions,
  });

  const requests = new RequestStore(redis, keys.prefix);
  const approvals = new ApprovalStore(redis, { prefix: keys.prefix, clock });
  const groupCache = new Map<string, { at: number; members: string[] }>();
  const services: BotServices = {
    logger,
    clock,
    redis,
    keys,
    producer: new JobProducer({ redis, keys, registry, clock }),
    registry,
    requests,
    approvals,
    policy: options.policy,
    incidents: new IncidentStore(redis, { prefix: keys.prefix, clock, retentionMs: options.timelineRetentionMs }),
    timeline: new Timeline(redis, { prefix: keys.prefix }),
    backups: new BackupStore(redis, (id) => keys.backups(id)),
    poster: undefined as unknown as MessagePoster, // set just below; it needs `services` to render
    client: app.client,
    defaultCluster: options.defaultCluster,
    pinEmoji: options.pinEmoji ?? 'pushpin',
    async resolveGroup(groupId) {
      const cached = groupCache.get(groupId);
      if (cached && clock.now() - cached.at < 60_000) return cached.members;
      const res = await app.client.usergroups.users.list({ usergroup: groupId });
      const members = res.users ?? [];
      groupCache.set(groupId, { at: clock.now(), members });
      return members;
    },
  };
  services.poster = new MessagePoster({ client: app.client, store: requests, render: (record, now) => renderRequest(services, record, now), clock, logger, minIntervalMs: options.editIntervalMs });
  const flow = new ApprovalFlow(services);
  const relay = new Relay(services, flow);

  const reply = async (respond: (m: object) => Promise<unknown>, r: BotReply) => {
    await respond({ response_type: r.inChannel ? 'in_channel' : 'ephemeral', text: r.text, ...(r.blocks ? { blocks: r.blocks } : {}) });
  };

  for (const name of ['/k8s', '/incident']) {
    app.command(name, async ({ command, ack, respond }) => {
      const t0 = performance.now();
      const parsed = parseCommand(command.command, command.text ?? '');
      const done = (outcome: string) => options.onAck?.({ command: command.command, verb: parsed.ok ? parsed.verb : parsed.verb ?? 'unknown', outcome, ms: performance.now() - t0 });
      if (!parsed.ok) {
        await ack(ephemeral(problemBlocks(parsed.error.message, parsed.error.hint)));
        done('bad_args');
        return;
      }
      if (parsed.verb === 'help') {
        await ack(ephemeral({ text: helpText(parsed.command, typeof parsed.args.verb === 'string' ? parsed.args.verb : undefined) }));
        done('help');
        return;
      }
      await ack();
      done('accepted');
      try {
        if (parsed.mode !== 'bot') {
          await takeRequest(services, command, parsed, (m) => reply(respond, m));
          return;
        }
        const decision = await services.policy.evaluate(
          { verb: parsed.command === '/incident' ? `incident.${parsed.verb}` : parsed.verb, userId: command.user_id, channelId: command.channel_id, cluster: parsed.cluster ?? options.defaultCluster, namespace: parsed.namespace },
          (g) => services.resolveGroup(g),
        );
        if (!decision.allowed) {
          await reply(respond, { text: `:no_entry: ${decision.reason}` });
          return;
        }
        const input = { verb: parsed.verb, args: parsed.args, userId: command.user_id, channelId: command.channel_id, triggerId: command.trigger_id };
        const result = parsed.command === '/incident' ? await runIncidentVerb(services, input) : await runK8sBotVerb(services, input);
        await reply(respond, result);
      } catch (err) {
        const d = describeError(err);
        logger.warn({ err, code: d.code, verb: parsed.verb }, 'command failed');
        await reply(respond, { text: `:x: ${d.message}${d.hint ? `\n${d.hint}` : ''}` }).catch((e) => logger.warn({ err: e }, 'could not tell the user'));
      }
    });
  }

  const onButton = (run: (value: string, userId: string) => Promise<string | undefined>) =>
    async ({ ack, body, action, respond }: { ack: () => Promise<void>; body: BlockAction; action: ButtonAction; respond: (m: object) => Promise<unknown> }) => {
      await ack();
      try {
        const message = await run(action.value ?? '', body.user.id);
        if (message) await respond({ response_type: 'ephemeral', replace_original: false, text: message });
      } catch (err) {
        const d = describeError(err);
        logger.warn({ err, code: d.code }, 'button click failed');
        await respond({ response_type: 'ephemeral', replace_original: false, text: `:x: ${d.message}${d.hint ? `\n${d.hint}` : ''}` }).catch(() => {});
      }
    };
  app.action<BlockAction<ButtonAction>>(CardAction.Approve, onButton((v, u) => flow.approve(v, u)));
  app.action<BlockAction<ButtonAction>>(CardAction.Reject, onButton((v, u) => flow.end('reject', v, u)));
  app.action<BlockAction<ButtonAction>>(CardAction.Cancel, onButton((v, u) => flow.end('cancel', v, u)));
  app.action<BlockAction<ButtonAction>>(CardAction.Confirm, onButton((v, u) => flow.confirm(v, u)));

  // A configurable reaction adds a channel message to the open incident's timeline, at the
  // message's own time (when it was said, not when someone pinned it).
  app.event('reaction_added', async ({ event }) => {
    if (event.reaction !== services.pinEmoji || event.item.type !== 'message') return;
    const channel = event.item.channel;
    const incident = await services.incidents.openIn(channel);
    if (!incident) return;
    const history = await app.client.conversations.history({ channel, latest: event.item.ts, inclusive: true, limit: 1 }).catch(() => undefined);
    const msg = history?.messages?.find((m) => m.ts === event.item.ts);
    await services.timeline.append(incident.id, {
      v: 1,
      key: `pin:${channel}:${event.item.ts}`,
      kind: EventKind.IncidentNote,
      at: Math.round(Number(event.item.ts) * 1000),
      actor: msg?.user ?? event.item_user ?? event.user,
      text: msg?.text ?? '(message)',
      link: `${channel}/${event.item.ts}`,
      data: { pinnedBy: event.user },
    });
  });

  const reader = new JobEventReader(blocking, keys.events, { consumer: `bot-${hostname()}-${process.pid}` }, (err) => logger.warn({ err }, 'job event relay error'));
  await reader.start((e) => relay.handle(e));
  // Cards another bot (or this one, before a restart) left half-updated are finished here.
  await services.poster.resume(0).catch((err) => logger.warn({ err }, 'could not resume card updates'));
  const sweep = setInterval(() => {
    void flow.sweepExpired().catch((err) => logger.warn({ err }, 'expiry sweep failed'));
    void services.poster.resume(15_000).catch((err) => logger.warn({ err }, 'could not resume card updates'));
  }, options.expirySweepMs ?? 5000);
  sweep.unref();

  let port = 0;
  if (receiver) {
    const server = (await app.start({ port: options.port ?? 3000, host: options.host ?? '0.0.0.0' })) as Server;
    port = (server.address() as AddressInfo).port;
  } else {
    await app.start();
  }
  logger.info({ port, socketMode: !receiver }, 'bot started');
  return {
    app,
    services,
    url: `http://127.0.0.1:${port}/slack/events`,
    port,
    async stop() {
      clearInterval(sweep);
      // Stop taking requests first, then finish relaying what is in flight.
      await app.stop().catch(() => {});
      if (socketReceiver) {
        const closed = (ms: number) => Promise.race([socketReceiver.client.disconnect().then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
        // A second disconnect forces the close when Slack never answers the first.
        if (!(await closed(2000))) await closed(1000);
      }
      await reader.stop();
      await services.poster.idle(5000);
      services.poster.stop();
      await Promise.race([services.producer.close(), new Promise((r) => setTimeout(r, 3000).unref())]);
      redisClock?.stop();
      redis.disconnect();
      blocking.disconnect();
    },
  };
}
