/**
 * `npm run bench:rss`: the resident memory of an idle, built bot and an idle, built worker, each
 * its own process, started exactly as the image starts them: `npm run build`, then the image's
 * files only (package.json, bin/, dist/; no node_modules) copied to a temp folder, run with the
 * Dockerfile's ENTRYPOINT flags and ENV. Both connect to a private redis-server, the local Slack
 * stand-in and the sandbox cluster. Targets: bot <= 100 MB, worker <= 120 MB.
 *
 * RSS is read from /proc/PID/status (VmRSS) every 250 ms over an idle window once both report
 * ready; each run prints its median, and the summary the median of the runs.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LocalWorkspace, startSlackApiServer } from '../src/console/index.js';
import { freePort, startRedisServer } from '../src/demo/redis-server.js';
import { startSandbox } from '../src/sandbox/index.js';
import { median } from './support.js';

const RUNS = Number(process.env.RUNS ?? 3);
const IDLE_MS = Number(process.env.IDLE_MS ?? 5000);
const TARGET_MB = { bot: 100, worker: 120 } as const;

/** The node flags of the Dockerfile's ENTRYPOINT and the variables of its ENV lines. */
async function imageLaunch(): Promise<{ nodeFlags: string[]; env: Record<string, string> }> {
  const dockerfile = await readFile('deploy/Dockerfile', 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const entry = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(runtime);
  if (!entry) throw new Error('deploy/Dockerfile has no ENTRYPOINT in its runtime stage');
  const argv = JSON.parse(entry[1]!) as string[];
  const env: Record<string, string> = {};
  for (const m of runtime.matchAll(/^ENV\s+(.+)$/gm)) for (const pair of m[1]!.split(/\s+/)) if (pair.includes('=')) env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
  return { nodeFlags: argv.slice(1).filter((a) => a.startsWith('--')), env };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN) / 1024;
}

async function untilReady(url: string, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode} before it was ready`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready at ${url} after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function oneRun(app: string, launch: Awaited<ReturnType<typeof imageLaunch>>): Promise<{ bot: number; worker: number }> {
  const [redis, sandbox, slack] = await Promise.all([startRedisServer(), startSandbox({ scenario: 'maintenance' }), startSlackApiServer()]);
  const [botPort, opsPort] = [await freePort(), await freePort()];
  const env = { PATH: process.env.PATH ?? '', ...launch.env, REDIS_URL: redis.url, LOG_LEVEL: 'warn', SITREP_PREFIX: 'bench' };
  const start = (args: string[], extra: Record<string, string>) => spawn(process.execPath, [...launch.nodeFlags, join(app, 'bin', 'sitrep.js'), ...args], { cwd: app, env: { ...env, ...extra }, stdio: ['ignore', 'ignore', 'inherit'] });
  const bot = start(['bot'], { SLACK_SIGNING_SECRET: 'bench-signing-secret', SLACK_BOT_TOKEN: LocalWorkspace.botToken, SLACK_API_URL: slack.url, PORT: String(botPort), SITREP_DEFAULT_CLUSTER: 'sandbox' });
  const worker = start(['worker', '--cluster', 'sandbox'], { KUBECONFIG: sandbox.kubeconfigPath, SITREP_OPS_PORT: String(opsPort) });
  try {
    await Promise.all([untilReady(`http://127.0.0.1:${botPort}/readyz`, bot, 'bot'), untilReady(`http://127.0.0.1:${opsPort}/readyz`, worker, 'worker')]);
    const samples = { bot: [] as number[], worker: [] as number[] };
    const end = Date.now() + IDLE_MS;
    while (Date.now() < end) {
      samples.bot.push(rssMb(bot.pid!));
      samples.worker.push(rssMb(worker.pid!));
      await new Promise((r) => setTimeout(r, 250));
    }
    return { bot: median(samples.bot), worker: median(samples.worker) };
  } finally {
    for (const child of [bot, worker]) child.kill('SIGTERM');
    await Promise.all([bot, worker].map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    await Promise.all([redis.stop(), sandbox.close(), slack.close()]);
  }
}

await promisify(execFile)(process.execPath, ['scripts/bundle.mjs']);
const app = await mkdtemp(join(tmpdir(), 'sitrep-image-'));
for (const part of ['package.json', 'bin', 'dist']) await cp(part, join(app, part), { recursive: true });
const launch = await imageLaunch();
console.log(`bench:rss: the image's files in ${app} (no node_modules), node ${launch.nodeFlags.join(' ')}, ${Object.entries(launch.env).map(([k, v]) => `${k}=${v}`).join(' ')}; Node ${process.version}; idle ${IDLE_MS / 1000} s, ${RUNS} runs`);
const runs: { bot: number; worker: number }[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const r = await oneRun(app, launch);
    runs.push(r);
    console.log(`  run ${i + 1}: bot ${r.bot.toFixed(1)} MB, worker ${r.worker.toFixed(1)} MB`);
  }
} finally {
  await rm(app, { recursive: true, force: true });
}
for (const role of ['bot', 'worker'] as const) {
  const m = median(runs.map((r) => r[role]));
  console.log(`${role.padEnd(6)} RSS median ${m.toFixed(1)} MB (target <= ${TARGET_MB[role]} MB): ${m <= TARGET_MB[role] ? 'met' : 'NOT met'}`);
}
