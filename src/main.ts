import { parseArgs } from 'node:util';
import { ConfigSchema, configTable, loadConfig, parseClusters, type Config, type Role } from './config.js';
import { ConfigError, describeError, ErrorCode, isSitrepError, UnavailableError } from './core/errors.js';
import { currentContextName } from './kubeconfig-context.js';
import type { RedisClient } from './core/redis-client.js';
import { describeRedisTarget, parseRedisUrl } from './core/redis-url.js';
import { createLogger, type Logger } from './log.js';
import { versionInfo } from './version.js';

/**
 * The `sitrep` command. Each subcommand imports only what its role needs (a bot never loads
 * client-node or the sandbox; a worker never loads Bolt), so an idle process holds little memory.
 *
 * Exit codes: 0 ok; 1 a runtime or configuration failure (a missing variable, a rejected token,
 * Redis or a cluster unreachable at start); 2 a usage error (unknown subcommand or flag).
 */

const USAGE = `sitrep: ChatOps for Kubernetes incident response

Usage:
  sitrep demo [--port 3000] [--scenario maintenance] [--time-scale 0.1]
                                   everything on loopback, with the local Slack console
  sitrep bot                       the Slack side (needs SLACK_*, SITREP_JOB_KEY and REDIS_URL)
  sitrep worker [--cluster NAME]   runs jobs against one cluster (KUBECONFIG, SITREP_JOB_KEY, REDIS_URL)
  sitrep all [--cluster NAME]      bot and worker in one process
  sitrep sandbox [--port N] [--scenario NAME] [--kubeconfig PATH] [--time-scale F]
                 [--param key=value ...] [--action reboot|down|up:NODE[@AFTER][/DOWN] ...] [--http]
                                   the simulated cluster alone (scenarios: sitrep sandbox --help)
  sitrep config                    the environment variables sitrep reads
  sitrep migrate-keys [--dry-run]  renames keys written before hash tags (REDIS_URL, SITREP_PREFIX)
  sitrep version                   version, commit and Node (also --version)

Every subcommand takes --help. Configuration comes from the environment; see README.md.
Exit codes: 0 ok, 1 runtime or configuration failure, 2 usage error.`;

const VERSION_HELP = `Usage: sitrep version   (or sitrep --version)

Prints the version, the git commit it was built from and the Node.js that runs it, e.g.
  sitrep 0.1.0 (commit 1a2b3c4d5e6f) on Node v24.22.3
The same three values are the labels of the sitrep_build_info metric.`;

const CONFIG_HELP = `Usage: sitrep config

Prints the environment variables sitrep reads, with their defaults, as a Markdown table.`;

const MIGRATE_HELP = `Usage: sitrep migrate-keys [--dry-run]

Renames the Redis keys sitrep wrote before its keys had hash tags (the Redis Cluster release) to
their names now, so past incidents, their timelines, the audit stream, requests and approvals
stay readable. Run it once, with bot and workers stopped, on the REDIS_URL and SITREP_PREFIX they
use. Never overwrites a key; safe to run again. Queued jobs are not moved: upgrade with no request
pending or running (docs/operations.md, Upgrading). --dry-run prints what it would rename.`;

/** Help of the subcommands main.ts parses itself; \`demo\` and \`sandbox\` keep theirs beside their code. */
const HELP: Record<Role | 'config' | 'version' | 'migrate-keys', string> = {
  config: CONFIG_HELP,
  'migrate-keys': MIGRATE_HELP,
  version: VERSION_HELP,
  bot: `Usage: sitrep bot

The Slack side: slash commands, buttons and the job event relay. Talks to Slack and Redis, never
to Kubernetes. Reads SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN (and SLACK_APP_TOKEN for Socket Mode),
REDIS_URL, SITREP_POLICY, SITREP_RUNBOOKS and the rest of \`sitrep config\`.`,
  worker: `Usage: sitrep worker [--cluster NAME]

Runs the jobs of one cluster from Redis against its API server. Never talks to Slack.
  --cluster NAME   which cluster to serve (default: SITREP_DEFAULT_CLUSTER, else the first of
                   SITREP_CLUSTERS, else one named after the kubeconfig's current context)`,
  all: `Usage: sitrep all [--cluster NAME]

The bot and one worker in one process, for small teams.
  --cluster NAME   the cluster the worker serves (as for \`sitrep worker\`)`,
};

class UsageError extends Error {}

/** How long a process waits for Redis at start before it gives up (exit 1; Kubernetes restarts it). */
const REDIS_START_TIMEOUT_MS = 10_000;

/**
 * Both roles need Redis before anything else; without this check a process whose Redis is down at
 * start would wait for it forever, saying nothing. Names host and port only: REDIS_URL may carry a
 * password.
 */
async function requireRedis(url: string): Promise<void> {
  const { createRedis, withTimeout } = await import('./queue/redis-connection.js');
  const redis = createRedis(url, { name: 'sitrep-start-check' });
  const where = describeRedisTarget(parseRedisUrl(url));
  try {
    await withTimeout(redis.ping(), REDIS_START_TIMEOUT_MS, () =>
      new UnavailableError(ErrorCode.RedisUnavailable, `Redis at ${where} did not answer within ${REDIS_START_TIMEOUT_MS / 1000}s.`, {
        hint: 'Check REDIS_URL and that Redis runs and is reachable from here (NetworkPolicy egress to 6379, password).',
      }),
    );
  } catch (err) {
    // A wrong password is configuration, not an outage: say so once, and never echo the URL.
    const refused = /^(WRONGPASS|NOAUTH|NOPERM)/.exec((err as Error).message)?.[1];
    if (refused) throw new ConfigError(`Redis at ${where} refused sitrep's credentials (${refused}).`, { hint: 'Check the user and password in REDIS_URL (redis://USER:PASSWORD@HOST:PORT), and the Redis ACL (docs/operations.md, Protecting sitrep).' });
    throw err;
  } finally {
    redis.disconnect();
  }
}

/** The clusters this process knows: SITREP_CLUSTERS, else one named after the current context. */
function clusterMap(config: Config): Map<string, string | undefined> {
  const map: Map<string, string | undefined> = parseClusters(config.SITREP_CLUSTERS);
  if (map.size) return map;
  const name = currentContextName(config.KUBECONFIG)?.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'default';
  return new Map([[name, undefined]]);
}

function defaultCluster(config: Config): string {
  return config.SITREP_DEFAULT_CLUSTER ?? [...clusterMap(config).keys()][0];
}

async function runWorker(config: Config, clusterFlag: string | undefined, logger: Logger, opsPort: number | undefined, metrics: import('./ops/metrics.js').Metrics) {
  const clusters = clusterMap(config);
  const cluster = clusterFlag ?? defaultCluster(config);
  if (!clusters.has(cluster) && parseClusters(config.SITREP_CLUSTERS).size) {
    throw new ConfigError(`--cluster ${cluster} is not in SITREP_CLUSTERS (${[...clusters.keys()].join(', ')}).`, { hint: 'Name one of those clusters, or add it to SITREP_CLUSTERS.' });
  }
  const { startWorkerProcess } = await import('./worker/worker-process.js');
  return startWorkerProcess({
    cluster,
    kubeconfigPath: config.KUBECONFIG,
    context: clusters.get(cluster),
    redisUrl: config.REDIS_URL,
    prefix: config.SITREP_PREFIX,
    logger,
    opsPort,
    metrics,
    jobKeys: jobKeys(config),
    concurrency: config.SITREP_WORKER_CONCURRENCY,
    lockDurationMs: config.SITREP_JOB_LOCK,
    stalledIntervalMs: config.SITREP_JOB_STALLED_INTERVAL,
    jobHeartbeatMs: config.SITREP_JOB_HEARTBEAT,
  });
}

/** The key executions are signed with, then the previous one (accepted while keys rotate). */
function jobKeys(config: Config): string[] {
  return [config.SITREP_JOB_KEY!, ...(config.SITREP_JOB_KEY_PREVIOUS ? [config.SITREP_JOB_KEY_PREVIOUS] : [])];
}

/**
 * @param notLive in `sitrep all`, why the worker in this process takes no jobs
 * (JobRunner.notTakingJobs): the process's one /healthz fails with it, so it is restarted.
 */
async function runBot(config: Config, logger: Logger, metrics: import('./ops/metrics.js').Metrics, runbooks: import('./runbooks/index.js').RunbookCatalog, notLive?: () => string | undefined) {
  const [{ Policy }, { startBot }, { healthRoutes, startOpsServer }, { countApprovals }, { countingFetch }, { clusterSnapshots }] = await Promise.all([
    import('./approval/index.js'),
    import('./chat/bot.js'),
    import('./ops/ops-server.js'),
    import('./ops/approval-metrics.js'),
    import('./ops/slack-metrics.js'),
    import('./ops/cluster-metrics.js'),
  ]);
  const policy = config.SITREP_POLICY ? Policy.fromFile(config.SITREP_POLICY) : Policy.default();
  // Ready means this pod can take Slack's requests: Redis answers on the connection those requests
  // use. A connection of its own for the probe came back first after a Redis restart, and a load
  // balancer sent a click to a bot whose request path still failed "Stream isn't writeable" (found
  // by npm run chaos, redis-restart-aof; test/faults/redis-restart-output.test.ts). Slack being
  // unreachable is not this pod's fault, and taking every bot out of its Service for it would turn
  // sitrep's own message into Slack's dispatch_failed; it shows in sitrep_slack_api_calls_total and the logs.
  let requestPath: RedisClient | undefined;
  const routes = healthRoutes(
    [
      {
        name: 'redis',
        check: async () => {
          if (!requestPath) throw new Error('starting');
          await requestPath.ping();
        },
      },
    ],
    [metrics.route()],
    notLive,
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
    runbooks,
    timelineRetentionMs: config.SITREP_TIMELINE_RETENTION,
    jobLostAfterMs: config.SITREP_JOB_LOST_AFTER,
    jobKey: config.SITREP_JOB_KEY!,
    logger,
    onAck: metrics.observeAck,
    slackFetch: countingFetch(metrics.observeSlack),
    routes,
    ...(config.SITREP_ALERTMANAGER_TOKEN || config.SITREP_ALERTMANAGER_BASIC_AUTH
      ? { alertmanager: { bearerToken: config.SITREP_ALERTMANAGER_TOKEN, basicAuth: config.SITREP_ALERTMANAGER_BASIC_AUTH } }
      : {}),
  });
  requestPath = bot.services.redis;
  countApprovals(bot.services.approvals, metrics.observeApproval);
  // Workers export only their own queue: with every worker of a cluster down, only the bot can say so.
  const { registry, producer, clock } = bot.services;
  const unwatch = metrics.watchClusters(
    clusterSnapshots({
      clusters: () => registry.clusters(),
      live: (cluster, now) => registry.live(cluster, now),
      depth: (cluster) => producer.depth(cluster),
      now: () => clock.now(),
      configured: [...new Set([defaultCluster(config), ...parseClusters(config.SITREP_CLUSTERS).keys()])],
    }),
  );
  // In Socket Mode Bolt serves no HTTP, but probes and scrapes still need /healthz, /readyz, /metrics.
  const ops = config.SLACK_APP_TOKEN ? await startOpsServer(routes, config.PORT) : undefined;
  return {
    bot,
    async stop() {
      unwatch();
      await bot.stop();
      await ops?.close();
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

/**
 * For subcommands that take no arguments: true for `--help`/`-h`, false for nothing, and a usage
 * error for anything else (`sitrep version --bogus` must not print a version as if it were fine).
 */
function onlyHelp(argv: string[]): boolean {
  if (argv.length === 0) return false;
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) return true;
  const first = argv.find((a) => a !== '--help' && a !== '-h')!;
  throw new UsageError(first.startsWith('-') ? `Unknown option '${first}'` : `unexpected argument "${first}"`);
}

/** Flags of `bot`, `worker` and `all`, strictly: an unknown flag is a usage error, not ignored. */
function roleFlags(role: Role, argv: string[]): { help: boolean; cluster?: string } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' }, ...(role === 'bot' ? {} : { cluster: { type: 'string' as const } }) },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    return { help: Boolean(values.help), ...(typeof values.cluster === 'string' ? { cluster: values.cluster } : {}) };
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

async function runRole(role: Role, argv: string[]): Promise<number> {
  const flags = roleFlags(role, argv);
  if (flags.help) {
    console.log(HELP[role]);
    return 0;
  }
  const config = loadConfig(process.env, role);
  const logger = createLogger({ level: config.LOG_LEVEL });
  const { Metrics } = await import('./ops/metrics.js');
  // One registry per process: in `sitrep all` the bot and the worker report to the same /metrics.
  const metrics = new Metrics({ defaultLabels: { role }, buildInfo: versionInfo() });
  try {
    // A malformed runbook file is configuration: it stops start-up first, with file:line:column
    // for each problem, before anything connects anywhere. Workers never read runbook files.
    const runbooks = role === 'worker' ? undefined : (await import('./chat/runbook-catalog.js')).loadRunbookCatalog(config.SITREP_RUNBOOKS);
    await requireRedis(config.REDIS_URL);
    if (role === 'bot') {
      const b = await runBot(config, logger, metrics, runbooks!);
      await untilSignal(logger, () => b.stop());
    } else if (role === 'worker') {
      const w = await runWorker(config, flags.cluster, logger, config.SITREP_OPS_PORT, metrics);
      await untilSignal(logger, () => w.stop(config.SITREP_SHUTDOWN_TIMEOUT));
    } else {
      const w = await runWorker(config, flags.cluster, logger, undefined, metrics);
      const b = await runBot(config, logger, metrics, runbooks!, () => w.runner.notTakingJobs).catch(async (err: unknown) => {
        await w.stop(1000);
        throw err;
      });
      await untilSignal(logger, async () => {
        await w.stop(config.SITREP_SHUTDOWN_TIMEOUT);
        await b.stop();
      });
    }
    return 0;
  } catch (err) {
    const d = describeError(err);
    logger.fatal({ code: d.code, ...(isSitrepError(err) ? {} : { err }) }, d.message);
    throw err;
  }
}

/** `sitrep migrate-keys`: the key renames of queue/key-migration.ts, printed as they are made. */
async function runMigrateKeys(args: string[]): Promise<number> {
  let values: { 'dry-run'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args, options: { 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(MIGRATE_HELP);
    return 0;
  }
  const parsed = ConfigSchema.pick({ REDIS_URL: true, SITREP_PREFIX: true }).safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
  if (!parsed.success) throw new ConfigError(`Configuration is invalid:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`, { hint: 'Set REDIS_URL and SITREP_PREFIX as the bot and workers have them.' });
  await requireRedis(parsed.data.REDIS_URL);
  const [{ createRedis }, { migrateKeys }] = await Promise.all([import('./queue/redis-connection.js'), import('./queue/key-migration.js')]);
  const redis = createRedis(parsed.data.REDIS_URL, { name: 'sitrep-migrate-keys' });
  try {
    const dryRun = values['dry-run'] === true;
    const done = await migrateKeys(redis, parsed.data.SITREP_PREFIX, { dryRun });
    for (const [from, to] of done.renamed) console.log(`${dryRun ? 'would rename' : 'renamed'} ${from} -> ${to}`);
    for (const [from, to] of done.kept) console.log(`kept ${from}: ${to} exists`);
    console.log(`${done.renamed.length} key(s) ${dryRun ? 'to rename' : 'renamed'}, ${done.kept.length} kept.`);
    if (done.queueKeys) console.log(`${done.queueKeys} BullMQ key(s) under ${parsed.data.SITREP_PREFIX}:k8s-* were not moved: jobs queued before the upgrade do not run after it.`);
    return 0;
  } finally {
    redis.disconnect();
  }
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined:
        console.error(USAGE);
        return 2;
      case 'help':
      case '--help':
      case '-h':
        // `sitrep help worker` is `sitrep worker --help`.
        if (rest.length && !['help', '--help', '-h'].includes(rest[0]!)) return await main([rest[0]!, '--help']);
        console.log(USAGE);
        return 0;
      case 'version':
      case '--version':
      case '-v': {
        if (onlyHelp(rest)) {
          console.log(VERSION_HELP);
          return 0;
        }
        const v = versionInfo();
        console.log(`sitrep ${v.version} (commit ${v.commit}) on Node ${v.node}`);
        return 0;
      }
      case 'config':
        if (onlyHelp(rest)) {
          console.log(CONFIG_HELP);
          return 0;
        }
        console.log(configTable());
        return 0;
      case 'migrate-keys':
        return await runMigrateKeys(rest);
      case 'sandbox': {
        const { runSandboxCli } = await import('./sandbox/index.js');
        return await runSandboxCli(rest);
      }
      case 'demo': {
        // Help and usage errors load none of what the demo starts (seconds of imports on a busy machine).
        const parsed = (await import('./demo/demo-usage.js')).parseDemoArgsOrExit(rest);
        if (typeof parsed === 'number') return parsed;
        const { runDemo } = await import('./demo/demo.js');
        return await runDemo(rest);
      }
      case 'bot':
      case 'worker':
      case 'all':
        return await runRole(cmd, rest);
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      const topic = cmd === '--version' || cmd === '-v' ? 'version' : cmd;
      console.error(`sitrep${cmd && cmd !== 'help' ? ` ${cmd}` : ''}: ${err.message}\n\n${topic && Object.hasOwn(HELP, topic) ? HELP[topic as keyof typeof HELP] : USAGE}`);
      return 2;
    }
    const d = describeError(err);
    // Expected failures (configuration, a dependency down) are one message; never a stack trace.
    console.error(`sitrep ${cmd}: ${d.message}${d.hint ? `\n${d.hint}` : ''}`);
    return 1;
  }
}

const exitCode = await main();
process.exitCode = exitCode;
