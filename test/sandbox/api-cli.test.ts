import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSandboxCli } from '../../src/sandbox/cli.js';
import { rawRequest } from '../../src/sandbox/http-client.js';
import { waitFor } from './api-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'sitrep-sandbox-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('sitrep sandbox CLI', () => {
  it('refuses an unknown flag with one line naming the right form and the scenarios (exit 2)', async () => {
    const c = capture();
    expect(await runSandboxCli(['--prot', '6443'], c.io)).toBe(2);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toContain('unknown flag "--prot"');
    expect(c.err[0]).toContain('sitrep sandbox [--port N] [--scenario NAME]');
    expect(c.err[0]).toContain('maintenance');
    expect(c.out).toEqual([]);
  });

  it('refuses an unknown scenario and a bad port (exit 2)', async () => {
    const c = capture();
    expect(await runSandboxCli(['--scenario', 'nope'], c.io)).toBe(2);
    expect(c.err[0]).toMatch(/unknown scenario "nope".*Scenarios: .*maintenance.*large/);
    expect(await runSandboxCli(['--port', 'abc'], c.io)).toBe(2);
    expect(c.err[1]).toContain('--port must be a number');
  });

  it('serves, prints URL, port and kubeconfig, and stops cleanly when told to', async () => {
    const c = capture();
    const kubeconfig = join(dir, 'sandbox.kubeconfig');
    const ctl = new AbortController();
    const done = runSandboxCli(['--scenario', 'empty', '--kubeconfig', kubeconfig, '--time-scale', '0.02', '--param', 'x=1'], { ...c.io, signal: ctl.signal });
    const url = await waitFor('URL printed', () => c.out.join('\n').match(/serving on (https:\/\/127\.0\.0\.1:\d+)/)?.[1]);
    expect(c.out.join('\n')).toContain(`kubeconfig: ${kubeconfig}`);
    expect(c.out.join('\n')).toMatch(/port: \d+/);
    expect(readFileSync(kubeconfig, 'utf8')).toContain(`server: ${url}`);
    // Anyone may ask /readyz (system:public-info-viewer); the CA is the kubeconfig's.
    const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))![1], 'base64').toString();
    expect((await rawRequest(url, ca, 'GET', '/readyz')).text).toBe('ok');
    ctl.abort();
    expect(await done).toBe(0);
    await expect(rawRequest(url, ca, 'GET', '/readyz')).rejects.toThrow();
  });

  it('exits 0 on SIGTERM as a process', async () => {
    const script = "import { runSandboxCli } from './src/sandbox/cli.ts'; process.exitCode = await runSandboxCli(process.argv.slice(1));";
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', '--scenario', 'empty', '--kubeconfig', join(dir, 'proc.kubeconfig')], {
      cwd: resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await waitFor('sandbox serving', () => stdout.includes('Ctrl-C stops it.'), 30_000);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('sitrep sandbox: stopped.');
    expect(existsSync(join(dir, 'proc.kubeconfig'))).toBe(true);
  });
});
