import { TEST_JOB_KEY } from '../../support/stack.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

export interface Spawned {
  proc: ChildProcess;
  pid: number;
  /** Everything the process printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (once) and waits for the exit; SIGKILLs after `killAfterMs`. */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function track(proc: ChildProcess): Spawned {
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc,
    pid: proc.pid!,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM', killAfterMs = 15_000) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill(signal);
        const timer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
        const r = await exited;
        clearTimeout(timer);
        return r;
      }
      return exited;
    },
  };
}

/** The environment a child gets: the test's own, minus anything that would point sitrep elsewhere. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLACK_|SITREP_|REDIS_URL$|KUBECONFIG$|PORT$|LOG_LEVEL$)/.test(k)));
  return { ...base, LOG_LEVEL: 'warn', SITREP_JOB_KEY: TEST_JOB_KEY, ...env };
}

/**
 * `sitrep ARGS` as an operator runs it (bin/sitrep.js -> src/main.ts), from source so the test
 * never runs a stale dist/.
 */
export function spawnSitrep(args: string[], env: Record<string, string>): Spawned {
  return track(spawn(process.execPath, [join(ROOT, 'bin', 'sitrep.js'), ...args], { cwd: ROOT, env: childEnv({ ...env }), stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** A TypeScript script under node with tsx, as a separate process. */
export function spawnScript(script: string, env: Record<string, string>): Spawned {
  return track(spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** GET a URL: status and body text. */
export async function get(url: string): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

/** The value of one Prometheus series (`name{a="b",…}`, labels in any order), summed over extra labels; 0 when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
  }
  return sum;
}
