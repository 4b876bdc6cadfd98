/** What every chaos fault is to the runner (chaos/run.ts): a name, what a passed trial checks, and one trial. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startWorld, type World, type WorldOptions } from './world.js';

/** One trial's surroundings, handed in by the runner. */
export interface TrialContext {
  /** 0-based number of this trial within its fault. */
  index: number;
  /** How many trials of this fault the run holds. */
  of: number;
  /** Aborted when the trial overran its timeout (the runner then stops its world). */
  signal: AbortSignal;
  /** A fresh world for this trial; the runner stops it after the trial, however it ended. */
  world(o?: WorldOptions): Promise<World>;
}

export interface Fault {
  /** What CHAOS_ONLY names, e.g. `worker-kill`. */
  name: string;
  /** The table's first column, e.g. `worker SIGKILL mid-drain`. */
  title: string;
  /** What a passed trial checks, as the table prints it. */
  checks: string;
  /** Trials in a default run (issue 15's counts). */
  trials: number;
  /** A trial that runs longer than this failed ("overran"). */
  timeoutMs: number;
  /** One trial: resolves when every check passed; throws an Error whose message says what was wrong. */
  trial(t: TrialContext): Promise<void>;
}

/** A trial context whose worlds are stopped by `cleanup()`, for the runner; `keepLogs(dir)` first saves what their processes printed. */
export function trialContext(index: number, of: number, signal: AbortSignal): TrialContext & { cleanup(): Promise<void>; keepLogs(dir: string): Promise<void> } {
  const worlds: Promise<World>[] = [];
  return {
    index,
    of,
    signal,
    world(o) {
      const w = startWorld(o);
      worlds.push(w);
      return w;
    },
    async keepLogs(dir) {
      await mkdir(dir, { recursive: true });
      for (const [i, w] of (await Promise.allSettled(worlds)).entries()) {
        if (w.status !== 'fulfilled') continue;
        for (const r of [...w.value.stack.bots, ...w.value.stack.workers]) await writeFile(join(dir, `${i}-${r.name.replace(/[^a-z0-9]+/gi, '-')}.log`), r.proc.output());
      }
    },
    async cleanup() {
      await Promise.all(worlds.map((w) => w.then((x) => x.stop(), () => {})));
    },
  };
}

/** Throws when any problem was found: the trial's one failure message. */
export function assertNone(problems: string[]): void {
  if (problems.length) throw new Error(problems.join('; '));
}
