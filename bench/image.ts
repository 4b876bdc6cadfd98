/**
 * sitrep's processes as the image runs them, for the benchmarks that measure real processes
 * (bench:rss, bench:approve, bench:load): `npm run build` (scripts/bundle.mjs) writes dist/, and
 * each process is `node <the Dockerfile's ENTRYPOINT flags> bin/sitrep.js ARGS` with the
 * Dockerfile's ENV and SITREP_FROM_DIST=1, so what is measured is the bundle production runs,
 * not tsx compiling the sources on the fly.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = join(import.meta.dirname, '..');

/** The node flags of the Dockerfile's ENTRYPOINT and the variables of its ENV lines. */
export interface ImageLaunch {
  nodeFlags: string[];
  env: Record<string, string>;
}

/** Reads deploy/Dockerfile's runtime stage: ENTRYPOINT's node flags and the ENV variables. */
export async function imageLaunch(): Promise<ImageLaunch> {
  const dockerfile = await readFile(join(ROOT, 'deploy', 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const entry = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(runtime);
  if (!entry) throw new Error('deploy/Dockerfile has no ENTRYPOINT in its runtime stage');
  const argv = JSON.parse(entry[1]!) as string[];
  const env: Record<string, string> = {};
  for (const m of runtime.matchAll(/^ENV\s+(.+)$/gm)) for (const pair of m[1]!.split(/\s+/)) if (pair.includes('=')) env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
  return { nodeFlags: argv.slice(1).filter((a) => a.startsWith('--')), env };
}

/** `npm run build`: dist/ from the current sources. */
export async function buildDist(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs')], { cwd: ROOT });
}

/** A process the bench started: its output so far, its exit, and a bounded stop. */
export interface Spawned {
  proc: ChildProcess;
  pid: number;
  /** The last 20,000 characters it printed (stdout and stderr), for failure messages. */
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `killAfterMs`; resolves once it has exited. */
  stop(killAfterMs?: number): Promise<void>;
}

/** Resident memory of a process in MB (VmRSS of /proc/PID/status); NaN once it is gone. */
export function rssMb(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

/** CPU time a process has used so far (user + system), in ms; NaN once it is gone. */
export function cpuMs(pid: number): number {
  try {
    // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks, counted after the `(comm)` field.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** USER_HZ: the unit of /proc/PID/stat's times; 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

/**
 * Starts `sitrep ARGS` from dist/ (`cwd`: an image folder; default the checkout) as the image's
 * ENTRYPOINT does, with only PATH, the image's ENV and `env` in its environment. `onLine` gets
 * each line it prints on stdout (its pino log).
 */
export function spawnImage(launch: ImageLaunch, args: string[], env: Record<string, string>, options: { cwd?: string; onLine?: (line: string) => void } = {}): Spawned {
  const cwd = options.cwd ?? ROOT;
  const proc = spawn(process.execPath, [...launch.nodeFlags, join(cwd, 'bin', 'sitrep.js'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...launch.env, SITREP_FROM_DIST: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  if (options.onLine) {
    let partial = '';
    proc.stdout!.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) options.onLine!(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    pid: proc.pid!,
    output: () => out,
    exited,
    async stop(killAfterMs = 10_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 2xx; fails when the process exits first or after `timeoutMs`. */
export async function untilReady(url: string, child: Spawned, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null) throw new Error(`${what} exited with ${child.proc.exitCode} before it was ready:\n${child.output()}`);
    if (await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready at ${url} after ${timeoutMs / 1000} s:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the process printed a line matching `re`; returns the match. */
export async function untilPrinted(child: Spawned, re: RegExp, what: string, timeoutMs = 60_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = re.exec(child.output());
    if (m) return m;
    if (child.proc.exitCode !== null) throw new Error(`${what} exited with ${child.proc.exitCode}:\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`${what} printed nothing like ${re} in ${timeoutMs / 1000} s:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
