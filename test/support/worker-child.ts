import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_JOB_KEY, type Stack } from './stack.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/worker-process.ts', import.meta.url));

export interface WorkerChild {
  proc: ChildProcess;
  workerId: string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** How long the bot of a stack for worker children waits on a silent heartbeat, ms: short for tests, in the ratios of the defaults (2 s beats, lost after 10 s, 10 s lock). */
export const CHILD_LOST_AFTER_MS = 1500;

/** The environment of a worker child on `stack`: its Redis, prefix and kubeconfig, with lock, stalled check and beats short in the ratios of the defaults. */
export function childWorkerEnv(stack: Stack): Record<string, string> {
  return { KUBECONFIG: stack.workerKubeconfigPath, REDIS_URL: stack.redisUrl, SITREP_PREFIX: stack.prefix, LOCK_MS: '3000', STALLED_MS: '1000', JOB_HEARTBEAT_MS: '300' };
}

/** Starts a worker in a separate Node process and waits until it serves its queue. */
export async function startWorkerChild(env: Record<string, string>): Promise<WorkerChild> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { env: { ...process.env, SITREP_JOB_KEY: TEST_JOB_KEY, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  const workerId = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`worker child did not start in 30s: ${stderr}`)), 30_000);
    proc.stdout!.on('data', (d) => {
      out += String(d);
      const m = /ready (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((code) => reject(new Error(`worker child exited early (${code}): ${stderr}`)));
  });
  return { proc, workerId, exited };
}
