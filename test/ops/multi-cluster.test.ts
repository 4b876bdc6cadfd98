import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type Bot } from '../../src/chat/bot.js';
import { sendSlashCommand, startSlackApiServer, type SlackApiServer, type SlackMessage } from '../../src/console/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startWorkerProcess } from '../../src/worker/worker-process.js';
import { eventually } from '../support/eventually.js';
import { capturedLogger } from '../support/outputs.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { ALICE, messageText, OPS, SIGNING_SECRET, TEST_JOB_KEY, testBotOptions } from '../support/stack.js';

/**
 * Two clusters, one Redis, one bot: `prod` (the maintenance scenario: cp01, node01-03) and
 * `staging` (local-storage: master01), each with its own worker on the same prefix, as two
 * in-cluster agents would run.
 */
let redis: TestRedis;
let slack: SlackApiServer;
let bot: Bot;
const sandboxes: Record<string, Sandbox> = {};
const workers: Record<string, Awaited<ReturnType<typeof startWorkerProcess>>> = {};
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const botLogs = capturedLogger();
const prefix = `t${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  [redis, slack, sandboxes.prod, sandboxes.staging] = await Promise.all([
    startTestRedis(),
    startSlackApiServer(),
    startSandbox({ scenario: 'maintenance', timeScale: 0.02 }),
    startSandbox({ scenario: 'local-storage', timeScale: 0.02 }),
  ]);
  for (const cluster of ['prod', 'staging']) {
    workers[cluster] = await startWorkerProcess({ cluster, kubeconfigPath: sandboxes[cluster].kubeconfigPath, redisUrl: redis.url, prefix, logger, jobKeys: [TEST_JOB_KEY] });
  }
  bot = await startBot({ ...testBotOptions({ slackUrl: slack.url, redisUrl: redis.url, prefix, logger: botLogs.logger, defaultCluster: 'prod' }), editIntervalMs: 200 });
}, 60_000);

afterAll(async () => {
  await bot?.stop().catch(() => {});
  for (const w of Object.values(workers)) await w.stop(1000).catch(() => {});
  await Promise.all([slack?.close(), ...Object.values(sandboxes).map((s) => s.close()), redis?.stop()]);
});

function slash(text: string) {
  return sendSlashCommand(bot.url, SIGNING_SECRET, { command: '/k8s', text, userId: ALICE, channelId: OPS, responseUrl: slack.responseUrlFor(OPS, ALICE) });
}

/** The message of the request whose text is exactly `text`, once it matches `done`. */
function card(text: string, done: RegExp): Promise<SlackMessage> {
  return slack.waitFor(() => slack.workspace.messages(OPS).find((m) => messageText(m).includes(`/k8s ${text}`) && done.test(messageText(m))), { timeoutMs: 30_000 });
}

/** The next reply the bot sent through the response URL after `count` earlier ones. */
async function replyAfter(count: number): Promise<string> {
  const call = await slack.waitFor(() => slack.calls('response_url')[count], { timeoutMs: 15_000 });
  return JSON.stringify(call.args);
}

describe('several clusters, one bot', () => {
  it('--cluster staging answers from the staging cluster; no flag goes to the default, prod', async () => {
    await slash('get nodes --cluster staging');
    const staging = messageText(await card('get nodes --cluster staging', /Done/));
    expect(staging).toContain('master01');
    expect(staging).not.toContain('node02');
    await slash('get nodes');
    const prod = messageText(await card('get nodes', /Done[\s\S]*node02/));
    expect(prod).toContain('node02');
    expect(prod).not.toContain('master01');
    expect(sandboxes.staging.requests().byVerb['list nodes']).toBeGreaterThanOrEqual(1);
  });

  it('/k8s status lists both clusters, the default marked, with their live workers', async () => {
    const before = slack.calls('response_url').length;
    await slash('status');
    const text = await replyAfter(before);
    expect(text).toMatch(/\*prod\* \(default\): :large_green_circle: 1 worker/);
    expect(text).toMatch(/\*staging\*: :large_green_circle: 1 worker/);
    expect(text).toContain(workers.prod.runner.workerId);
    expect(text).toContain(workers.staging.runner.workerId);
  });

  it('an unknown cluster is refused, naming the known ones', async () => {
    const before = slack.calls('response_url').length;
    await slash('get nodes --cluster nowhere');
    const text = await replyAfter(before);
    expect(text).toContain('Unknown cluster *nowhere*');
    expect(text).toContain('`prod`, `staging`');
  });

  it('with staging\'s worker stopped, a staging request is refused as having no live worker; prod still works', async () => {
    // A stopping worker takes itself out of the registry; a crashed one ages out after WORKER_TTL_MS.
    await workers.staging.stop(2000);
    await slash('get pods -A --cluster staging');
    const refused = messageText(await card('get pods -A --cluster staging', /No live worker/));
    expect(refused).toContain('No live worker for cluster staging');
    expect(refused).toContain('sitrep worker --cluster staging');
    const before = slack.calls('response_url').length;
    await slash('status');
    expect(await replyAfter(before)).toMatch(/\*staging\*: :red_circle: no live worker/);
    await slash('get pods -A');
    expect(messageText(await card('get pods -A', /Done/))).toContain('checkout');
  });

  it('a staging worker that starts just after a command (a rollout, a reconnect after Redis came back empty) takes it instead of the command being refused', async () => {
    await slash('describe node master01 --cluster staging');
    // The bot found no worker: it looks again for up to 3 s before refusing, and the worker
    // registers as soon as it starts.
    await eventually(() => botLogs.lines.some((l) => l.includes('no live worker for the cluster yet')), { what: 'the bot looking for a staging worker' });
    workers.staging = await startWorkerProcess({ cluster: 'staging', kubeconfigPath: sandboxes.staging.kubeconfigPath, redisUrl: redis.url, prefix, logger, jobKeys: [TEST_JOB_KEY] });
    const done = messageText(await card('describe node master01 --cluster staging', /Done|Failed/));
    expect(done).toMatch(/master01/);
    expect(done).not.toMatch(/No live worker/);
  });
});
