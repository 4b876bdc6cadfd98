import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSlackApiServer } from '../src/console/index.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';
import { startTestRedis } from './support/redis-server.js';
import { ROOT, spawnSitrep } from './ops/support/processes.js';

/**
 * The README's tables of the `sitrep` command, row by row, against `node bin/sitrep.js` as a child
 * process (on the Node that runs vitest): each subcommand's help and flags, its refusal of an
 * unknown flag, and each exit code with the example the table gives.
 */

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The rows of the Markdown table between `<!-- NAME:start -->` and `<!-- NAME:end -->`, as cells. */
function table(name: string): string[][] {
  const m = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)<!-- ${name}:end -->`).exec(readme);
  if (!m) throw new Error(`README.md has no ${name} table`);
  return m[1]!
    .trim()
    .split('\n')
    .slice(2)
    .map((row) => row.replace(/^\||\|$/g, '').split('|').map((c) => c.trim()));
}

const code = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
const commands = table('cli').map(([cmd, flags, what]) => ({ sub: code(cmd!)[0]!.replace(/^sitrep /, ''), flags: [...flags!.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]), what: what! }));
const exitCodes = table('exit-codes').map(([exit, meaning, example]) => ({ exit: Number(exit), meaning: meaning!, example: code(example!)[0]! }));

/**
 * Nothing a child could start may reach a real service: Redis is a closed port, Slack and
 * Kubernetes are not configured, so a subcommand that wrongly started would fail, not serve.
 */
let closedPort: number;
const tmp = mkdtempSync(join(tmpdir(), 'sitrep-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  closedPort ??= await freePort();
  const child = spawnSitrep(args, { REDIS_URL: `redis://127.0.0.1:${closedPort}`, ...env });
  let stdout = '';
  let stderr = '';
  child.proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => void child.stop('SIGKILL'), timeoutMs);
  const { code } = await child.exited;
  clearTimeout(timer);
  return { code, stdout, stderr };
}

const STACK_FRAME = /^\s+at /m;

describe('the sitrep command, as README.md tabulates it', () => {
  it('the tables are there and name every subcommand `sitrep --help` lists', async () => {
    expect(commands.map((c) => c.sub)).toEqual(['demo', 'bot', 'worker', 'all', 'sandbox', 'config', 'migrate-keys', 'version']);
    expect(exitCodes.map((e) => e.exit)).toEqual([0, 1, 2]);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    const listed = [...help.stdout.matchAll(/^\s+sitrep ([\w-]+)/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(commands.map((c) => c.sub).sort());
    expect(help.stdout).toContain('Exit codes: 0 ok, 1 runtime or configuration failure, 2 usage error.');
  });

  for (const { sub, flags } of commands) {
    it(`sitrep ${sub} --help prints its help naming ${flags.length ? flags.join(', ') : 'no flags'}, exits 0 and starts nothing; an unknown flag exits 2`, async () => {
      const [help, short, viaHelp, unknown] = await Promise.all([run([sub, '--help']), run([sub, '-h']), run(['help', sub]), run([sub, '--no-such-flag'])]);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`Usage: sitrep ${sub}\\b`));
      for (const flag of flags) expect(help.stdout, `${sub} --help names ${flag}`).toContain(flag);
      // Nothing started: no log line, no error.
      expect(help.stderr).toBe('');
      expect(short).toEqual(help);
      expect(viaHelp).toEqual(help);
      expect(unknown.code, unknown.stdout + unknown.stderr).toBe(2);
      expect(unknown.stderr).toMatch(new RegExp(`^sitrep ${sub}: .*--no-such-flag`));
      expect(unknown.stderr).toMatch(new RegExp(`Usage: sitrep ${sub}\\b`));
      expect(unknown.stdout).toBe('');
    });
  }

  it('sitrep --help, each subcommand\'s own help and the README\'s row name the same flags, and the README names every scenario', async () => {
    const flagsIn = (text: string) => [...new Set([...text.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]))].sort();
    const top = (await run(['--help'])).stdout;
    for (const { sub, flags } of commands) {
      // The subcommand's entry in `sitrep --help`: its line and any indented lines under it.
      const entry = new RegExp(`^  sitrep ${sub}\\b.*(?:\\n {4,}.*)*`, 'm').exec(top)?.[0] ?? '';
      const own = (await run([sub, '--help'])).stdout;
      const usage = new RegExp(`^Usage: sitrep ${sub}\\b.*`, 'm').exec(own)?.[0] ?? '';
      const expected = flagsIn(usage).filter((f) => f !== '--version' && f !== '--help');
      expect(flagsIn(entry).filter((f) => f !== '--version' && f !== '--help'), `sitrep --help on ${sub}`).toEqual(expected);
      expect([...new Set(flags)].sort(), `README.md's row of sitrep ${sub}`).toEqual(expected);
    }
    const scenarios = /^Scenarios: (.*)$/m.exec((await run(['sandbox', '--help'])).stdout)![1]!.split(', ');
    expect(scenarios).toContain('maintenance');
    const sandboxRow = table('cli').find(([cmd]) => cmd === '`sitrep sandbox`')!;
    for (const name of scenarios) expect(sandboxRow[1], `README.md's sandbox row names scenario ${name}`).toContain(name);
    const demoHelp = (await run(['demo', '--help'])).stdout;
    for (const name of scenarios) expect(demoHelp, `sitrep demo --help names scenario ${name}`).toContain(name);
  });

  it('sitrep version and sitrep --version print version, commit and Node', async () => {
    const [long, flag] = await Promise.all([run(['version']), run(['--version'])]);
    expect(long).toEqual(flag);
    expect(long.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const m = /^sitrep (\S+) \(commit (\S+)\) on Node (\S+)\n$/.exec(long.stdout);
    expect(m, long.stdout).not.toBeNull();
    expect(m![1]).toBe(pkg.version);
    expect(m![3]).toBe(process.version);
    let head: string | undefined;
    try {
      head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      head = undefined; // no git here: sitrep says `unknown`
    }
    expect(m![2]).toBe(head ?? 'unknown');
  });

  for (const { exit, example } of exitCodes) {
    it(`exit ${exit}: \`${example}\``, async () => {
      const args = example.split(/\s+/).slice(1);
      const r = await run(args);
      expect(r.code, r.stdout + r.stderr).toBe(exit);
      expect(r.stderr + r.stdout).not.toMatch(STACK_FRAME);
      if (exit === 1) {
        // One message naming what to set, then nothing else.
        expect(r.stderr).toMatch(/^sitrep bot: Configuration is invalid:\n {2}SLACK_SIGNING_SECRET: .*\n {2}SLACK_BOT_TOKEN: .*\nSet these environment variables .*\n$/);
        expect(r.stdout).toBe('');
      }
      if (exit === 2) {
        expect(r.stderr).toMatch(/^sitrep worker: Unknown option '--clutser'\n\nUsage: sitrep worker/);
        expect(r.stdout).toBe('');
      }
    });
  }

  it('exit 1 at run time: Redis not answering at start, or a bot token Slack rejects, is one message, not a hang or a stack trace', async () => {
    const kubeconfig = join(tmp, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n');
    const [redis, slack] = await Promise.all([startTestRedis(), startSlackApiServer()]);
    try {
      const [noRedis, badToken] = await Promise.all([
        run(['worker', '--cluster', 'prod'], { KUBECONFIG: kubeconfig, SITREP_OPS_PORT: '0' }),
        run(['bot'], { REDIS_URL: redis.url, SLACK_SIGNING_SECRET: 'x', SLACK_BOT_TOKEN: 'xoxb-revoked', SLACK_API_URL: slack.url, PORT: '0' }),
      ]);
      expect(noRedis.code, noRedis.stderr).toBe(1);
      expect(noRedis.stderr).toBe(`sitrep worker: Redis at 127.0.0.1:${closedPort} did not answer within 10s.\nCheck REDIS_URL and that Redis runs and is reachable from here (NetworkPolicy egress to 6379, password).\n`);
      expect(badToken.code, badToken.stderr).toBe(1);
      expect(badToken.stderr).toMatch(/^sitrep bot: SLACK_BOT_TOKEN was rejected by Slack \(invalid_auth\): /);
      for (const r of [noRedis, badToken]) expect(r.stderr + r.stdout).not.toMatch(STACK_FRAME);
    } finally {
      await Promise.all([redis.stop(), slack.close()]);
    }
  }, 60_000);

  it('exit 1 at start: a worker with no kubeconfig and no in-cluster account, and `sitrep all` with a malformed policy, each say so once', async () => {
    const redis = await startTestRedis();
    const home = mkdtempSync(join(tmpdir(), 'sitrep-home-'));
    const kubeconfig = join(home, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n');
    const policy = join(home, 'policy.yaml');
    writeFileSync(policy, 'rules: [\n');
    try {
      const [noKube, badPolicy] = await Promise.all([
        // HOME without ~/.kube/config, no KUBECONFIG, not in a pod: client-node would invent localhost:8080.
        run(['worker', '--cluster', 'prod'], { REDIS_URL: redis.url, HOME: home, SITREP_OPS_PORT: '0' }),
        run(['all', '--cluster', 'c'], { REDIS_URL: redis.url, HOME: home, KUBECONFIG: kubeconfig, SITREP_POLICY: policy, SLACK_SIGNING_SECRET: 'x', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_API_URL: 'http://127.0.0.1:9/api/', PORT: '0', SITREP_OPS_PORT: '0' }),
      ]);
      expect(noKube.code, noKube.stderr).toBe(1);
      expect(noKube.stderr).toMatch(/^sitrep worker: no kubeconfig found: set KUBECONFIG or run in a cluster\n/);
      expect(badPolicy.code, badPolicy.stderr).toBe(1);
      expect(badPolicy.stderr).toMatch(/^sitrep all: Policy invalid:\n.*policy\.yaml:2:1: /);
      for (const r of [noKube, badPolicy]) expect(r.stderr + r.stdout).not.toMatch(STACK_FRAME);
    } finally {
      rmSync(home, { recursive: true, force: true });
      await redis.stop();
    }
  }, 60_000);

  it('a bot that cannot reach Slack at start keeps trying and stays ready (readiness is Redis only), logging why; SIGTERM stops it with 0', async () => {
    const redis = await startTestRedis();
    const port = await freePort();
    const slackPort = await freePort();
    const bot = spawnSitrep(['bot'], { REDIS_URL: redis.url, SLACK_SIGNING_SECRET: 'x', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`, PORT: String(port), LOG_LEVEL: 'info' });
    try {
      await eventually(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, { what: 'the bot ready without Slack', timeoutMs: 30_000, describe: () => bot.output() });
      await eventually(() => /Slack is not reachable yet; sitrep keeps trying/.test(bot.output()), { what: 'the retry logged' });
      expect(bot.proc.exitCode).toBeNull();
      expect((await bot.stop()).code).toBe(0);
      expect(bot.output()).not.toMatch(STACK_FRAME);
    } finally {
      bot.proc.kill('SIGKILL');
      await redis.stop();
    }
  }, 60_000);
});
