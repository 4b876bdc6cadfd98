import { spawn, type ChildProcess } from 'node:child_process';
import { eventually } from './support/eventually.js';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `sitrep demo` as a new user runs it (`npm start` = `node bin/sitrep.js demo`): a real child
 * process from the repository as it is, its own throwaway redis-server, a URL to open, and a
 * clean exit on Ctrl-C that leaves no process and no port behind.
 */

const ROOT = join(import.meta.dirname, '..');
let child: ChildProcess | undefined;

afterAll(() => {
  // Only if an assertion failed before the demo was stopped.
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}


describe('sitrep demo, as a child process', () => {
  it('prints the console URL, serves the console, and on SIGINT exits 0 leaving no redis-server and no open port', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
    delete env.REDIS_URL;
    let stdout = '';
    let stderr = '';
    child = spawn(process.execPath, ['bin/sitrep.js', 'demo', '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const output = () => `--- stdout\n${stdout}\n--- stderr\n${stderr}`;
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child!.once('exit', (code, signal) => resolve({ code, signal })));

    await eventually(() => (stdout.includes('Ctrl-C stops everything') ? true : child!.exitCode !== null ? Promise.reject(new Error(`demo exited early\n${output()}`)) : undefined), { what: 'the banner', timeoutMs: 45_000, intervalMs: 50, throwErrors: true, describe: () => `Output so far:\n${(output)()}` });
    const consoleUrl = /Open (http:\/\/localhost:(\d+)) in your browser/.exec(stdout);
    const redis = /redis-server on 127\.0\.0\.1:(\d+) \(pid (\d+)\)/.exec(stdout);
    const bot = /Bot\s+http:\/\/127\.0\.0\.1:(\d+)\/slack\/events/.exec(stdout);
    const sandbox = /sandbox at https?:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
    expect(consoleUrl, output()).not.toBeNull();
    expect(redis, output()).not.toBeNull();
    expect(bot, output()).not.toBeNull();
    expect(sandbox, output()).not.toBeNull();
    const consolePort = Number(consoleUrl![2]);
    expect(consolePort).toBeGreaterThan(0);
    expect(stdout).toContain('/k8s drain node02');
    expect(stdout).toContain('/k8s runbook node-maintenance node=node02');
    expect(stdout).toMatch(/kubectl --kubeconfig \S+ create --raw \/debug\/sandbox\/nodes\/node02\/reboot -f \/dev\/null/);
    expect(stdout).toMatch(new RegExp(`Node\\s+${process.version.replace(/\./g, '\\.')} `));
    const redisPid = Number(redis![2]);
    expect(alive(redisPid)).toBe(true);

    // The page, the cluster panel's data, and a signed command the bot accepts end to end.
    const page = await fetch(consoleUrl![1]);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('sitrep');
    const cluster = (await (await fetch(`${consoleUrl![1]}/api/cluster`)).json()) as { nodes: { name: string; status: string }[] };
    expect(cluster.nodes.map((n) => n.name)).toContain('node02');
    const command = await fetch(`${consoleUrl![1]}/api/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'U0ALICE001', channel: 'C0OPS00001', text: '/k8s get nodes' }),
    });
    expect(await command.json()).toMatchObject({ ok: true, status: 200 });

    // Expected failures (a typo, a refusal, no open incident, a pod that does not exist) are the
    // user's to fix and are told to them in the console; the terminal gets no stack trace.
    const send = (user: string, text: string) =>
      fetch(`${consoleUrl![1]}/api/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, channel: 'C0OPS00001', text }) }).then((r) => r.json());
    for (const [user, text] of [['U0ALICE001', '/k8s drian node02'], ['U0CAROL001', '/k8s drain node02'], ['U0ALICE001', '/incident note rebooted node02'], ['U0ALICE001', '/k8s describe pod no-such-pod']]) {
      expect(await send(user!, text!)).toMatchObject({ ok: true, status: 200 });
    }
    // The missing pod is a failed job, a warning in the terminal: one line, its code and message.
    const failed = await eventually(() => stderr.split('\n').find((l) => l.includes('"job failed"')), { what: 'the failed describe logged', timeoutMs: 20_000, describe: output });
    expect(JSON.parse(failed)).toMatchObject({ level: 40, err: { code: 'sitrep_not_found' } });
    expect(stderr).not.toContain('"stack"');
    expect(stderr).not.toMatch(/^\s+at /m);

    const ports = [consolePort, Number(redis![1]), Number(bot![1]), Number(sandbox![1])];
    for (const port of ports) expect(await portOpen(port)).toBe(true);

    const stoppedAt = Date.now();
    child.kill('SIGINT');
    const result = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`demo still running 10 s after SIGINT\n${output()}`)), 10_000))]);
    expect(result, output()).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(stdout).toContain('Stopped.');
    expect(alive(redisPid)).toBe(false);
    for (const port of ports) expect(await portOpen(port), `port ${port} still open`).toBe(false);
  });

  it('refuses clearly, before starting anything, when the port is taken or redis-server is missing', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    const run = (args: string[], env: NodeJS.ProcessEnv) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(process.execPath, ['bin/sitrep.js', 'demo', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        p.stdout!.on('data', (b: Buffer) => (out += b.toString()));
        p.stderr!.on('data', (b: Buffer) => (out += b.toString()));
        p.once('exit', (code) => resolve({ code, out }));
      });
    const base: NodeJS.ProcessEnv = { ...process.env };
    delete base.REDIS_URL;
    try {
      const [busy, noRedis] = await Promise.all([
        run(['--port', String(taken)], base),
        // No PATH: node is started by its absolute path, and redis-server cannot be found.
        run(['--port', '0'], { ...base, PATH: '' }),
      ]);
      expect(busy.code, busy.out).toBe(1);
      expect(busy.out).toContain(`Port ${taken} is in use`);
      expect(busy.out).toContain('--port');
      expect(noRedis.code, noRedis.out).toBe(1);
      expect(noRedis.out).toContain('redis-server is not installed');
      expect(noRedis.out).toContain('apt-get install redis-server');
      expect(noRedis.out).toContain('brew install redis');
      expect(noRedis.out).toContain('REDIS_URL');
    } finally {
      blocker.close();
    }
  });
});
