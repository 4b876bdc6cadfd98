/**
 * Notices a long job that stopped moving. Every `intervalMs` it reads the job's `progress` (any
 * string that changes whenever the job moves on: counts of pods by state, say); once it has not
 * changed for `intervalMs`, it calls `onStall` with how long, and again after each further
 * `intervalMs` of no change. The caller says there what the job waits on: the worker's log is where
 * an operator looks when a card stops moving, and "no progress for 30 s: 28 pods waiting on Redis"
 * separates a stuck dependency from a PodDisruptionBudget doing its job.
 * @returns stops the watch
 */
export function watchStall(options: { intervalMs: number; progress: () => string; onStall: (forMs: number) => void; now?: () => number }): () => void {
  const now = options.now ?? Date.now;
  let last = options.progress();
  let since = now();
  let told = since;
  const timer = setInterval(() => {
    const current = options.progress();
    const at = now();
    if (current !== last) {
      last = current;
      since = told = at;
      return;
    }
    if (at - told >= options.intervalMs) {
      told = at;
      options.onStall(at - since);
    }
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
