/**
 * Drain benchmark (not a test): drains one ~200-pod node of the `large` sandbox scenario with
 * sitrep's drain job and with the real kubectl (when on PATH), each on a fresh, identical sandbox,
 * and prints wall time and API requests per run and their medians.
 *
 *   npx tsx bench/drain.ts [--runs 3] [--nodes 10] [--pods-per-node 200] [--time-scale 0.05]
 *
 * Target: sitrep no slower than kubectl, with at most a fifth of its API requests. The time scale
 * sets how long pods take to terminate (30 s grace x scale): kubectl polls every evicted pod once a
 * second while it waits, sitrep holds one watch on the node, so the gap grows with that time.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import pino from 'pino';
import { drainJob } from '../jobs/drain.js';
import { DrainArgsSchema } from '../src/core/verbs/index.js';
import type { JobContext } from '../jobs/job-context.js';
import { systemClock } from '../src/core/clock.js';
import { createKubeClients, loadKubeConfig } from '../src/k8s/kube-clients.js';
import { CheckpointStore } from '../src/queue/checkpoint-store.js';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { findKubectl } from '../test/support/kubectl.js';
import { startTestRedis } from '../test/support/redis-server.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    nodes: { type: 'string', default: '10' },
    'pods-per-node': { type: 'string', default: '200' },
    'time-scale': { type: 'string', default: '0.05' },
  },
});
const RUNS = Number(values.runs);
const PARAMS = { nodes: Number(values.nodes), podsPerNode: Number(values['pods-per-node']) };
const TIME_SCALE = Number(values['time-scale']);
const NODE = 'node-001';
const exec = promisify(execFile);

interface Sample {
  ms: number;
  requests: number;
  discovery: number;
  byVerb: Record<string, number>;
  pods: number;
}

async function fresh(): Promise<Sandbox> {
  const sandbox = await startSandbox({ scenario: 'large', params: PARAMS, timeScale: TIME_SCALE });
  await sandbox.idle();
  sandbox.resetRequests();
  return sandbox;
}

async function workloadPodsOn(sandbox: Sandbox): Promise<number> {
  return sandbox.store.list('pods').items.filter((p) => p.spec?.nodeName === NODE && !p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet')).length;
}

async function sitrepRun(redisUrl: { client(): import('ioredis').Redis }, i: number): Promise<Sample> {
  const sandbox = await fresh();
  const pods = await workloadPodsOn(sandbox);
  const kube = createKubeClients('bench', loadKubeConfig({ kubeconfigPath: sandbox.kubeconfigPath }));
  const ctx: JobContext = {
    cluster: 'bench',
    kube,
    signal: new AbortController().signal,
    clock: systemClock,
    log: pino({ level: 'silent' }),
    progress: async () => {},
    event: async () => {},
    checkpoints: new CheckpointStore(redisUrl.client(), `bench:drain:${Date.now()}:${i}`),
    backup: async () => {},
  };
  const args = DrainArgsSchema.parse({ node: NODE, deleteEmptyDirData: true, force: true });
  const t0 = performance.now();
  const plan = await drainJob.plan(args, ctx);
  const result = await drainJob.execute(args, plan, ctx);
  const ms = performance.now() - t0;
  if (!result.ok) throw new Error(`sitrep drain failed: ${result.title}`);
  const r = sandbox.requests();
  await sandbox.close();
  return { ms, requests: r.total, discovery: r.discovery, byVerb: r.byVerb, pods };
}

async function kubectlRun(bin: string): Promise<Sample> {
  const sandbox = await fresh();
  const pods = await workloadPodsOn(sandbox);
  const cache = await mkdtemp(join(tmpdir(), 'sitrep-bench-kubectl-'));
  const t0 = performance.now();
  await exec(bin, ['--kubeconfig', sandbox.kubeconfigPath, '--cache-dir', cache, 'drain', NODE, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=600s'], { maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t0;
  const r = sandbox.requests();
  await sandbox.close();
  await rm(cache, { recursive: true, force: true });
  return { ms, requests: r.total, discovery: r.discovery, byVerb: r.byVerb, pods };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function show(name: string, samples: Sample[]): { ms: number; requests: number } {
  for (const [i, s] of samples.entries()) {
    const top = Object.entries(s.byVerb).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k}=${v}`).join(', ');
    console.log(`  ${name} run ${i + 1}: ${s.pods} pods, ${(s.ms / 1000).toFixed(2)} s, ${s.requests} API requests (+${s.discovery} discovery) [${top}]`);
  }
  const ms = median(samples.map((s) => s.ms));
  const requests = median(samples.map((s) => s.requests));
  console.log(`  ${name} median: ${(ms / 1000).toFixed(2)} s, ${requests} API requests (+${median(samples.map((s) => s.discovery))} discovery)`);
  return { ms, requests };
}

const redis = await startTestRedis();
try {
  console.log(`drain ${NODE} of scenario large ${JSON.stringify(PARAMS)}, timeScale ${TIME_SCALE}, ${RUNS} runs each`);
  const sitrep: Sample[] = [];
  for (let i = 0; i < RUNS; i++) sitrep.push(await sitrepRun(redis, i));
  const s = show('sitrep ', sitrep);
  const bin = findKubectl();
  if (!bin) {
    console.log('  kubectl: not on PATH, comparison skipped');
  } else {
    const kubectl: Sample[] = [];
    for (let i = 0; i < RUNS; i++) kubectl.push(await kubectlRun(bin));
    const k = show('kubectl', kubectl);
    console.log(`  sitrep/kubectl: time x${(s.ms / k.ms).toFixed(2)}, requests x${(s.requests / k.requests).toFixed(3)} (target: time <= 1, requests <= 0.2)`);
  }
} finally {
  await redis.stop();
}
