import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_JOB_KEY } from './stack.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/worker-process.ts', import.meta.url));

export interface WorkerChild {
  proc: ChildProcess;
  workerId: string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
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
