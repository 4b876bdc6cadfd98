import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { JobPayload } from '../../src/core/job.js';
import { QueueKeys } from '../../src/queue/keys.js';
import { RequestStore } from '../../src/requests/index.js';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { OPEN_POLICY_YAML, Policy } from '../../src/approval/index.js';
import { startBot, type Bot, type BotOptions } from '../../src/chat/bot.js';
import type { AlertmanagerAuth } from '../../src/chat/handlers/alertmanager.js';
import { LocalWorkspace, sendBlockAction, sendSlashCommand, startSlackApiServer, visibleText, type SlackApiServer, type SlackMessage } from '../../src/console/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startWorkerProcess } from '../../src/worker/worker-process.js';
import { leastPrivilegeKubeconfig } from './least-privilege.js';
import type { RedisClient } from '../../src/core/redis-client.js';
import { startTestRedis, type TestRedis } from './redis-server.js';
import { clusterQueue } from '../../src/queue/cluster-queue.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
/** SITREP_JOB_KEY of the tests' bots and workers. */
export const TEST_JOB_KEY = 'test-job-key-0123456789abcdef0123456789abcdef';
export const OPS = 'C0OPS00001';
export const ALICE = 'U0ALICE001';
export const BOB = 'U0BOB00001';
export const CAROL = 'U0CAROL001';
export const DAVE = 'U0DAVE0001';

/**
 * A Redis the caller started and will stop (a Redis Cluster, a Sentinel set): the stack only
 * connects to `url`, with clients from `client()`.
 */
export interface SharedRedis {
  url: string;
  client(): RedisClient;
}

export interface StackOptions {
  /** Use this Redis instead of starting a private redis-server. @defaultValue a private one */
  redis?: SharedRedis;
  scenario?: string;
  params?: Record<string, string | number>;
  timeScale?: number;
  policy?: Policy;
  /** Start an in-process worker. @defaultValue true */
  worker?: boolean;
  editIntervalMs?: number;
  lockDurationMs?: number;
  /** How long the bot waits on a silent job heartbeat before the card says the worker was lost, ms. @defaultValue 10000 */
  jobLostAfterMs?: number;
  aof?: boolean;
  /** How long the bot trusts Slack group membership and guest status, ms. @defaultValue 60000 */
  membershipCacheMs?: number;
  /** The bot's timeout of one Slack Web API call, ms. @defaultValue the bot's (SLACK_CALL_TIMEOUT_MS) */
  slackTimeoutMs?: number;
  /** The logger bot and workers use (a capturing one, to search what was logged). @defaultValue a silent pino */
  logger?: pino.Logger;
  /**
   * Bot and workers connect as a Redis ACL user with these rules (`~{prefix}:*` stands for the
   * stack's key prefix), e.g. the rules docs/operations.md recommends. @defaultValue the default user
   */
  redisAclRules?: string;
  /** Credentials for the bot's POST /alertmanager. @defaultValue undefined (no alert intake) */
  alertmanager?: AlertmanagerAuth;
  /** Worker cluster event stream settings (short polls for tests). @defaultValue { pollMs: 200, flushMs: 200, digest: { quietMs: 1000 } } */
  clusterEvents?: false | { pollMs?: number; flushMs?: number; digest?: { quietMs?: number } };
}

/**
 * The whole of sitrep on loopback for one test file: a private redis-server, the sandbox
 * cluster, the Slack Web API stand-in, the real Bolt bot over HTTP and a worker. Nothing mocked.
 */
export interface Stack<R extends SharedRedis = TestRedis> {
  redis: R;
  /** The URL bot and workers connect with (with the ACL user's credentials under `redisAclRules`). */
  redisUrl: string;
  sandbox: Sandbox;
  /** The worker's kubeconfig: the sitrep-worker ServiceAccount with deploy/kubernetes/rbac.yaml's ClusterRole. */
  workerKubeconfigPath: string;
  /** client-node's core API against the sandbox, for checking what a command did to the cluster. */
  core: CoreV1Api;
  slack: SlackApiServer;
  bot: Bot;
  prefix: string;
  logger: pino.Logger;
  workers: Awaited<ReturnType<typeof startWorkerProcess>>[];
  startWorker(): Promise<Awaited<ReturnType<typeof startWorkerProcess>>>;
  /** A second bot replica on the same Redis and Slack (stopped with the stack). */
  startBotReplica(): Promise<Bot>;
  /**
   * Stops the bot and starts a fresh one on the same Redis: nothing may live only in its memory.
   * `whileDown` runs while no bot runs (workers keep working and reporting into Redis).
   */
  restartBot(options?: { policy?: Policy; whileDown?: () => Promise<void> }): Promise<Bot>;
  /** Sends `/k8s …` (or `/incident …`) as Slack would, from `user` in #ops. */
  slash(text: string, options?: { user?: string; command?: '/k8s' | '/incident'; channel?: string; triggerId?: string; retryNum?: number; timestamp?: number; teamId?: string }): ReturnType<typeof sendSlashCommand>;
  /**
   * Clicks a button as Slack would; `channel`, `teamId` and `enterpriseId` may say it came from
   * elsewhere, and `message` the copy of the card the clicker's Slack still shows (default: the
   * card as it is now), whose button supplies the block_id.
   */
  click(actionId: string, value: string, options: { user: string; messageTs: string; channel?: string; teamId?: string; enterpriseId?: string; message?: SlackMessage }): ReturnType<typeof sendBlockAction>;
  /** Text of every message and block in a channel, for assertions. */
  channelText(channel?: string): string;
  /** The payloads of every job BullMQ holds for the sandbox cluster, read through BullMQ's API. */
  jobs(): Promise<JobPayload[]>;
  /** The bot's request records, through the store that owns them. */
  requests: RequestStore;
  stop(): Promise<void>;
}

/** The text a user sees of a message (its fallback text and its blocks' text), for assertions. */
export function messageText(m: { text?: string; blocks?: unknown[] }): string {
  return visibleText(m);
}

/**
 * What every test bot shares: the stand-in's signing secret and bot token, loopback on a free
 * port, the test job key, the open test policy. Tests spread it and override what they test.
 */
export function testBotOptions(o: { slackUrl: string; redisUrl: string; prefix: string; logger: pino.Logger; defaultCluster?: string }): BotOptions {
  return {
    signingSecret: SIGNING_SECRET,
    botToken: LocalWorkspace.botToken,
    slackApiUrl: o.slackUrl,
    redisUrl: o.redisUrl,
    prefix: o.prefix,
    port: 0,
    host: '127.0.0.1',
    policy: Policy.fromText(OPEN_POLICY_YAML, 'test policy'),
    jobKey: TEST_JOB_KEY,
    defaultCluster: o.defaultCluster ?? 'sandbox',
    logger: o.logger,
  };
}

export function startStack(options?: StackOptions & { redis?: undefined }): Promise<Stack>;
export function startStack<R extends SharedRedis>(options: StackOptions & { redis: R }): Promise<Stack<R>>;
export async function startStack(options: StackOptions = {}): Promise<Stack<SharedRedis>> {
  const logger = options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const own = options.redis ? undefined : await startTestRedis({ aof: options.aof });
  const redis: SharedRedis = options.redis ?? own!;
  let redisUrl = redis.url;
  if (options.redisAclRules && own) {
    const password = randomBytes(12).toString('hex');
    const admin = own.client();
    await admin.call('ACL', 'SETUSER', 'sitrep', 'reset', 'on', `>${password}`, ...options.redisAclRules.replaceAll('{prefix}', prefix).split(/\s+/));
    const url = new URL(redis.url);
    url.username = 'sitrep';
    url.password = password;
    redisUrl = url.toString();
  }
  const sandbox = await startSandbox({ scenario: options.scenario ?? 'maintenance', params: options.params, timeScale: options.timeScale ?? 0.02 });
  const slack = await startSlackApiServer();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(sandbox.kubeconfigPath);
  // The worker runs as its ServiceAccount with deploy/kubernetes/rbac.yaml's ClusterRole, not as admin.
  const workerKubeconfigPath = await leastPrivilegeKubeconfig(sandbox);
  const cluster = 'sandbox';
  const workers: Stack['workers'] = [];
  const startWorker = async () => {
    const w = await startWorkerProcess({ cluster, kubeconfigPath: workerKubeconfigPath, redisUrl, prefix, logger, lockDurationMs: options.lockDurationMs ?? 5000, jobKeys: [TEST_JOB_KEY], clusterEvents: options.clusterEvents ?? { pollMs: 200, flushMs: 200, digest: { quietMs: 1000 } } });
    workers.push(w);
    return w;
  };
  if (options.worker !== false) await startWorker();
  let policy = options.policy ?? Policy.fromText(OPEN_POLICY_YAML, 'test policy');
  const launchBot = () =>
    startBot({
      ...testBotOptions({ slackUrl: slack.url, redisUrl, prefix, logger, defaultCluster: cluster }),
      policy,
      editIntervalMs: options.editIntervalMs ?? 200,
      ...(options.membershipCacheMs !== undefined ? { membershipCacheMs: options.membershipCacheMs } : {}),
      ...(options.slackTimeoutMs !== undefined ? { slackTimeoutMs: options.slackTimeoutMs } : {}),
      ...(options.alertmanager ? { alertmanager: options.alertmanager } : {}),
      expirySweepMs: 200,
      workerLossCheckMs: 200,
      ...(options.jobLostAfterMs !== undefined ? { jobLostAfterMs: options.jobLostAfterMs } : {}),
      runbookStallMs: 1000,
    });
  let bot = await launchBot();
  const replicas: Bot[] = [];
  const clients: RedisClient[] = [];
  const client = () => {
    const c = redis.client();
    clients.push(c);
    return c;
  };
  const stack: Stack<SharedRedis> = {
    redis,
    redisUrl,
    sandbox,
    workerKubeconfigPath,
    core: kubeConfig.makeApiClient(CoreV1Api),
    slack,
    get bot() {
      return bot;
    },
    prefix,
    logger,
    workers,
    startWorker,
    async startBotReplica() {
      const replica = await launchBot();
      replicas.push(replica);
      return replica;
    },
    async restartBot(o = {}) {
      await bot.stop();
      await o.whileDown?.();
      if (o.policy) policy = o.policy;
      bot = await launchBot();
      return bot;
    },
    slash(text, o = {}) {
      const channel = o.channel ?? OPS;
      const user = o.user ?? ALICE;
      return sendSlashCommand(bot.url, SIGNING_SECRET, {
        command: o.command ?? '/k8s',
        text,
        userId: user,
        channelId: channel,
        responseUrl: slack.responseUrlFor(channel, user),
        ...(o.triggerId ? { triggerId: o.triggerId } : {}),
        ...(o.retryNum ? { retryNum: o.retryNum } : {}),
        ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}),
        ...(o.teamId ? { teamId: o.teamId } : {}),
      });
    },
    click(actionId, value, o) {
      const channel = o.channel ?? OPS;
      const message = o.message ?? slack.workspace.message(channel, o.messageTs);
      return sendBlockAction(bot.url, SIGNING_SECRET, {
        userId: o.user,
        channelId: channel,
        messageTs: o.messageTs,
        actionId,
        value,
        ...(message ? { message } : {}),
        ...(o.teamId ? { teamId: o.teamId } : {}),
        ...(o.enterpriseId ? { enterpriseId: o.enterpriseId } : {}),
        responseUrl: slack.responseUrlFor(channel, o.user, { messageTs: o.messageTs }),
      });
    },
    channelText(channel = OPS) {
      return slack.workspace.messages(channel).map(messageText).join('\n');
    },
    async jobs() {
      const queue = clusterQueue(client(), new QueueKeys(prefix), cluster);
      try {
        return (await queue.getJobs(['completed', 'active', 'waiting', 'failed', 'delayed', 'prioritized'])).map((j) => j.data as JobPayload);
      } finally {
        await queue.close();
      }
    },
    requests: new RequestStore(client(), prefix),
    async stop() {
      await bot.stop().catch(() => {});
      for (const r of replicas) await r.stop().catch(() => {});
      for (const w of workers) await w.stop(1000).catch(() => {});
      await slack.close().catch(() => {});
      await sandbox.close().catch(() => {});
      // A shared Redis is the caller's to stop; only this stack's connections to it are closed.
      if (own) await own.stop();
      else for (const c of clients) c.disconnect();
    },
  };
  return stack;
}

/**
 * One stack for the whole test file: started before its first test (vitest `beforeAll`) and
 * stopped after its last. The value returned stands for that stack (its methods and fields
 * forward to it), so tests use it as they would a started one.
 */
export function useStack(options: StackOptions & { redis?: undefined } = {}): Stack {
  let started: Stack | undefined;
  beforeAll(async () => {
    started = await startStack(options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  return new Proxy({} as Stack, {
    get(_target, key) {
      if (!started) throw new Error('the stack is used before its beforeAll started it');
      const value = Reflect.get(started, key, started) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(started) : value;
    },
  });
}
