/**
 * `npm run bench:approve`: how long from an Approve click to the execution starting on a worker,
 * the wait a person feels most after the slash command's ack. Not a test.
 *
 *   npm run bench:approve -- [--samples 30] [--rounds 3] [--concurrency 1,50] [--workers 2] [--no-build]
 *                            [--redis standalone|cluster|both]
 *
 * Real processes (bench/process-stack.ts): a private redis-server, the `large` sandbox, `sitrep
 * worker` processes and one `sitrep bot`, from the built bundle with the image's node flags. Each
 * sample: a requester's `/k8s cordon NODE` (or uncordon) is planned and its card shows Approve;
 * then the approver's click is sent as Slack sends it (signed HTTP, the card as the message), and
 * the time runs from just before the click to the `started` event the worker writes on the job
 * event stream, stamped with the worker's Redis-corrected clock (the bench stamps the click with
 * the same kind of clock). With concurrency N, N requesters' cards are approved at the same moment.
 *
 * Each sample is also split at the BullMQ job's own timestamps: click → job added (the bot's
 * checks and writes), added → taken by a worker (pick-up), taken → started (the worker's
 * signature, approval and release checks). Target: p50 < 50 ms.
 *
 * `--profile` adds one more approval watched with Redis's MONITOR: every command Redis ran between
 * the click and `started`, in order, with its time and the connection (bot, relay, worker,
 * BullMQ) that sent it, and the Slack Web API calls the bot made meanwhile (standalone Redis only).
 *
 * `--redis cluster` runs the same on a local Redis Cluster (three masters, three replicas,
 * REDIS_URL `redis+cluster://…`); `--redis both` runs standalone, then cluster, and prints their
 * click → started p50 and p99 side by side.
 */
import { parseArgs } from 'node:util';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { RedisClient } from '../src/core/redis-client.js';
import { createRedis } from '../src/queue/redis-connection.js';
import { CardAction } from '../src/chat/render/operation-card.js';
import { JobEventEnvelopeSchema, type JobEventEnvelope } from '../src/queue/job-events.js';
import { jobIdFor } from '../src/queue/job-producer.js';
import { QueueKeys } from '../src/queue/keys.js';
import { RedisClock } from '../src/queue/redis-clock.js';
import { buttonValue } from '../test/support/cards.js';
import { OPS, startProcessStack, type ProcessStack } from './process-stack.js';
import { median, percentile } from './support.js';
import { clusterQueue } from '../src/queue/cluster-queue.js';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1,50' },
    workers: { type: 'string', default: '2' },
    'worker-concurrency': { type: 'string', default: '4' },
    'no-build': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    redis: { type: 'string', default: 'standalone' },
  },
});
const REDIS_KINDS = { standalone: ['standalone'], cluster: ['cluster'], both: ['standalone', 'cluster'] } as const;
if (!(values.redis in REDIS_KINDS)) {
  console.error(`--redis ${values.redis}: use standalone, cluster or both.`);
  process.exit(2);
}
const SAMPLES = Number(values.samples);
const ROUNDS = Number(values.rounds);
const LEVELS = values.concurrency.split(',').map(Number);
const MAX = Math.max(...LEVELS);
const CLUSTER = 'sandbox';
const APPROVER = 'U0BOB00001';

const POLICY = `rules:
  - verbs: [get, describe, logs, top, jobs, status, help, audit]
    allow: ["*"]
  - verbs: [cordon, uncordon]
    allow: ["*"]
    approvals: 1
    approvers: ["*"]
approvalTtl: 15m
`;

interface Sample {
  /** Click sent → `started` written by the worker, ms. */
  total: number;
  ack: number;
  /** Click → BullMQ job added (bot). */
  bot: number;
  /** Added → taken by a worker (BullMQ's processedOn). */
  pickup: number;
  /** Taken → `started` (the worker's checks). */
  worker: number;
  /** `started` → `result`: the execution itself, which holds one of the worker's job slots. */
  run: number;
}

/** Follows the job event stream from now on and resolves each execution's `started` and `result` events. */
class ExecutionEvents {
  private readonly conn: RedisClient;
  private readonly seen = new Map<string, JobEventEnvelope>();
  private readonly waiting = new Map<string, (e: JobEventEnvelope) => void>();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(url: string, stream: string) {
    const conn = createRedis(url, { name: 'bench-events' });
    this.conn = conn;
    this.loop = (async () => {
      let last = '$';
      while (this.running) {
        const res = (await conn.xread('BLOCK', 500, 'STREAMS', stream, last)) as [string, [string, string[]][]][] | null;
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            const e = JobEventEnvelopeSchema.parse(JSON.parse(fields[1]!));
            if (e.jobKind !== 'execute' || (e.body.type !== 'started' && e.body.type !== 'result')) continue;
            const key = `${e.requestId}/${e.body.type}`;
            this.seen.set(key, e);
            this.waiting.get(key)?.(e);
          }
        }
      }
    })();
  }

  next(requestId: string, type: 'started' | 'result'): Promise<JobEventEnvelope> {
    const key = `${requestId}/${type}`;
    const e = this.seen.get(key);
    return e ? Promise.resolve(e) : new Promise((resolve) => this.waiting.set(key, resolve));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.conn.disconnect();
  }
}

const cordoned = new Set<string>();

/** A request of each requester, planned, its card showing Approve. */
async function pendingCards(stack: ProcessStack, n: number): Promise<{ requestId: string; ts: string; approvalId: string }[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const user = stack.users[i]!.id;
      const node = `node-${String(i + 1).padStart(3, '0')}`;
      // Each node flips between cordoned and not, so every plan has an action to approve.
      const verb = cordoned.has(node) ? 'uncordon' : 'cordon';
      if (verb === 'cordon') cordoned.add(node);
      else cordoned.delete(node);
      const since = Date.now();
      const { requestId, status } = await stack.slash(`${verb} ${node}`, { user });
      if (status !== 200) throw new Error(`slash command answered ${status}`);
      const card = await stack.cards.nextCard(user, since);
      const ready = await stack.cards.until(OPS, card.ts, (v) => buttonValue(v.message, CardAction.Approve) !== undefined || /Failed|Refused/.test(v.text));
      const approvalId = buttonValue(ready.message, CardAction.Approve);
      if (!approvalId) throw new Error(`no Approve button for ${verb} ${node}: ${ready.text.slice(0, 300)}`);
      return { requestId, ts: card.ts, approvalId };
    }),
  );
}

/** CPU used by the rounds of each concurrency, click to Done, ms: by the bot, the workers together, and the sandbox; and how many approvals. */
const cpuUsed: Record<number, { bot: number; worker: number; sandbox: number; approvals: number }> = {};

async function round(stack: ProcessStack, clock: RedisClock, events: ExecutionEvents, queue: Queue, n: number): Promise<Sample[]> {
  const cards = await pendingCards(stack, n);
  const cpu0 = stack.cpu();
  const clicks = await Promise.all(
    cards.map(async (c) => {
      const t0 = clock.now();
      const res = await stack.click(CardAction.Approve, c.approvalId, { user: APPROVER, messageTs: c.ts });
      if (res.status !== 200) throw new Error(`click answered ${res.status}`);
      return { ...c, t0, ack: res.ms };
    }),
  );
  const samples = await Promise.all(
    clicks.map(async (c) => {
      const started = await events.next(c.requestId, 'started');
      const result = await events.next(c.requestId, 'result');
      const job = await queue.getJob(jobIdFor({ requestId: c.requestId, kind: 'execute' }));
      if (!job?.processedOn) throw new Error(`job of ${c.requestId} has no processedOn`);
      return { total: started.at - c.t0, ack: c.ack, bot: job.timestamp - c.t0, pickup: job.processedOn - job.timestamp, worker: started.at - job.processedOn, run: result.at - started.at };
    }),
  );
  // Wait until every card is Done, so the next round finds its nodes free (one operation per target).
  await Promise.all(cards.map((c) => stack.cards.until(OPS, c.ts, (v) => /Done|Failed/.test(v.text))));
  const cpu1 = stack.cpu();
  // Summed over the rounds: /proc counts CPU in 10 ms ticks, too coarse for one approval.
  const used = (cpuUsed[n] ??= { bot: 0, worker: 0, sandbox: 0, approvals: 0 });
  for (const role of ['bot', 'worker', 'sandbox'] as const) used[role] += cpu1[role] - cpu0[role];
  used.approvals += n;
  return samples;
}

/** One approval with MONITOR on: the Redis commands and Slack calls between the click and `started`. */
async function profile(stack: ProcessStack, clock: RedisClock, events: ExecutionEvents): Promise<void> {
  const [card] = await pendingCards(stack, 1);
  const names = new Map<string, string>();
  for (const line of String(await stack.client.client('LIST')).split('\n')) {
    const addr = /\baddr=(\S+)/.exec(line)?.[1];
    if (addr) names.set(addr, /\bname=(\S*)/.exec(line)?.[1] || '(unnamed)');
  }
  const seen: { at: number; who: string; args: string[] }[] = [];
  if (!(stack.client instanceof Redis)) return console.log('profile: skipped (MONITOR watches one server; run it with --redis standalone)');
  const monitor = await stack.client.monitor();
  monitor.on('monitor', (time: string, args: string[], source: string) => seen.push({ at: Number(time) * 1000, who: names.get(source) ?? source, args }));
  const slackBefore = stack.slack.calls().length;
  const t0 = clock.now();
  await stack.click(CardAction.Approve, card!.approvalId, { user: APPROVER, messageTs: card!.ts });
  const started = await events.next(card!.requestId, 'started');
  await stack.cards.until(OPS, card!.ts, (v) => /Done|Failed/.test(v.text));
  monitor.disconnect();
  const slackCalls = stack.slack.calls().slice(slackBefore).filter((c) => c.at <= started.at);
  const window = seen.filter((c) => c.at >= t0 && c.at <= started.at + 1);
  console.log(`profile: one approval, click → started ${started.at - t0} ms; ${window.length} Redis commands in that window (all connections); Slack calls meanwhile: ${slackCalls.map((c) => c.method).join(', ') || 'none'}`);
  for (const c of window) console.log(`  +${(c.at - t0).toFixed(1).padStart(6)} ms  ${c.who.padEnd(28)} ${c.args.slice(0, 4).map((a) => a.slice(0, 60)).join(' ')}`);
  const byWho = new Map<string, number>();
  for (const c of window) byWho.set(c.who, (byWho.get(c.who) ?? 0) + 1);
  console.log(`  by connection: ${[...byWho].map(([k, v]) => `${k} ${v}`).join(', ')}`);
}

const f = (v: number) => `${v.toFixed(1)} ms`;
/** Click → started p50 and p99 per concurrency, for the side-by-side table of `--redis both`. */
type Summary = Map<number, { p50: number; p99: number }>;

function report(level: number, samples: Sample[], summary: Summary): void {
  summary.set(level, { p50: median(samples.map((s) => s.total)), p99: percentile(samples.map((s) => s.total), 99) });
  const line = (name: string, pick: (s: Sample) => number) => `${name} p50 ${f(median(samples.map(pick)))}, p99 ${f(percentile(samples.map(pick), 99))}`;
  console.log(`concurrency ${level} (${samples.length} approvals): click → started ${line('', (s) => s.total).trim()}`);
  console.log(`  split: ${line('click → job added', (s) => s.bot)}; ${line('added → taken', (s) => s.pickup)}; ${line('taken → started', (s) => s.worker)}; ${line('click ack', (s) => s.ack)}`);
  console.log(`  the execution itself (started → result, a worker slot held): ${line('', (s) => s.run).trim()}`);
  const cpu = cpuUsed[level]!;
  const per = (ms: number) => f(ms / cpu.approvals);
  console.log(`  CPU per approval, click to Done: bot ${per(cpu.bot)}, workers ${per(cpu.worker)} (the sandbox cluster ${per(cpu.sandbox)})`);
}

/** The whole bench on one kind of Redis; prints as it goes and returns click → started per concurrency. */
async function bench(redis: 'standalone' | 'cluster'): Promise<Summary> {
  for (const k of Object.keys(cpuUsed)) delete cpuUsed[Number(k)];
  cordoned.clear();
  const summary: Summary = new Map();
  const stack = await startProcessStack({
    clusters: [{ name: CLUSTER, scenario: 'large', params: { nodes: Math.max(MAX, 3), podsPerNode: 3 } }],
    workersPerCluster: Number(values.workers),
    policyYaml: POLICY,
    users: MAX,
    env: { SITREP_WORKER_CONCURRENCY: values['worker-concurrency'] },
    build: !values['no-build'] && redis === REDIS_KINDS[values.redis as keyof typeof REDIS_KINDS][0],
    redis,
  });
  const clock = await new RedisClock(stack.client).start();
  const events = new ExecutionEvents(stack.redis.url, new QueueKeys(stack.prefix).events);
  const queue = clusterQueue(stack.client, new QueueKeys(stack.prefix), CLUSTER);
  try {
    console.log(`bench:approve on ${redis === 'cluster' ? 'a Redis Cluster (3 masters, 3 replicas)' : 'one redis-server'}: 1 bot, ${values.workers} workers of ${values['worker-concurrency']} job slots, ${SAMPLES} sequential approvals at concurrency 1, ${ROUNDS} rounds at higher concurrency; ${(await import('node:os')).loadavg()[0]!.toFixed(1)} load average`);
    // Warm-up: connections, JIT, the approver's guest check (cached by the bot for a minute).
    await round(stack, clock, events, queue, 1);
    for (const level of LEVELS) {
      const samples: Sample[] = [];
      const repeats = level === 1 ? SAMPLES : ROUNDS;
      for (let r = 0; r < repeats; r++) {
        samples.push(...(await round(stack, clock, events, queue, level)));
      }
      report(level, samples, summary);
    }
    if (values.profile) await profile(stack, clock, events);
  } finally {
    await queue.close();
    await events.stop();
    clock.stop();
    await stack.stop();
  }
  return summary;
}

const results = new Map<string, Summary>();
for (const kind of REDIS_KINDS[values.redis as keyof typeof REDIS_KINDS]) results.set(kind, await bench(kind));
if (results.size > 1) {
  console.log('\nclick → started, standalone vs Redis Cluster:');
  console.log(`  ${'concurrency'.padEnd(12)} ${[...results.keys()].map((k) => `${k} p50 / p99`.padStart(28)).join(' ')}`);
  for (const level of LEVELS) {
    console.log(`  ${String(level).padEnd(12)} ${[...results.values()].map((r) => `${f(r.get(level)!.p50)} / ${f(r.get(level)!.p99)}`.padStart(28)).join(' ')}`);
  }
}
