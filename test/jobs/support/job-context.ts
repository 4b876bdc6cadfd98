import type { Redis } from 'ioredis';
import pino from 'pino';
import type { JobContext, JobEvent } from '../../../jobs/job-context.js';
import type { JobProgress } from '../../../src/core/job.js';
import { systemClock } from '../../../src/core/clock.js';
import { createKubeClients, loadKubeConfig, type KubeClients } from '../../../src/k8s/kube-clients.js';
import { BackupStore, type Backup } from '../../../src/queue/backup-store.js';
import { CheckpointStore } from '../../../src/queue/checkpoint-store.js';

export interface TestJobContext extends JobContext {
  progressLog: JobProgress[];
  events: JobEvent[];
  backups(): Promise<Backup[]>;
  /** Aborts the context's signal (a worker shutting down). */
  abort(reason?: unknown): void;
}

export interface TestJobContextOptions {
  kubeconfigPath?: string;
  kube?: KubeClients;
  redis: Redis;
  /** Same id -> same checkpoints and backups: a resumed job. */
  jobId: string;
  /** Called with each progress report before it is recorded; throwing aborts the job as a dying worker would. */
  onProgress?: (p: JobProgress) => void;
  /** The job's logger (a capturing one, to search what it logged). @defaultValue a silent pino */
  log?: pino.Logger;
}

/**
 * A real JobContext for job tests: kube clients against the sandbox, checkpoints and backups in a
 * real Redis (the queue's own stores), progress and events recorded in arrays, Date as the clock.
 */
export function makeJobContext(options: TestJobContextOptions): TestJobContext {
  const controller = new AbortController();
  const kube = options.kube ?? createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath: options.kubeconfigPath }));
  const backups = new BackupStore(options.redis, (id) => `test:backups:${id}`);
  const progressLog: JobProgress[] = [];
  const events: JobEvent[] = [];
  const ctx: TestJobContext = {
    cluster: 'sandbox',
    kube,
    signal: controller.signal,
    clock: systemClock,
    log: options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    async progress(p) {
      const full: JobProgress = { ...p, blocked: p.blocked ?? [], elapsedMs: p.elapsedMs ?? 0 };
      options.onProgress?.(full);
      progressLog.push(full);
    },
    async event(e) {
      // Every call is kept, so a test can see a duplicate the timeline would have folded.
      events.push(e);
    },
    checkpoints: new CheckpointStore(options.redis, `test:checkpoints:${options.jobId}`),
    // No queue runs these jobs, so there is no lock to lose: the job always holds itself.
    async assertOwned() {},
    async backup(name, objects) {
      await backups.save(options.jobId, { name, savedAt: Date.now(), objects });
    },
    progressLog,
    events,
    backups: () => backups.list(options.jobId),
    abort: (reason?: unknown) => controller.abort(reason ?? new Error('worker stopped')),
  };
  return ctx;
}
