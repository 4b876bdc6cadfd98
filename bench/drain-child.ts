/**
 * One sitrep drain in a process of its own, for bench:drain (as kubectl runs in its own): plans
 * and executes the drain job against KUBECONFIG with checkpoints in REDIS_URL (MAX_IN_FLIGHT: its
 * cap on evictions in flight, else the job's default), then prints one JSON line: the plan's and
 * the execution's wall time, when every eviction had been accepted, the execution's CPU time, and
 * the result's title.
 */
import { Redis } from 'ioredis';
import pino from 'pino';
import { createDrainJob, drainJob } from '../jobs/drain.js';
import type { JobContext } from '../jobs/job-context.js';
import { systemClock } from '../src/core/clock.js';
import { DrainArgsSchema } from '../src/core/verbs/index.js';
import { createKubeClients, loadKubeConfig } from '../src/k8s/kube-clients.js';
import { CheckpointStore } from '../src/queue/checkpoint-store.js';

const env = process.env;
const redis = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: null });
let t0 = 0;
let evicted: number | undefined;
const ctx: JobContext = {
  cluster: 'bench',
  kube: createKubeClients('bench', loadKubeConfig({ kubeconfigPath: env.KUBECONFIG })),
  signal: new AbortController().signal,
  clock: systemClock,
  log: pino({ level: 'silent' }),
  // The run reports phase `waiting` once every eviction was accepted (jobs/support/drain-run.ts);
  // reports are throttled, so `done` may come first when the last pods go at once.
  progress: async (p) => void ((p.phase === 'waiting' || p.phase === 'done') && evicted === undefined && (evicted = performance.now() - t0)),
  event: async () => {},
  checkpoints: new CheckpointStore(redis, `bench:drain:${env.RUN_ID}`),
  // No queue here, so no lock to lose; the GET a worker makes per eviction is still paid.
  assertOwned: async () => void (await redis.get(`bench:drain:${env.RUN_ID}:lock`)),
  backup: async () => {},
};
const args = DrainArgsSchema.parse({ node: env.NODE, deleteEmptyDirData: true, force: true });
const p0 = performance.now();
const job = process.env.MAX_IN_FLIGHT ? createDrainJob({ maxInFlight: Number(process.env.MAX_IN_FLIGHT) }) : drainJob;
const plan = await job.plan(args, ctx);
t0 = performance.now();
const cpu0 = process.cpuUsage();
const result = await job.execute(args, plan, ctx);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
redis.disconnect();
process.stdout.write(`${JSON.stringify({ ok: result.ok, title: result.title, planMs: t0 - p0, ms, evictedMs: evicted, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
