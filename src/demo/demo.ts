import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pino from 'pino';
import { startBot } from '../chat/bot.js';
import { startConsoleServer, LocalWorkspace, startSlackApiServer, type SlackApiServer } from '../console/index.js';
import { BadArgsError, ConfigError, describeError } from '../core/errors.js';
import { sandboxClusterView } from './demo-cluster-view.js';
import { demoPolicy } from './demo-policy.js';
import { demoStory } from './demo-story.js';
import { parseDemoArgsOrExit } from './demo-usage.js';
import { startRedisServer } from './redis-server.js';
import { createLogger, type Logger } from '../log.js';
import { deletePrefix } from './delete-prefix.js';
import { SCENARIOS, startSandbox, type Sandbox } from '../sandbox/index.js';
import { startWorkerProcess } from '../worker/worker-process.js';

/** The cluster name the demo's worker serves and the bot defaults to. */
export const DEMO_CLUSTER = 'sandbox';

export interface DemoOptions {
  /** Port of the console web page; 0 picks a free one.
   * @defaultValue 3000 */
  port?: number;
  /** Address every demo server listens on.
   * @defaultValue '127.0.0.1' */
  host?: string;
  /** Sandbox scenario (see `sitrep sandbox --help`).
   * @defaultValue 'maintenance' */
  scenario?: string;
  /** Multiplies simulated durations: 0.1 turns a 30 s graceful termination into 3 s, quick but
   * still visible in the console.
   * @defaultValue 0.1 */
  timeScale?: number;
  /** A Redis to use; the demo keeps its keys under a fresh prefix and deletes them on stop.
   * @defaultValue a throwaway redis-server from PATH */
  redisUrl?: string;
  logger?: Logger;
  /** Minimum time between two edits of a progress message.
   * @defaultValue 500 */
  editIntervalMs?: number;
}

export interface Demo {
  /** `http://localhost:PORT`: open it in a browser. */
  consoleUrl: string;
  /** Where the console (as Slack) sends commands and clicks. */
  botUrl: string;
  sandbox: Sandbox;
  slack: SlackApiServer;
  redis: { url: string; throwaway: boolean; pid?: number; port?: number };
  prefix: string;
  /** Stops everything that was started, last first. Safe to call twice. */
  stop(): Promise<void>;
}


/** Fails fast, before anything starts, when the console's port is taken. */
function checkPortFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new ConfigError(`Port ${port} is in use, so the console cannot start.`, { cause: err, hint: `Pick another port: npm start -- --port ${port + 1}   (or --port 0 for any free one)` })
          : err,
      );
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/**
 * Everything sitrep needs, on loopback, wired as in production but with local stand-ins: Redis,
 * the sandbox cluster, the Slack Web API stand-in, the real Bolt bot over HTTP, one worker, and
 * the console page that plays Slack. The bot's signing secret is new for every run and known
 * only to the bot and the console.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 3000;
  const scenario = options.scenario ?? 'maintenance';
  const timeScale = options.timeScale ?? 0.1;
  const logger = options.logger ?? createLogger({ level: 'warn' });
  if (!Object.hasOwn(SCENARIOS, scenario)) {
    throw new BadArgsError(`Unknown scenario "${scenario}".`, { hint: `Pick one of: ${Object.keys(SCENARIOS).join(', ')}.` });
  }
  if (!(timeScale > 0 && timeScale <= 10)) throw new BadArgsError(`--time-scale must be a number above 0 and at most 10, got ${timeScale}.`);
  if (port !== 0) await checkPortFree(port, host);

  const stops: { name: string; stop: () => Promise<void> }[] = [];
  const stopAll = async () => {
    while (stops.length) {
      const { name, stop } = stops.pop()!;
      await stop().catch((err: unknown) => logger.warn({ err, part: name }, 'demo: stopping a part failed'));
    }
  };
  const prefix = `sitrep-demo-${randomBytes(4).toString('hex')}`;
  const signingSecret = randomBytes(32).toString('hex');
  // The demo's own job key: bot and worker share this process, so it never leaves memory.
  const jobKey = randomBytes(32).toString('hex');
  try {
    let redis: Demo['redis'];
    if (options.redisUrl) {
      const url = options.redisUrl;
      redis = { url, throwaway: false };
      stops.push({ name: 'redis keys', stop: () => deletePrefix(url, prefix) });
    } else {
      const r = await startRedisServer();
      redis = { url: r.url, throwaway: true, pid: r.pid, port: r.port };
      stops.push({ name: 'redis-server', stop: () => r.stop() });
    }

    const sandbox = await startSandbox({ scenario, timeScale, host, logger: logger.child({ component: 'sandbox' }) });
    stops.push({ name: 'sandbox', stop: () => sandbox.close() });

    const slack = await startSlackApiServer({ host, logger: logger.child({ component: 'slack-standin' }) });
    stops.push({ name: 'slack stand-in', stop: () => slack.close() });

    const worker = await startWorkerProcess({ cluster: DEMO_CLUSTER, kubeconfigPath: sandbox.kubeconfigPath, redisUrl: redis.url, prefix, logger, jobKeys: [jobKey] });
    stops.push({ name: 'worker', stop: () => worker.stop(3000) });

    const bot = await startBot({
      signingSecret,
      botToken: LocalWorkspace.botToken,
      slackApiUrl: slack.url,
      redisUrl: redis.url,
      prefix,
      port: 0,
      host,
      policy: demoPolicy(),
      jobKey,
      defaultCluster: DEMO_CLUSTER,
      logger,
      editIntervalMs: options.editIntervalMs ?? 500,
    });
    stops.push({ name: 'bot', stop: () => bot.stop() });

    const consoleServer = await startConsoleServer({
      slack,
      botUrl: bot.url,
      signingSecret,
      port,
      host,
      clusterView: sandboxClusterView(sandbox.store, DEMO_CLUSTER),
      logger: logger.child({ component: 'console' }),
    });
    stops.push({ name: 'console', stop: () => consoleServer.close() });

    let stopping: Promise<void> | undefined;
    return {
      consoleUrl: consoleServer.url,
      botUrl: bot.url,
      sandbox,
      slack,
      redis,
      prefix,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}


/**
 * The node the banner suggests draining, read from the running sandbox so it exists in every
 * scenario: a worker the scenario's description names on its own (node02 in maintenance, not the
 * node01-03 range nor the control plane cp01), else any node it names, else the first worker.
 */
export function suggestedNode(sandbox: Pick<Sandbox, 'store'>, scenario: string): string | undefined {
  const nodes = sandbox.store.peek('nodes').items;
  const isWorker = (n: (typeof nodes)[number]) => !Object.keys(n.metadata.labels ?? {}).some((l) => l === 'node-role.kubernetes.io/control-plane' || l === 'node-role.kubernetes.io/master');
  const description = Object.hasOwn(SCENARIOS, scenario) ? SCENARIOS[scenario]!.description : '';
  const named = (n: (typeof nodes)[number]) => {
    const at = description.indexOf(n.metadata.name);
    // A whole word: not part of a longer name or of a range such as node01-03.
    return at >= 0 && !/[\w-]/.test(description[at - 1] ?? ' ') && !/[\w-]/.test(description[at + n.metadata.name.length] ?? ' ');
  };
  const byName = [...nodes].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return (byName.find((n) => named(n) && isWorker(n)) ?? byName.find(named) ?? byName.find(isWorker) ?? byName[0])?.metadata.name;
}

/** What `sitrep demo` prints once everything is up: where to go, what to type, what runs where. */
export function banner(demo: Demo, scenario: string, timeScale: number): string {
  const node = suggestedNode(demo.sandbox, scenario) ?? 'NODE';
  const redis = demo.redis.throwaway
    ? `throwaway redis-server on 127.0.0.1:${demo.redis.port} (pid ${demo.redis.pid}), gone when the demo stops`
    : `REDIS_URL, keys under ${demo.prefix}:* (deleted when the demo stops)`;
  return `
  sitrep demo is running.

  Open ${demo.consoleUrl} in your browser.

${demoStory(scenario, node, demo.sandbox.kubeconfigPath)}

  Cluster   sandbox at ${demo.sandbox.url}, scenario ${scenario}, time x${timeScale}
            kubectl --kubeconfig ${demo.sandbox.kubeconfigPath} get nodes
  Redis     ${redis}
  Bot       ${demo.botUrl}
  Policy    Alice and Bob on call; Carol and Dave may only read (src/demo/demo-policy.ts)
  Node      ${process.version} (${process.execPath})

  Ctrl-C stops everything.
`;
}

/**
 * `sitrep demo` (what `npm start` runs): starts the demo, prints where to go and what to type,
 * and stops everything on Ctrl-C or SIGTERM. Exit codes, as every subcommand's: 0 stopped cleanly,
 * 1 could not start (a port in use, no redis-server: configuration), 2 bad usage.
 */
export async function runDemo(argv: string[]): Promise<number> {
  const args = parseDemoArgsOrExit(argv);
  if (typeof args === 'number') return args;
  // Logs go to stderr and only warnings, so the banner stays readable; LOG_LEVEL=info shows more.
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: pino.destination({ fd: 2, sync: true }) });

  // Ctrl-C during start-up still stops what has started.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let demo: Demo;
  try {
    demo = await startDemo({ port: args.port, scenario: args.scenario, timeScale: args.timeScale, redisUrl: process.env.REDIS_URL || undefined, logger });
  } catch (err) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const d = describeError(err);
    console.error(`sitrep demo: ${d.message}${d.hint ? `\n${d.hint}` : ''}`);
    return err instanceof BadArgsError ? 2 : 1;
  }
  if (abort.signal.aborted) {
    await demo.stop();
    return 0;
  }
  console.log(banner(demo, args.scenario, args.timeScale));
  await new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }));
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // A second Ctrl-C while stopping means "now".
  const force = () => process.exit(130);
  process.once('SIGINT', force);
  console.log('\n  Stopping the demo…');
  await demo.stop();
  process.off('SIGINT', force);
  console.log('  Stopped.');
  // Everything is closed; a handle left open by a library must not keep the process alive.
  setTimeout(() => process.exit(0), 2000).unref();
  return 0;
}
