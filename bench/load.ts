/**
 * `npm run bench:load`: sitrep under a team's load, every part a real process. Not a test.
 *
 *   npm run bench:load -- [--duration 60] [--users 100] [--bots 3] [--clusters 3] [--workers-per-cluster 2]
 *                         [--destructive 0.3] [--think 1000,3000] [--channels 10] [--incidents 5] [--no-build]
 *                         [--redis standalone|cluster]
 *
 * Three `sitrep bot` replicas and two `sitrep worker` processes for each of three sandbox clusters
 * (`sitrep sandbox`, the `large` scenario), one private redis-server (or with `--redis cluster` a
 * local Redis Cluster of 3 masters and 3 replicas), the Slack stand-in, all on
 * loopback and started from the built bundle as the image starts them (bench/process-stack.ts).
 * 100 simulated people, spread over the bot replicas and over 10 channels (5 of them with an open
 * incident, so their commands go on its timeline), each in a loop for `--duration` seconds: think
 * for 1-3 s, then send a command and wait for its card to show the result. 70% are reads
 * (`get pods`, `get nodes`, `get deployments`, `describe node`); 30% change the cluster (`scale`
 * of a Deployment the person owns, `cordon`/`uncordon` of their own node), and as soon as the plan
 * shows Approve, the next person clicks it through another bot replica.
 *
 * Prints: ack p99 (slash commands and clicks), command-to-result p50/p99 (reads; changes from the
 * command, and from the approval), Redis commands per request (INFO commandstats over the run,
 * less what the idle fleet sends in as long), Redis memory per 1,000 requests and per incident
 * (MEMORY USAGE of every key, grouped), and the RSS of each process. Then checks that nothing was
 * lost or done twice: every command acknowledged, every request ended exactly once (the bots'
 * audit lines), every approved execution started and finished exactly once (the job event
 * stream), and each node and Deployment ended as the last change to it says. Exits 1 if not.
 */
import { parseArgs } from 'node:util';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { CardAction } from '../src/chat/render/operation-card.js';
import type { SlackChannel } from '../src/console/index.js';
import { JobEventEnvelopeSchema } from '../src/queue/job-events.js';
import { jobIdFor } from '../src/queue/job-producer.js';
import { QueueKeys } from '../src/queue/keys.js';
import { buttonValue } from '../test/support/cards.js';
import { cpuMs } from './image.js';
import { commandDelta, startProcessStack, type ProcessStack } from './process-stack.js';
import { median, percentile } from './support.js';
import { clusterQueue } from '../src/queue/cluster-queue.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    users: { type: 'string', default: '100' },
    bots: { type: 'string', default: '3' },
    clusters: { type: 'string', default: '3' },
    'workers-per-cluster': { type: 'string', default: '2' },
    'worker-concurrency': { type: 'string', default: '4' },
    destructive: { type: 'string', default: '0.3' },
    think: { type: 'string', default: '1000,3000' },
    channels: { type: 'string', default: '10' },
    incidents: { type: 'string', default: '5' },
    'idle-seconds': { type: 'string', default: '10' },
    'no-build': { type: 'boolean', default: false },
    redis: { type: 'string', default: 'standalone' },
  },
});
if (values.redis !== 'standalone' && values.redis !== 'cluster') {
  console.error(`--redis ${values.redis}: use standalone or cluster.`);
  process.exit(2);
}
const DURATION_MS = Number(values.duration) * 1000;
const USERS = Number(values.users);
const BOTS = Number(values.bots);
const CLUSTERS = Array.from({ length: Number(values.clusters) }, (_, i) => `c${i + 1}`);
const DESTRUCTIVE = Number(values.destructive);
const [THINK_MIN, THINK_MAX] = values.think.split(',').map(Number) as [number, number];
const CHANNELS: SlackChannel[] = Array.from({ length: Number(values.channels) }, (_, i) => ({ id: `C0BENCH${String(i + 1).padStart(3, '0')}`, name: `bench-${i + 1}` }));
const INCIDENTS = Math.min(Number(values.incidents), CHANNELS.length);
const NAMESPACES = ['team-a', 'team-b', 'team-c', 'team-d', 'team-e'];
/** Per cluster: a node for each person (and spare ones), 5 pods each; Deployments of 20 replicas. */
const USERS_PER_CLUSTER = Math.ceil(USERS / CLUSTERS.length);
const NODES = USERS_PER_CLUSTER + 6;
const PODS_PER_NODE = 6;
const DEPLOYMENTS = Math.floor((NODES * (PODS_PER_NODE - 1)) / 20);
const FINAL = /^(done|failed|refused|rejected|expired|cancelled|drifted)$/;

const POLICY = `rules:
  - verbs: [get, describe, logs, top, jobs, status, help, audit]
    allow: ["*"]
  - verbs: [cordon, uncordon, scale]
    allow: ["*"]
    approvals: 1
    approvers: ["*"]
approvalTtl: 15m
`;

interface Person {
  index: number;
  id: string;
  cluster: string;
  channel: string;
  bot: number;
  node: string;
  deployment?: { namespace: string; name: string };
  cordoned: boolean;
  replicas: number;
}

interface Sent {
  requestId: string;
  user: string;
  text: string;
  kind: 'read' | 'change';
  ack: number;
  status: number;
  /** How it ended on its card: done, failed, … or `no card` / `stuck`. */
  outcome: string;
  /** The card's last text, when it did not end Done (printed with the check that fails). */
  why?: string;
  /** When the command was sent and when its card showed the result, ms since the epoch. */
  sentAt: number;
  endedAt?: number;
  /** Command → result on the card, ms. */
  result?: number;
  /** Command → the plan's Approve button (changes). */
  plan?: number;
  /** Approve click → result (changes). */
  approved?: number;
  clickAck?: number;
  /** The change the person expects to be in the cluster once it is done. */
  effect?: { node: string; cordoned: boolean } | { namespace: string; name: string; replicas: number };
}

function people(): Person[] {
  return Array.from({ length: USERS }, (_, i) => {
    const k = Math.floor(i / CLUSTERS.length);
    return {
      index: i,
      id: `U0BENCH${String(i + 1).padStart(3, '0')}`,
      cluster: CLUSTERS[i % CLUSTERS.length]!,
      channel: CHANNELS[i % CHANNELS.length]!.id,
      bot: i % BOTS,
      node: `node-${String(k + 1).padStart(3, '0')}`,
      // The large scenario's Deployment d (0-based) is svc-(d+1) in NAMESPACES[d % 5], 20 replicas.
      ...(k < DEPLOYMENTS ? { deployment: { namespace: NAMESPACES[k % NAMESPACES.length]!, name: `svc-${String(k + 1).padStart(3, '0')}` } } : {}),
      cordoned: false,
      replicas: 20,
    };
  });
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readCommand(p: Person): string {
  const ns = pick(NAMESPACES);
  return pick([`get pods -n ${ns}`, 'get nodes', `get deployments -n ${ns}`, `describe node ${p.node}`]) + ` --cluster ${p.cluster}`;
}

/** The person's next change and what the cluster should show once it is done. */
function changeCommand(p: Person): { text: string; effect: NonNullable<Sent['effect']>; commit: () => void } {
  if (p.deployment && Math.random() < 0.5) {
    const replicas = p.replicas === 20 ? 21 : 20;
    const d = p.deployment;
    return { text: `scale deployment/${d.name} -n ${d.namespace} --replicas ${replicas} --cluster ${p.cluster}`, effect: { ...d, replicas }, commit: () => (p.replicas = replicas) };
  }
  const cordoned = !p.cordoned;
  return { text: `${cordoned ? 'cordon' : 'uncordon'} ${p.node} --cluster ${p.cluster}`, effect: { node: p.node, cordoned }, commit: () => (p.cordoned = cordoned) };
}

const outcomeOf = (text: string) => (/\bDone\b/.test(text) ? 'done' : /\bFailed\b/.test(text) ? 'failed' : /\bRefused\b/.test(text) ? 'refused' : /\b(rejected|expired|cancelled)\b/i.exec(text)?.[1]?.toLowerCase() ?? 'other');
const ended = (text: string) => /\bDone\b|\bFailed\b|\bRefused\b|\bRejected\b|\bExpired\b|\bCancelled\b/.test(text);

/** One person's loop: think, ask, wait for the card; approve the next person's changes meanwhile. */
async function person(stack: ProcessStack, p: Person, everyone: Person[], until: number, sent: Sent[]): Promise<void> {
  await sleep(Math.random() * THINK_MAX);
  while (Date.now() < until) {
    const change = Math.random() < DESTRUCTIVE ? changeCommand(p) : undefined;
    const text = change?.text ?? readCommand(p);
    const t0 = Date.now();
    const res = await stack.slash(text, { user: p.id, bot: p.bot, channel: p.channel });
    const s: Sent = { requestId: res.requestId, user: p.id, text, kind: change ? 'change' : 'read', ack: res.ms, status: res.status, outcome: 'no card', sentAt: t0 };
    sent.push(s);
    const card = await stack.cards.nextCard(p.id, t0, 60_000).catch(() => undefined);
    if (card) {
      const first = await stack.cards.until(card.channel, card.ts, (v) => ended(v.text) || buttonValue(v.message, CardAction.Approve) !== undefined, 120_000).catch(() => undefined);
      const approvalId = first && buttonValue(first.message, CardAction.Approve);
      let last = first;
      if (first && approvalId) {
        s.plan = first.at - t0;
        const approver = everyone[(p.index + 1) % everyone.length]!;
        const tClick = Date.now();
        const click = await stack.click(CardAction.Approve, approvalId, { user: approver.id, messageTs: card.ts, bot: (p.bot + 1) % BOTS, channel: card.channel });
        s.clickAck = click.ms;
        last = await stack.cards.until(card.channel, card.ts, (v) => ended(v.text), 120_000).catch(() => undefined);
        if (last) s.approved = last.at - tClick;
      }
      if (last && ended(last.text)) {
        s.outcome = outcomeOf(last.text);
        if (s.outcome !== 'done') s.why = last.text.replace(/\s+/g, ' ').slice(0, 300);
        s.result = last.at - t0;
        s.endedAt = last.at;
        if (change && s.outcome === 'done') {
          s.effect = change.effect;
          change.commit();
        }
      } else s.outcome = 'stuck';
    }
    await sleep(THINK_MIN + Math.random() * (THINK_MAX - THINK_MIN));
  }
}

/** Bytes and keys under the prefix, by kind of key (the part after the prefix), from MEMORY USAGE. */
async function keyCensus(stack: ProcessStack): Promise<Map<string, { keys: number; bytes: number }>> {
  const census = new Map<string, { keys: number; bytes: number }>();
  // SCAN and MEMORY USAGE per server: a cluster's masters each hold their share of the keys.
  for (const node of stack.masters()) {
    for await (const keys of node.scanStream({ match: `${stack.prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) {
      const sizes = await Promise.all(keys.map((k) => node.memory('USAGE', k, 'SAMPLES', 0)));
      for (const [i, key] of keys.entries()) {
        const rest = key.slice(stack.prefix.length + 1);
        // Tagged keys are <prefix>:{<unit>:<id>}… (core/key-tags.ts): BullMQ's under {cl:…} carry
        // the queue name k8s-<cluster>; the others are named by their unit.
        const unit = /^\{(\w+)[:}]/.exec(rest)?.[1];
        const kind = /:k8s-/.test(rest) ? 'BullMQ jobs and queues' : unit === 'cl' ? 'cluster locks and workers' : unit === 'inc' ? 'incident' : unit === 'req' ? 'request' : unit === 'apr' ? 'approval' : unit ?? rest.split(':')[0]!;
        const c = census.get(kind) ?? { keys: 0, bytes: 0 };
        c.keys += 1;
        c.bytes += Number(sizes[i] ?? 0);
        census.set(kind, c);
      }
    }
  }
  return census;
}

/** Every event on the job event stream, as [requestId, jobKind, type] counts. */
async function jobEventCounts(stack: ProcessStack): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const stream = new QueueKeys(stack.prefix).events;
  let start = '-';
  for (;;) {
    const page = (await stack.client.xrange(stream, start, '+', 'COUNT', 5000)) as [string, string[]][];
    for (const [, fields] of page) {
      const e = JobEventEnvelopeSchema.parse(JSON.parse(fields[1]!));
      const key = `${e.requestId}/${e.jobKind}/${e.body.type}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    if (page.length < 5000) return counts;
    start = `(${page.at(-1)![0]}`;
  }
}

/**
 * Where a read's time went, from its BullMQ job's own timestamps: command → job added (the bot's
 * intake), added → taken by a worker (waiting for a job slot), taken → finished (the job), and
 * finished → the result on the card (the relay, the render and the card's edit throttle).
 */
async function readSplit(stack: ProcessStack, reads: Sent[]): Promise<Record<'intake' | 'wait' | 'run' | 'relay', number[]>> {
  const split = { intake: [] as number[], wait: [] as number[], run: [] as number[], relay: [] as number[] };
  const queues = new Map(CLUSTERS.map((c) => [c, clusterQueue(stack.client, new QueueKeys(stack.prefix), c)]));
  try {
    for (const s of reads) {
      const cluster = / --cluster (\S+)/.exec(s.text)![1]!;
      const job = await queues.get(cluster)!.getJob(jobIdFor({ requestId: s.requestId, kind: 'read' }));
      if (!job?.processedOn || !job.finishedOn || s.endedAt === undefined) continue;
      split.intake.push(job.timestamp - s.sentAt);
      split.wait.push(job.processedOn - job.timestamp);
      split.run.push(job.finishedOn - job.processedOn);
      split.relay.push(s.endedAt - job.finishedOn);
    }
  } finally {
    await Promise.all([...queues.values()].map((q) => q.close()));
  }
  return split;
}

/** What the clusters show now for each person's node and Deployment. */
async function clusterState(stack: ProcessStack): Promise<{ nodes: Map<string, boolean>; replicas: Map<string, number> }> {
  const nodes = new Map<string, boolean>();
  const replicas = new Map<string, number>();
  for (const s of stack.sandboxes) {
    const kc = new KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    const [n, d] = await Promise.all([kc.makeApiClient(CoreV1Api).listNode(), kc.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces()]);
    for (const node of n.items) nodes.set(`${s.name}/${node.metadata!.name}`, Boolean(node.spec?.unschedulable));
    for (const dep of d.items) replicas.set(`${s.name}/${dep.metadata!.namespace}/${dep.metadata!.name}`, dep.spec?.replicas ?? 0);
  }
  return { nodes, replicas };
}

const f = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');
const mb = (bytes: number) => (Math.abs(bytes) >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${(bytes / 1024).toFixed(Math.abs(bytes) < 10240 ? 1 : 0)} KB`);
const stats = (xs: number[]) => `p50 ${f(median(xs))}, p99 ${f(percentile(xs, 99))} (n=${xs.length})`;

const everyone = people();
const stack = await startProcessStack({
  clusters: CLUSTERS.map((name) => ({ name, scenario: 'large', params: { nodes: NODES, podsPerNode: PODS_PER_NODE } })),
  bots: BOTS,
  workersPerCluster: Number(values['workers-per-cluster']),
  policyYaml: POLICY,
  users: USERS,
  channels: CHANNELS,
  env: { SITREP_WORKER_CONCURRENCY: values['worker-concurrency'] },
  build: !values['no-build'],
  redis: values.redis === 'cluster' ? 'cluster' : 'standalone',
});
let problems = 0;
try {
  const os = await import('node:os');
  console.log(`bench:load: ${BOTS} bots, ${CLUSTERS.length} clusters x ${values['workers-per-cluster']} workers (${values['worker-concurrency']} job slots each), ${USERS} people in ${CHANNELS.length} channels (${INCIDENTS} with an open incident), ${Math.round(DESTRUCTIVE * 100)}% changes, think ${THINK_MIN}-${THINK_MAX} ms, ${DURATION_MS / 1000} s; ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)} at start`);
  const incidentIds = new Set<string>();
  for (let i = 0; i < INCIDENTS; i++) {
    const res = await stack.slash(`start Bench incident ${i + 1}`, { user: everyone[i]!.id, channel: CHANNELS[i]!.id, command: '/incident' });
    if (res.status !== 200) throw new Error(`/incident start answered ${res.status}`);
    incidentIds.add(res.requestId);
  }
  await stack.slack.waitFor(() => (stack.slack.calls('pins.add').length >= INCIDENTS ? true : undefined), { timeoutMs: 30_000 });

  // The idle fleet's own traffic (heartbeats, blocking reads, sweeps), to subtract from the run's.
  const idle0 = await stack.commandStats();
  const tIdle = Date.now();
  await sleep(Number(values['idle-seconds']) * 1000);
  const idleMs = Date.now() - tIdle;
  const idleCalls = commandDelta(idle0, await stack.commandStats()).reduce((n, [, v]) => n + v, 0);

  const usedMemory = async () => (await Promise.all(stack.masters().map(async (m) => Number(/used_memory:(\d+)/.exec(await m.info('memory'))?.[1])))).reduce((n, b) => n + b, 0);
  const mem0 = await usedMemory();
  const before = await stack.commandStats();
  const rss = new Map<string, number[]>();
  const sampleRss = setInterval(() => {
    for (const r of stack.rss()) rss.set(r.name, [...(rss.get(r.name) ?? []), r.mb]);
  }, 1000);
  const sent: Sent[] = [];
  const cpu0 = { ...stack.cpu(), redis: stack.redis.pids().reduce((n, pid) => n + cpuMs(pid), 0), bench: process.cpuUsage() };
  const t0 = Date.now();
  await Promise.all(everyone.map((p) => person(stack, p, everyone, t0 + DURATION_MS, sent)));
  const elapsed = Date.now() - t0;
  clearInterval(sampleRss);
  const cpu1 = { ...stack.cpu(), redis: stack.redis.pids().reduce((n, pid) => n + cpuMs(pid), 0), bench: process.cpuUsage(cpu0.bench) };
  const delta = commandDelta(before, await stack.commandStats());
  const mem1 = await usedMemory();
  const uptime = os.loadavg()[0]!;

  const reads = sent.filter((s) => s.kind === 'read');
  const changes = sent.filter((s) => s.kind === 'change');
  const total = delta.reduce((n, [, v]) => n + v, 0);
  const idleShare = (idleCalls / idleMs) * elapsed;
  console.log(`ran ${(elapsed / 1000).toFixed(1)} s: ${sent.length} requests (${reads.length} reads, ${changes.length} changes), ${(sent.length / (elapsed / 1000)).toFixed(1)} requests/s; load average ${uptime.toFixed(1)} at the end`);
  console.log(`ack (slash command round trip): ${stats(sent.map((s) => s.ack))}; Approve click ack: ${stats(changes.flatMap((s) => (s.clickAck === undefined ? [] : [s.clickAck])))}`);
  console.log(`command → result, reads: ${stats(reads.flatMap((s) => (s.result === undefined ? [] : [s.result])))}`);
  const split = await readSplit(stack, reads);
  console.log(`  split of reads: command → job added ${stats(split.intake)}; → taken by a worker ${stats(split.wait)}; → job finished ${stats(split.run)}; → result on the card ${stats(split.relay)}`);
  console.log(`command → result, changes (approved as soon as shown): ${stats(changes.flatMap((s) => (s.result === undefined ? [] : [s.result])))}`);
  console.log(`  of which command → plan shown: ${stats(changes.flatMap((s) => (s.plan === undefined ? [] : [s.plan])))}; Approve → result: ${stats(changes.flatMap((s) => (s.approved === undefined ? [] : [s.approved])))}`);
  console.log(`Redis commands (those Lua scripts run included): ${total} in the run, ${(total / sent.length).toFixed(0)} per request; less the idle fleet's ${(idleCalls / (idleMs / 1000)).toFixed(0)}/s: ${((total - idleShare) / sent.length).toFixed(0)} per request. Top: ${delta.slice(0, 8).map(([k, v]) => `${k} ${(v / sent.length).toFixed(1)}`).join(', ')} (per request)`);
  const perRequest = (ms: number) => `${(ms / sent.length).toFixed(1)} ms`;
  console.log(
    `CPU per request: bots ${perRequest(cpu1.bot - cpu0.bot)}, workers ${perRequest(cpu1.worker - cpu0.worker)}, redis-server ${perRequest(cpu1.redis - cpu0.redis)}; the test rig: sandboxes ${perRequest(cpu1.sandbox - cpu0.sandbox)}, Slack stand-in and load generator ${perRequest((cpu1.bench.user + cpu1.bench.system) / 1000)}`,
  );
  for (const [name, xs] of rss) console.log(`RSS ${name.padEnd(13)} median ${median(xs).toFixed(0)} MB, max ${Math.max(...xs).toFixed(0)} MB`);

  const census = await keyCensus(stack);
  const bytes = (kind: string) => census.get(kind)?.bytes ?? 0;
  const all = [...census.values()].reduce((n, c) => n + c.bytes, 0);
  const incidentBytes = bytes('incident');
  console.log(`Redis memory: used_memory grew ${mb(mem1 - mem0)} over the run (${mb(((mem1 - mem0) / sent.length) * 1000)} per 1,000 requests); keys under the prefix ${mb(all)} now:`);
  for (const [kind, c] of [...census].sort((a, b) => b[1].bytes - a[1].bytes)) console.log(`  ${kind.padEnd(24)} ${String(c.keys).padStart(6)} keys ${mb(c.bytes).padStart(9)}`);
  const incidentRequests = sent.filter((s) => CHANNELS.slice(0, INCIDENTS).some((c) => everyone.find((p) => p.id === s.user)!.channel === c.id)).length;
  const timelines = (await Promise.all(stack.masters().map((m) => m.keys(`${stack.prefix}:{inc:*}:timeline`)))).flat();
  const entries = (await Promise.all(timelines.map((k) => stack.client.xlen(k)))).reduce((n, x) => n + x, 0);
  console.log(`  per 1,000 requests (all keys but incidents): ${mb(((all - incidentBytes) / sent.length) * 1000)}; per incident (its record and timeline, ${(incidentRequests / Math.max(1, INCIDENTS)).toFixed(0)} commands and ${(entries / Math.max(1, INCIDENTS)).toFixed(0)} timeline entries on it): ${mb(incidentBytes / Math.max(1, INCIDENTS))}, ${mb(incidentBytes / Math.max(1, entries))} per entry`);

  // Nothing lost, nothing twice.
  const bad = (what: string, list: string[]) => {
    if (!list.length) return console.log(`  ok: ${what}`);
    problems += list.length;
    console.log(`  NOT ok: ${what}: ${list.length}, e.g. ${list.slice(0, 5).join('; ')}`);
  };
  console.log('checks:');
  bad('every command acknowledged with 200', sent.filter((s) => s.status !== 200).map((s) => `${s.text} → ${s.status}`));
  bad('every card shows how its request ended', sent.filter((s) => s.outcome === 'no card' || s.outcome === 'stuck').map((s) => `${s.text} (${s.outcome})`));
  bad('every request done', sent.filter((s) => s.outcome !== 'done' && s.outcome !== 'no card' && s.outcome !== 'stuck').map((s) => `${s.text}: ${s.outcome}${s.why ? ` ("${s.why}")` : ''}`));
  // Bots flush their logs as they go; give the last lines a moment to arrive.
  await sleep(1000);
  // The request store's line for each state change names the requester; click lines name the clicker.
  const requester = new Map(sent.map((s) => [s.requestId, s.user]));
  const finals = new Map<string, number>();
  for (const a of stack.audit) if (FINAL.test(a.outcome) && !incidentIds.has(a.requestId) && (requester.get(a.requestId) ?? a.user) === a.user) finals.set(a.requestId, (finals.get(a.requestId) ?? 0) + 1);
  const ids = new Set(sent.map((s) => s.requestId));
  bad('every request ended exactly once (audit lines)', sent.filter((s) => finals.get(s.requestId) !== 1).map((s) => `${s.text}: ${finals.get(s.requestId) ?? 0} endings`));
  bad('no request that nobody sent', [...finals.keys()].filter((id) => !ids.has(id)));
  const events = await jobEventCounts(stack);
  const approved = changes.filter((s) => s.approved !== undefined);
  bad('every approved execution started once and finished once', approved.filter((s) => events.get(`${s.requestId}/execute/started`) !== 1 || events.get(`${s.requestId}/execute/result`) !== 1).map((s) => `${s.text}: started ${events.get(`${s.requestId}/execute/started`) ?? 0}, results ${events.get(`${s.requestId}/execute/result`) ?? 0}`));
  bad('every read ran once', reads.filter((s) => events.get(`${s.requestId}/read/result`) !== 1).map((s) => `${s.text}: ${events.get(`${s.requestId}/read/result`) ?? 0} results`));
  const state = await clusterState(stack);
  const drift: string[] = [];
  for (const p of everyone) {
    if (state.nodes.get(`${p.cluster}/${p.node}`) !== p.cordoned) drift.push(`${p.cluster}/${p.node} unschedulable=${state.nodes.get(`${p.cluster}/${p.node}`)}, expected ${p.cordoned}`);
    if (p.deployment && state.replicas.get(`${p.cluster}/${p.deployment.namespace}/${p.deployment.name}`) !== p.replicas) drift.push(`${p.cluster}/${p.deployment.name} replicas=${state.replicas.get(`${p.cluster}/${p.deployment.namespace}/${p.deployment.name}`)}, expected ${p.replicas}`);
  }
  bad('every node and Deployment as its last change left it', drift);
} finally {
  await stack.stop();
}
process.exitCode = problems ? 1 : 0;
