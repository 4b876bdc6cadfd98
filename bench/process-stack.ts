/**
 * sitrep as separate processes on loopback, for the benchmarks of the whole path: a private
 * redis-server on a free port, one sandbox cluster per cluster (`sitrep sandbox`), `sitrep worker
 * --cluster NAME` processes and `sitrep bot` replicas, all started from the built bundle as the
 * image starts them (bench/image.ts), and the local Slack stand-in in this process, which signs
 * and sends the slash commands and clicks as Slack does. Nothing mocked; loopback only.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { RedisClient } from '../src/core/redis-client.js';
import { startRedisCluster, type TestRedisCluster } from '../test/support/redis-cluster.js';
import { requestIdOf } from '../src/chat/slash-request.js';
import type { AuditEntry } from '../src/core/audit.js';
import { defaultChannels, defaultUsers, LocalWorkspace, newTriggerId, sendBlockAction, sendSlashCommand, startSlackApiServer, type SlackApiServer, type SlackChannel, type SlackUser } from '../src/console/index.js';
import { freePort, startRedisServer, type RedisServer } from '../src/demo/redis-server.js';
import { CardWatch } from './card-watch.js';
import { buildDist, cpuMs, imageLaunch, rssMb, spawnImage, untilPrinted, untilReady, type ImageLaunch, type Spawned } from './image.js';

export const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
const JOB_KEY = 'bench-job-key-0123456789abcdef0123456789abcdef';
export const OPS = 'C0OPS00001';

export interface ClusterSpec {
  name: string;
  /** @defaultValue 'large' */
  scenario?: string;
  params?: Record<string, string | number>;
  /** The sandbox's time scale (grace periods, start-up delays). @defaultValue 0.02 */
  timeScale?: number;
  /**
   * A cluster already serving (e.g. a sandbox in this process, whose faults and records the
   * caller drives): its kubeconfig, with a context named `sandbox`. No sandbox process is started
   * and `scenario`, `params` and `timeScale` are not used. @defaultValue a `sitrep sandbox` process
   */
  kubeconfig?: string;
}

export interface ProcessStackOptions {
  clusters: ClusterSpec[];
  /** Bot replicas, each on its own port, all on the same Redis and Slack. @defaultValue 1 */
  bots?: number;
  /** @defaultValue 1 */
  workersPerCluster?: number;
  /** The policy file's text (SITREP_POLICY). */
  policyYaml: string;
  /** How many people to add to the Slack workspace (`U0BENCH001`…), besides the default ones. @defaultValue 0 */
  users?: number;
  /** Channels of the Slack workspace besides the default ones (#ops, #incidents, #postmortems). */
  channels?: SlackChannel[];
  /** More environment for every bot and worker (LOG_LEVEL is `info`, production's default, unless set here). */
  env?: Record<string, string>;
  /** Rebuild dist/ first. @defaultValue true */
  build?: boolean;
  /**
   * Start the workers and bots all at once and wait for them together, instead of one after
   * another (the chaos suite starts a fresh stack per trial). @defaultValue false
   */
  startTogether?: boolean;
  /** Redis with append-only persistence and `appendfsync always`, so a restart keeps every acknowledged write. @defaultValue false */
  redisAof?: boolean;
  /**
   * One redis-server, or a Redis Cluster of three masters and three replicas on loopback
   * (test/support/redis-cluster.ts; REDIS_URL `redis+cluster://…`). @defaultValue 'standalone'
   */
  redis?: 'standalone' | 'cluster';
}

/** The bench's Redis: where it is, its server processes (for CPU), and how to stop it. */
export interface BenchRedis {
  kind: 'standalone' | 'cluster';
  url: string;
  /** The redis-server processes: one, or every node of the cluster. */
  pids(): number[];
  /** The one redis-server (standalone only), to signal, kill or restart it (the chaos suite's faults). */
  server?: RedisServer;
  /** The Redis Cluster (cluster only), to find and kill a master (the chaos suite's failover). */
  cluster?: TestRedisCluster;
  stop(): Promise<void>;
}

async function startBenchRedis(kind: 'standalone' | 'cluster', aof: boolean): Promise<BenchRedis & { client: RedisClient }> {
  if (kind === 'cluster') {
    const cluster = await startRedisCluster();
    return { kind, url: cluster.url, cluster, pids: () => cluster.nodes.map((n) => n.pid), stop: () => cluster.stop(), client: cluster.client() };
  }
  const server = await startRedisServer({ aof });
  return { kind, url: server.url, server, pids: () => [server.pid], stop: () => server.stop(), client: new Redis(server.url, { maxRetriesPerRequest: null }) };
}

export interface Role {
  role: 'bot' | 'worker' | 'sandbox';
  name: string;
  proc: Spawned;
}

export interface ProcessStack {
  prefix: string;
  redis: BenchRedis;
  /** A connection of the bench's own (for reading results after a run; not on the measured path). */
  client: RedisClient;
  slack: SlackApiServer;
  cards: CardWatch;
  /** The people added to the workspace, in order. */
  users: SlackUser[];
  bots: (Role & { url: string })[];
  workers: (Role & { cluster: string })[];
  sandboxes: (Role & { kubeconfig: string })[];
  /** Sends `/k8s text` (or `command`) from `user` to bot replica `bot`, signed as Slack does; the request id is the one the bot gives it. */
  slash(text: string, o: { user: string; bot?: number; channel?: string; command?: '/k8s' | '/incident' }): Promise<{ requestId: string; status: number; ms: number }>;
  /** Clicks a button on a card as Slack does (the message as the user sees it goes along). */
  click(actionId: string, value: string, o: { user: string; messageTs: string; bot?: number; channel?: string }): Promise<{ status: number; ms: number }>;
  /** The audit lines (core/audit.ts) every bot and worker logged so far, in the order read. */
  audit: AuditEntry[];
  /** Resident memory of every sitrep process now, in MB. */
  rss(): { role: string; name: string; mb: number }[];
  /** CPU time each role's processes used so far, summed, in ms. */
  cpu(): Record<Role['role'], number>;
  /** The servers that hold data: the one redis-server, or every master of the cluster (for SCAN, INFO). */
  masters(): Redis[];
  /** Redis's INFO commandstats: calls per command since start (or CONFIG RESETSTAT), summed over a cluster's masters. */
  commandStats(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

/** People for load: `U0BENCH001`…, none of them a guest. */
export function benchUsers(n: number): SlackUser[] {
  return Array.from({ length: n }, (_, i) => {
    const k = String(i + 1).padStart(3, '0');
    return { id: `U0BENCH${k}`, name: `bench${k}`, realName: `Bench User ${k}` };
  });
}

/** Parses INFO commandstats (`cmdstat_get:calls=12,usec=…`) into calls per command. */
export function parseCommandStats(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return calls;
}

/** `after - before` per command, largest first. */
export function commandDelta(before: Map<string, number>, after: Map<string, number>): [string, number][] {
  return [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as [string, number]).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
}

async function startSandboxProcess(launch: ImageLaunch, spec: ClusterSpec, dir: string): Promise<Role & { kubeconfig: string }> {
  const kubeconfig = join(dir, `kubeconfig-${spec.name}`);
  const params = Object.entries(spec.params ?? {}).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
  const proc = spawnImage(launch, ['sandbox', '--scenario', spec.scenario ?? 'large', '--time-scale', String(spec.timeScale ?? 0.02), '--kubeconfig', kubeconfig, ...params], {});
  await untilPrinted(proc, /^kubeconfig: /m, `sandbox ${spec.name}`);
  return { role: 'sandbox', name: spec.name, proc, kubeconfig };
}

/** Starts everything; on failure stops what was started and rethrows. */
export async function startProcessStack(o: ProcessStackOptions): Promise<ProcessStack> {
  if (o.build !== false) await buildDist();
  const launch = await imageLaunch();
  const dir = await mkdtemp(join(tmpdir(), 'sitrep-bench-'));
  const prefix = `b${randomBytes(3).toString('hex')}`;
  const users = benchUsers(o.users ?? 0);
  const started: Role[] = [];
  const { client, ...redis } = await startBenchRedis(o.redis ?? 'standalone', o.redisAof ?? false);
  // Faults restart or stop this Redis; its commands fail then, and reconnects need no printing.
  client.on('error', () => {});
  const slack = await startSlackApiServer({ users: [...defaultUsers, ...users], channels: [...defaultChannels, ...(o.channels ?? [])] });
  const cards = new CardWatch(slack);
  const audit: AuditEntry[] = [];
  const onLine = (line: string) => {
    if (!line.includes('"audit":true')) return;
    try {
      audit.push(JSON.parse(line) as AuditEntry);
    } catch {
      // A line cut by the process's exit; the audit checks count what was read whole.
    }
  };
  const stopAll = async () => {
    cards.stop();
    // Bots first (they stop relaying), then workers, then the clusters and Redis under them.
    for (const role of ['bot', 'worker', 'sandbox'] as const) await Promise.all(started.filter((r) => r.role === role).map((r) => r.proc.stop()));
    client.disconnect();
    await Promise.all([slack.close(), redis.stop()]);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const policyPath = join(dir, 'policy.yaml');
    await writeFile(policyPath, o.policyYaml);
    // BENCH_NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) go to every bot and worker.
    const common = { ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}), REDIS_URL: redis.url, SITREP_PREFIX: prefix, SITREP_JOB_KEY: JOB_KEY, LOG_LEVEL: 'info', SITREP_CLUSTERS: o.clusters.map((c) => c.name).join(','), ...o.env };
    // Each sandbox's kubeconfig names its one context `sandbox`; the worker maps its cluster to it.
    const sandboxes = await Promise.all(o.clusters.filter((c) => !c.kubeconfig).map((c) => startSandboxProcess(launch, c, dir)));
    started.push(...sandboxes);
    const kubeconfigOf = (c: ClusterSpec) => c.kubeconfig ?? sandboxes.find((s) => s.name === c.name)!.kubeconfig;
    // Together: each readiness wait is collected and awaited once every process is spawned.
    const starting: Promise<void>[] = [];
    const ready = async (p: Promise<void>) => {
      if (!o.startTogether) return p;
      p.catch(() => {});
      starting.push(p);
    };
    const workers: ProcessStack['workers'] = [];
    for (const c of o.clusters) {
      for (let w = 0; w < (o.workersPerCluster ?? 1); w++) {
        const opsPort = await freePort();
        const proc = spawnImage(launch, ['worker', '--cluster', c.name], { ...common, KUBECONFIG: kubeconfigOf(c), SITREP_CLUSTERS: `${c.name}=sandbox`, SITREP_OPS_PORT: String(opsPort) }, { onLine });
        const role = { role: 'worker' as const, name: `worker ${c.name}#${w + 1}`, cluster: c.name, proc };
        started.push(role);
        workers.push(role);
        await ready(untilReady(`http://127.0.0.1:${opsPort}/readyz`, proc, role.name));
      }
    }
    const bots: ProcessStack['bots'] = [];
    for (let b = 0; b < (o.bots ?? 1); b++) {
      const port = await freePort();
      const proc = spawnImage(launch, ['bot'], {
        ...common,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_BOT_TOKEN: LocalWorkspace.botToken,
        SLACK_API_URL: slack.url,
        PORT: String(port),
        SITREP_DEFAULT_CLUSTER: o.clusters[0]!.name,
        SITREP_POLICY: policyPath,
      }, { onLine });
      const role = { role: 'bot' as const, name: `bot #${b + 1}`, proc, url: `http://127.0.0.1:${port}/slack/events` };
      started.push(role);
      bots.push(role);
      await ready(untilReady(`http://127.0.0.1:${port}/readyz`, proc, role.name));
    }
    await Promise.all(starting);
    return {
      prefix,
      redis,
      client,
      slack,
      cards,
      users,
      bots,
      workers,
      sandboxes,
      audit,
      async slash(text, { user, bot = 0, channel = OPS, command = '/k8s' }) {
        const triggerId = newTriggerId();
        const requestId = requestIdOf({ command, text, user_id: user, channel_id: channel, team_id: LocalWorkspace.teamId, trigger_id: triggerId }, Date.now());
        const res = await sendSlashCommand(bots[bot]!.url, SIGNING_SECRET, { command, text, userId: user, channelId: channel, triggerId, responseUrl: slack.responseUrlFor(channel, user) });
        return { requestId, status: res.status, ms: res.ms };
      },
      async click(actionId, value, { user, messageTs, bot = 0, channel = OPS }) {
        const message = slack.workspace.message(channel, messageTs);
        const res = await sendBlockAction(bots[bot]!.url, SIGNING_SECRET, {
          userId: user,
          channelId: channel,
          messageTs,
          actionId,
          value,
          ...(message ? { message } : {}),
          responseUrl: slack.responseUrlFor(channel, user, { messageTs }),
        });
        return { status: res.status, ms: res.ms };
      },
      cpu: () => {
        const sum = { bot: 0, worker: 0, sandbox: 0 };
        for (const r of started) sum[r.role] += cpuMs(r.proc.pid);
        return sum;
      },
      rss: () => started.filter((r) => r.role !== 'sandbox').map((r) => ({ role: r.role, name: r.name, mb: rssMb(r.proc.pid) })),
      masters: () => (client instanceof Redis ? [client] : client.nodes('master')),
      commandStats: async () => {
        const total = new Map<string, number>();
        for (const node of client instanceof Redis ? [client] : client.nodes('master')) {
          for (const [k, v] of parseCommandStats(await node.info('commandstats'))) total.set(k, (total.get(k) ?? 0) + v);
        }
        return total;
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}
