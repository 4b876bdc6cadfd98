import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPEN_POLICY_YAML } from '../../../src/approval/index.js';
import { LocalWorkspace, startSlackApiServer, type SlackApiServer } from '../../../src/console/index.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { eventually } from '../../support/eventually.js';
import { freePort } from '../../support/free-port.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { SIGNING_SECRET } from '../../support/stack.js';
import { get, spawnSitrep, type Spawned } from './processes.js';

export interface BotAndWorker {
  redis: TestRedis;
  sandbox: Sandbox;
  slack: SlackApiServer;
  /** `sitrep bot`, HTTP on botUrl (Slack requests, /healthz, /readyz, /metrics). */
  bot: Spawned;
  /** `sitrep worker --cluster sandbox`, ops endpoints on opsUrl. */
  worker: Spawned;
  botUrl: string;
  opsUrl: string;
  /** The tail of both processes' output, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * The real processes as an operator starts them (`sitrep bot`, `sitrep worker --cluster sandbox`,
 * wired by src/main.ts), against a private Redis, the sandbox cluster and the Slack stand-in;
 * resolves once both answer /readyz. `botEnv` adds to (or overrides) the bot's environment.
 */
export async function startBotAndWorker(options: { botEnv?: Record<string, string> } = {}): Promise<BotAndWorker> {
  const [redis, sandbox, slack] = await Promise.all([startTestRedis(), startSandbox({ scenario: 'maintenance', timeScale: 0.02 }), startSlackApiServer()]);
  const prefix = `t${randomBytes(4).toString('hex')}`;
  // Without a policy file destructive verbs are off; these tests scale and approve.
  const policyFile = join(await mkdtemp(join(tmpdir(), 'sitrep-policy-')), 'policy.yaml');
  await writeFile(policyFile, OPEN_POLICY_YAML);
  const [botPort, opsPort] = [await freePort(), await freePort()];
  const botUrl = `http://127.0.0.1:${botPort}`;
  const opsUrl = `http://127.0.0.1:${opsPort}`;
  const worker = spawnSitrep(['worker', '--cluster', 'sandbox'], { KUBECONFIG: sandbox.kubeconfigPath, REDIS_URL: redis.url, SITREP_PREFIX: prefix, SITREP_OPS_PORT: String(opsPort) });
  const bot = spawnSitrep(['bot'], {
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: LocalWorkspace.botToken,
    SLACK_API_URL: slack.url,
    REDIS_URL: redis.url,
    SITREP_PREFIX: prefix,
    PORT: String(botPort),
    SITREP_DEFAULT_CLUSTER: 'sandbox',
    SITREP_POLICY: policyFile,
    ...options.botEnv,
  });
  const logs = () => `--- bot ---\n${bot.output().slice(-3000)}\n--- worker ---\n${worker.output().slice(-3000)}`;
  const stop = async () => {
    // A worker a test stopped (SIGSTOP) must run again to exit on SIGTERM.
    if (worker.proc.exitCode === null) worker.proc.kill('SIGCONT');
    await Promise.all([bot.stop(), worker.stop()]);
    await Promise.all([slack.close(), sandbox.close(), redis.stop()]);
  };
  try {
    await eventually(async () => (await get(`${botUrl}/readyz`)).status === 200 && (await get(`${opsUrl}/readyz`)).status === 200, { what: 'both processes ready', timeoutMs: 60_000, describe: logs });
  } catch (err) {
    await stop();
    throw err;
  }
  return { redis, sandbox, slack, bot, worker, botUrl, opsUrl, logs, stop };
}
