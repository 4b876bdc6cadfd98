import { KubeConfig } from '@kubernetes/client-node';
import { Policy } from './approval/index.js';
import { startBot } from './chat/bot.js';
import { configTable, loadConfig, parseClusters, type Config, type Role } from './config.js';
import { describeError } from './core/errors.js';
import { createLogger, type Logger } from './log.js';
import { healthRoutes, startOpsServer } from './ops/ops-server.js';
import { countApprovals } from './ops/approval-metrics.js';
import { Metrics } from './ops/metrics.js';
import { countingFetch } from './ops/slack-metrics.js';
import { createRedis } from './queue/redis-connection.js';
import { runSandboxCli } from './sandbox/index.js';
import { startWorkerProcess } from './worker/worker-process.js';

const USAGE = `sitrep: ChatOps for Kubernetes incident response

Usage:
  sitrep demo [--port 3000] [--scenario maintenance]   everything on loopback, with the local Slack console
  sitrep bot                                           the Slack side (needs SLACK_* and REDIS_URL)
  sitrep worker [--cluster NAME]                       runs jobs against one cluster (KUBECONFIG, REDIS_URL)
  sitrep all [--cluster NAME]                          bot and worker in one process
  sitrep sandbox [--port N] [--scenario NAME] [--kubeconfig PATH]   the simulated cluster alone
  sitrep config                                        the environment variables sitrep reads

Configuration comes from the environment; see README.md.`;

function flag(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].slice(name.length + 1) : argv[i + 1];
}

/** The clusters this process knows: SITREP_CLUSTERS, else one named after the current context. */
function clusterMap(config: Config): Map<string, string | undefined> {
  const map: Map<string, string | undefined> = parseClusters(config.SITREP_CLUSTERS);
  if (map.size) return map;
  let current = 'default';
  try {
    const kc = new KubeConfig();
    if (config.KUBECONFIG) kc.loadFromFile(config.KUBECONFIG);
    else kc.loadFromDefault();
    current = kc.getCurrentContext() || current;
  } catch {
    // The bot has no kubeconfig; it only needs the name.
  }
  const name = current.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'default';
  return new Map([[name, undefined]]);
}

function defaultCluster(config: Config): string {
  return config.SITREP_DEFAULT_CLUSTER ?? [...clusterMap(config).keys()][0];
}

async function runWorker(config: Config, argv: string[], logger: Logger, opsPort: number | undefined, metrics: Metrics) {
  const clusters = clusterMap(config);
  const cluster = flag(argv, '--cluster') ?? defaultCluster(config);
  if (!clusters.has(cluster) && parseClusters(config.SITREP_CLUSTERS).size) {
    throw new Error(`--cluster ${cluster} is not in SITREP_CLUSTERS (${[...clusters.keys()].join(', ')})`);
  }
  return startWorkerProcess({
    cluster,
    kubeconfigPath: config.KUBECONFIG,
    context: clusters.get(cluster),
    redisUrl: config.REDIS_URL,
    prefix: config.SITREP_PREFIX,
    logger,
    opsPort,
    metrics,
  });
}

async function runBot(config: Config, logger: Logger, metrics: Metrics) {
  const policy = config.SITREP_POLICY ? Policy.fromFile(config.SITREP_POLICY) : Policy.default();
  const redis = createRedis(config.REDIS_URL, { name: 'sitrep-bot-health', failFast: true });
  const routes = healthRoutes(
    [
      { name: 'redis', check: async () => void (await redis.ping()) },
      { name: 'slack', check: async () => void (await bot.app.client.auth.test()) },
    ],
    [metrics.route()],
  );
  const bot = await startBot({
    signingSecret: config.SLACK_SIGNING_SECRET!,
    botToken: config.SLACK_BOT_TOKEN!,
    appToken: config.SLACK_APP_TOKEN,
    slackApiUrl: config.SLACK_API_URL,
    redisUrl: config.REDIS_URL,
    prefix: config.SITREP_PREFIX,
    port: config.PORT,
    policy,
    defaultCluster: defaultCluster(config),
    pinEmoji: config.SITREP_PIN_EMOJI,
    timelineRetentionMs: config.SITREP_TIMELINE_RETENTION,
    logger,
    onAck: metrics.observeAck,
    slackFetch: countingFetch(metrics.observeSlack),
    routes,
  });
  countApprovals(bot.services.approvals, metrics.observeApproval);
  // In Socket Mode Bolt serves no HTTP, but probes and scrapes still need /healthz, /readyz, /metrics.
  const ops = config.SLACK_APP_TOKEN ? await startOpsServer(routes, config.PORT) : undefined;
  return {
    bot,
    async stop() {
      await bot.stop();
      await ops?.close();
      redis.disconnect();
    },
  };
}

/** Runs until SIGINT/SIGTERM, then stops what was started, in order, within the timeout. */
function untilSignal(logger: Logger, stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (sig: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal: sig }, 'stopping');
      void stop().finally(resolve);
    };
    process.once('SIGINT', () => onSignal('SIGINT'));
    process.once('SIGTERM', () => onSignal('SIGTERM'));
  });
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  if (cmd === 'sandbox') return runSandboxCli(rest);
  if (cmd === 'config') {
    console.log(configTable());
    return 0;
  }
  if (cmd === 'demo') {
    const { runDemo } = await import('./demo/demo.js');
    return runDemo(rest);
  }
  if (!['bot', 'worker', 'all'].includes(cmd)) {
    console.error(`Unknown command "${cmd}".\n\n${USAGE}`);
    return 2;
  }
  const role = cmd as Role;
  let config: Config;
  try {
    config = loadConfig(process.env, role);
  } catch (err) {
    const d = describeError(err);
    console.error(`${d.message}\n${d.hint ?? ''}`);
    return 2;
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  // One registry per process: in `sitrep all` the bot and the worker report to the same /metrics.
  const metrics = new Metrics({ defaultLabels: { role } });
  try {
    if (role === 'bot') {
      const b = await runBot(config, logger, metrics);
      await untilSignal(logger, () => b.stop());
    } else if (role === 'worker') {
      const w = await runWorker(config, rest, logger, config.SITREP_OPS_PORT, metrics);
      await untilSignal(logger, () => w.stop(config.SITREP_SHUTDOWN_TIMEOUT));
    } else {
      const w = await runWorker(config, rest, logger, undefined, metrics);
      const b = await runBot(config, logger, metrics);
      await untilSignal(logger, async () => {
        await w.stop(config.SITREP_SHUTDOWN_TIMEOUT);
        await b.stop();
      });
    }
    return 0;
  } catch (err) {
    const d = describeError(err);
    logger.fatal({ err, code: d.code }, d.message);
    console.error(`sitrep ${cmd}: ${d.message}${d.hint ? `\n${d.hint}` : ''}`);
    return 1;
  }
}

const exitCode = await main();
process.exitCode = exitCode;
