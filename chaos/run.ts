/**
 * `npm run chaos`: issue 15's chaos suite. Runs each fault (chaos/faults/) repeatedly, every
 * trial in a fresh world of real processes (chaos/world.ts: redis-server, `sitrep bot` and
 * `sitrep worker` from the built bundle, the sandbox, the Slack stand-in; loopback only), and
 * prints one table: fault | trials passed/total | what "passed" checks | median trial time.
 * Exits 1 when any trial failed (or overran its timeout), 2 for a bad variable.
 *
 *   CHAOS_TRIALS=N        every fault runs N trials instead of its default (issue 15's counts)
 *   CHAOS_ONLY=a,b        only these faults (names: see CHAOS_ONLY=help)
 *   CHAOS_DEADLINE_MIN=M  the whole run's deadline in minutes (default 60); trials it leaves out
 *                         are reported as not run
 *   CHAOS_LOG_LEVEL=info  the sitrep processes' log level (default warn)
 *   CHAOS_BUILD=0         skip `npm run build` (dist/ is current)
 *   CHAOS_LOGS=DIR        save the last output of every bot and worker of a failed trial there
 */
import { join } from 'node:path';
import { buildDist } from '../bench/image.js';
import { apiOutage } from './faults/api-outage.js';
import { redisClusterFailover } from './faults/redis-cluster-failover.js';
import { redisHang } from './faults/redis-hang.js';
import { redisRestartAof, redisRestartEmpty } from './faults/redis-restart.js';
import { slackStorm } from './faults/slack-storm.js';
import { workerKill } from './faults/worker-kill.js';
import { trialContext, type Fault } from './fault.js';
import { formatTable, type FaultResult } from './table.js';

// Shortest trials first: under a tight CHAOS_DEADLINE_MIN the worker kills (each waits for a lock to lapse) are what is cut.
const FAULTS: Fault[] = [redisRestartEmpty, redisRestartAof, redisHang, apiOutage, slackStorm, redisClusterFailover, workerKill];

function usage(message: string): never {
  process.stderr.write(`npm run chaos: ${message}\nFaults: ${FAULTS.map((f) => f.name).join(', ')}. Example: CHAOS_TRIALS=2 CHAOS_ONLY=worker-kill npm run chaos\n`);
  process.exit(2);
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n)) usage(`${name} must be a positive number, got "${raw}"`);
  return n;
}

const only = (process.env.CHAOS_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
if (only.includes('help')) usage('the faults are listed below');
for (const name of only) if (!FAULTS.some((f) => f.name === name)) usage(`CHAOS_ONLY names no fault "${name}"`);
const trialsOverride = process.env.CHAOS_TRIALS ? Math.floor(positive('CHAOS_TRIALS', 1)) : undefined;
const deadline = Date.now() + positive('CHAOS_DEADLINE_MIN', 60) * 60_000;
const chosen = FAULTS.filter((f) => !only.length || only.includes(f.name));

/** One trial under its timeout; its world is stopped whatever happened. Resolves with the failure, if any. */
async function runTrial(fault: Fault, index: number, of: number): Promise<string | undefined> {
  const abort = new AbortController();
  const t = trialContext(index, of, abort.signal);
  let timer: NodeJS.Timeout | undefined;
  const overran = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`overran its ${fault.timeoutMs / 1000} s timeout`), fault.timeoutMs)));
  const ran = fault.trial(t).then(() => undefined, (err: unknown) => (err instanceof Error ? err.message : String(err)));
  let failure: string | undefined;
  try {
    failure = await Promise.race([ran, overran]);
    return failure;
  } finally {
    clearTimeout(timer);
    if (failure !== undefined && process.env.CHAOS_LOGS) await t.keepLogs(join(process.env.CHAOS_LOGS, `${fault.name}-${index + 1}`)).catch(() => {});
    abort.abort();
    await t.cleanup();
    // A trial that overran stops on its own once its world is gone; it must not outlive the run.
    await Promise.race([ran, new Promise((r) => setTimeout(r, 5000).unref())]);
  }
}

if (process.env.CHAOS_BUILD !== '0') {
  console.log('chaos: building dist/ (npm run build)…');
  await buildDist();
}
const results: FaultResult[] = [];
for (const fault of chosen) {
  const asked = trialsOverride ?? fault.trials;
  const r: FaultResult = { title: fault.title, checks: fault.checks, passed: 0, ran: 0, asked, times: [], failures: [] };
  results.push(r);
  for (let i = 0; i < asked; i++) {
    if (Date.now() + fault.timeoutMs > deadline) break;
    const t0 = performance.now();
    const failure = await runTrial(fault, i, asked);
    const ms = performance.now() - t0;
    r.ran++;
    r.times.push(ms);
    if (failure === undefined) r.passed++;
    else r.failures.push(`#${i + 1}: ${failure}`);
    console.log(`chaos: ${fault.name} trial ${i + 1}/${asked} ${failure === undefined ? 'passed' : `FAILED: ${failure}`} (${(ms / 1000).toFixed(1)} s)`);
  }
}
console.log(`\nchaos: ${new Date().toISOString()}, CHAOS_TRIALS=${trialsOverride ?? 'default'}${only.length ? ` CHAOS_ONLY=${only.join(',')}` : ''}\n`);
console.log(formatTable(results));
const failed = results.some((r) => r.passed < r.ran);
process.exit(failed ? 1 : 0);
