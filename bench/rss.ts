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
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalWorkspace, startSlackApiServer } from '../src/console/index.js';
import { freePort, startRedisServer } from '../src/demo/redis-server.js';
import { startSandbox } from '../src/sandbox/index.js';
import { buildDist, imageLaunch, rssMb, spawnImage, untilReady, type ImageLaunch } from './image.js';
import { median } from './support.js';

const RUNS = Number(process.env.RUNS ?? 3);
const IDLE_MS = Number(process.env.IDLE_MS ?? 5000);
const TARGET_MB = { bot: 100, worker: 120 } as const;

async function oneRun(app: string, launch: ImageLaunch): Promise<{ bot: number; worker: number }> {
  const [redis, sandbox, slack] = await Promise.all([startRedisServer(), startSandbox({ scenario: 'maintenance' }), startSlackApiServer()]);
  const [botPort, opsPort] = [await freePort(), await freePort()];
  const env = { REDIS_URL: redis.url, LOG_LEVEL: 'warn', SITREP_PREFIX: 'bench', SITREP_JOB_KEY: 'bench-job-key-0123456789abcdef0123456789abcdef' };
  const start = (args: string[], extra: Record<string, string>) => spawnImage(launch, args, { ...env, ...extra }, { cwd: app });
  const bot = start(['bot'], { SLACK_SIGNING_SECRET: 'bench-signing-secret', SLACK_BOT_TOKEN: LocalWorkspace.botToken, SLACK_API_URL: slack.url, PORT: String(botPort), SITREP_DEFAULT_CLUSTER: 'sandbox' });
  const worker = start(['worker', '--cluster', 'sandbox'], { KUBECONFIG: sandbox.kubeconfigPath, SITREP_OPS_PORT: String(opsPort) });
  try {
    await Promise.all([untilReady(`http://127.0.0.1:${botPort}/readyz`, bot, 'bot'), untilReady(`http://127.0.0.1:${opsPort}/readyz`, worker, 'worker')]);
    const samples = { bot: [] as number[], worker: [] as number[] };
    const end = Date.now() + IDLE_MS;
    while (Date.now() < end) {
      samples.bot.push(rssMb(bot.pid));
      samples.worker.push(rssMb(worker.pid));
      await new Promise((r) => setTimeout(r, 250));
    }
    return { bot: median(samples.bot), worker: median(samples.worker) };
  } finally {
    await Promise.all([bot.stop(), worker.stop()]);
    await Promise.all([redis.stop(), sandbox.close(), slack.close()]);
  }
}

await buildDist();
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
