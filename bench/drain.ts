/**
 * Drain benchmark (not a test): drains node-001 of the `drain` sandbox scenario at several sizes
 * with sitrep's drain job and with the real kubectl (when on PATH), each on a fresh, identical
 * sandbox, next to the scenario's floor, the least time any drain can take there
 * (bench/drain-floor.ts: the longest grace period, or the PDB-gated chain of replacements plus
 * its grace period). Prints wall time and API requests per run and their medians.
 *
 *   npm run bench:drain -- [--runs 3] [--kubectl-runs 1] [--sizes 50,200,1000] [--time-scale 0.05] [--max-in-flight N]
 *
 * kubectl runs once per size by default: it evicts under client-go's client-side rate limit and
 * polls every pod, so 1,000 pods take it minutes (`--kubectl-runs 0` leaves it out). The default
 * run takes about 6 minutes. `--max-in-flight` sets the drain job's cap on evictions in flight
 * (default: the job's own, 32); DRAIN_CHILD_FLAGS (e.g. `--cpu-prof`) go to sitrep's process.
 *
 * Targets: sitrep within 1.5x the floor at every size, and no slower than kubectl. Each drainer
 * runs in a process of its own against the sandbox in this one (sitrep: bench/drain-child.ts).
 * sitrep's time is the approved execution (it re-plans, backs up, cordons, evicts, waits), timed
 * inside its process; the plan shown for approval comes before and is timed apart. kubectl's is
 * the whole command, its start-up and discovery included. The time scale sets how long pods take to stop (30 s
 * grace) and to start (1 s) in the sandbox; the drainers' own waits are real time.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { findKubectl } from '../test/support/kubectl.js';
import { startTestRedis, type TestRedis } from '../test/support/redis-server.js';
import { drainFloor, type DrainFloor } from './drain-floor.js';
import { median } from './support.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    sizes: { type: 'string', default: '50,200,1000' },
    'time-scale': { type: 'string', default: '0.05' },
    'kubectl-runs': { type: 'string', default: '1' },
    'max-in-flight': { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const KUBECTL_RUNS = Number(values['kubectl-runs']);
const SIZES = values.sizes.split(',').map(Number);
const TIME_SCALE = Number(values['time-scale']);
const NODE = 'node-001';
const exec = promisify(execFile);

interface Sample {
  ms: number;
  /** sitrep only: the plan made for approval, before the timed execution. */
  planMs?: number;
  /** sitrep only: when every eviction had been accepted (then it waits for the pods to stop). */
  evictedMs?: number;
  /** sitrep only: CPU ms of its execution, and of the sandbox (this process) meanwhile. */
  cpu?: { sitrep: number; sandbox: number };
  requests: number;
  discovery: number;
  byVerb: Record<string, number>;
  pods: number;
}

async function fresh(pods: number): Promise<{ sandbox: Sandbox; floor: DrainFloor }> {
  const sandbox = await startSandbox({ scenario: 'drain', params: { pods }, timeScale: TIME_SCALE });
  await sandbox.idle();
  sandbox.resetRequests();
  return { sandbox, floor: drainFloor(sandbox.store, NODE, TIME_SCALE) };
}

/** sitrep's drain job in a process of its own (bench/drain-child.ts), as kubectl runs in its own. */
async function sitrepRun(redis: TestRedis, size: number, i: number): Promise<Sample & { floor: DrainFloor }> {
  const { sandbox, floor } = await fresh(size);
  try {
    const c0 = process.cpuUsage();
    const { stdout } = await exec(process.execPath, [...(process.env.DRAIN_CHILD_FLAGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', join(import.meta.dirname, 'drain-child.ts')], {
      env: { ...process.env, KUBECONFIG: sandbox.kubeconfigPath, REDIS_URL: redis.url, NODE, RUN_ID: `${Date.now()}-${i}`, ...(values['max-in-flight'] ? { MAX_IN_FLIGHT: values['max-in-flight'] } : {}) },
      maxBuffer: 16 * 1024 * 1024,
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as { ok: boolean; title: string; planMs: number; ms: number; evictedMs?: number; cpuMs: number };
    if (!out.ok) throw new Error(`sitrep drain failed: ${out.title}`);
    const r = sandbox.requests();
    const c = process.cpuUsage(c0);
    return { ms: out.ms, planMs: out.planMs, evictedMs: out.evictedMs, cpu: { sitrep: out.cpuMs, sandbox: (c.user + c.system) / 1000 }, requests: r.total, discovery: r.discovery, byVerb: r.byVerb, pods: floor.pods, floor };
  } finally {
    await sandbox.close();
  }
}

async function kubectlRun(bin: string, size: number): Promise<Sample> {
  const { sandbox, floor } = await fresh(size);
  const cache = await mkdtemp(join(tmpdir(), 'sitrep-bench-kubectl-'));
  try {
    const t0 = performance.now();
    await exec(bin, ['--kubeconfig', sandbox.kubeconfigPath, '--cache-dir', cache, 'drain', NODE, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=600s'], { maxBuffer: 64 * 1024 * 1024 });
    const ms = performance.now() - t0;
    const r = sandbox.requests();
    return { ms, requests: r.total, discovery: r.discovery, byVerb: r.byVerb, pods: floor.pods };
  } finally {
    await sandbox.close();
    await rm(cache, { recursive: true, force: true });
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function show(name: string, samples: Sample[]): { ms: number; requests: number } {
  for (const [i, x] of samples.entries()) {
    const top = Object.entries(x.byVerb).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${k}=${v}`).join(', ');
    const split = x.planMs !== undefined ? ` (every eviction accepted at ${x.evictedMs === undefined ? '?' : s(x.evictedMs)}; CPU: sitrep ${s(x.cpu!.sitrep)}, sandbox ${s(x.cpu!.sandbox)}; the plan before it ${s(x.planMs)})` : '';
    console.log(`    ${name} run ${i + 1}: ${s(x.ms)}${split}, ${x.requests} API requests (+${x.discovery} discovery) [${top}]`);
  }
  return { ms: median(samples.map((x) => x.ms)), requests: median(samples.map((x) => x.requests)) };
}

const redis = await startTestRedis();
const bin = findKubectl();
const summary: string[] = [];
try {
  console.log(`bench:drain: ${NODE} of scenario drain, timeScale ${TIME_SCALE} (grace 30 s = ${s(30_000 * TIME_SCALE)}, pod start 1 s = ${s(1000 * TIME_SCALE)}), sizes ${SIZES.join(', ')}, ${RUNS} sitrep and ${bin ? KUBECTL_RUNS : 0} kubectl runs each; load average ${loadavg()[0]!.toFixed(1)}`);
  if (!bin) console.log('  kubectl: not on PATH, its column is skipped');
  for (const size of SIZES) {
    const sitrep: (Sample & { floor: DrainFloor })[] = [];
    for (let i = 0; i < RUNS; i++) sitrep.push(await sitrepRun(redis, size, i));
    const floor = sitrep[0]!.floor;
    const chain = floor.chain ? `; chain ${floor.chain.pdb}: ${floor.chain.pods} pods, ${floor.chain.perBatch} at a time, ${floor.chain.batches} batches` : '';
    console.log(`  ${floor.pods} pods: floor ${s(floor.ms)} (longest grace ${s(floor.graceMs)}${chain})`);
    const a = show('sitrep ', sitrep);
    let k: { ms: number; requests: number } | undefined;
    if (bin && KUBECTL_RUNS > 0) {
      const kubectl: Sample[] = [];
      for (let i = 0; i < KUBECTL_RUNS; i++) kubectl.push(await kubectlRun(bin, size));
      k = show('kubectl', kubectl);
    }
    const line = `  ${String(floor.pods).padStart(5)} pods: floor ${s(floor.ms)}, sitrep ${s(a.ms)} (x${(a.ms / floor.ms).toFixed(2)} the floor, ${a.requests} requests)${k ? `, kubectl ${s(k.ms)} (x${(k.ms / floor.ms).toFixed(2)}, ${k.requests} requests)` : bin ? '' : ', kubectl skipped (not on PATH)'}`;
    console.log(line);
    summary.push(line);
  }
  console.log(`medians (target: sitrep <= 1.5x the floor at every size, and no slower than kubectl); load average ${loadavg()[0]!.toFixed(1)}:`);
  for (const line of summary) console.log(line);
} finally {
  await redis.stop();
}
