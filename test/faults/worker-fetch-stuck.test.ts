import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerProcess } from '../../src/worker/worker-process.js';
import { waitForMessage, waitForUpdate } from '../support/cards.js';
import { eventually } from '../support/eventually.js';
import { capturedLogger } from '../support/outputs.js';
import { ALICE, messageText, startStack, TEST_JOB_KEY, type Stack } from '../support/stack.js';

/**
 * A worker whose BullMQ fetch loop stopped while the rest of it looks healthy (it beats, Redis
 * answers PING, the API server answers): after a Redis Cluster failover one did, and every command
 * typed afterwards stayed at "Planning…" with nothing anywhere saying why (queue/fetch-watch.ts).
 * The loop is stopped here with BullMQ's own pause (which also cuts the blocking wait in flight),
 * the one way to stop it on purpose.
 */

const STUCK_AFTER_MS = 1500;
let stack: Stack;
let worker: Awaited<ReturnType<typeof startWorkerProcess>>;
const log = capturedLogger();

beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance', worker: false });
  worker = await startWorkerProcess({
    cluster: 'sandbox',
    kubeconfigPath: stack.workerKubeconfigPath,
    redisUrl: stack.redisUrl,
    prefix: stack.prefix,
    logger: log.logger,
    jobKeys: [TEST_JOB_KEY],
    opsPort: 0,
    clusterEvents: false,
    fetchWatch: { intervalMs: 250, stuckAfterMs: STUCK_AFTER_MS },
  });
  stack.workers.push(worker);
});
afterAll(async () => {
  await stack?.stop();
});

const healthz = async () => {
  const res = await fetch(`http://127.0.0.1:${worker.opsPort}/healthz`);
  return { status: res.status, text: await res.text() };
};
const cardOf = (command: string, text: RegExp) => waitForMessage(stack, (m) => messageText(m).includes(command) && text.test(messageText(m)), 30_000);

describe('a worker that stops taking jobs', () => {
  it('says so once, fails /healthz and leaves the live workers (new commands hear "No live worker"), and is live again once it takes the job that waited', async () => {
    expect((await healthz()).status).toBe(200);
    const bullWorker = (worker.runner as unknown as { worker: Worker }).worker;
    await bullWorker.pause();

    await stack.slash('scale deployment/cart --replicas 3 -n shop', { user: ALICE });
    const planning = await cardOf('scale deployment/cart', /Planning/);

    const notLive = await eventually(async () => {
      const h = await healthz();
      return h.status === 503 && h.text;
    }, { what: "/healthz to fail", timeoutMs: 15_000, describe: () => log.lines.slice(-5).join("") });
    expect(notLive).toMatch(/^not live: this worker has started none of the 1 job\(s\) waiting for cluster sandbox for \d+ s although it has a free slot: its BullMQ fetch loop is stuck/);
    const errors = log.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/fetch loop is stuck\. It no longer counts as a live worker .* Kubernetes restarts it\.$/);

    // The person who types next is told at once, not left at "Planning…".
    await stack.slash('get pods -n shop', { user: ALICE });
    const refused = messageText(await cardOf('get pods -n shop', /No live worker/));
    expect(refused).toContain('No live worker for cluster sandbox');

    // Taking jobs again (as after a restart): the job that waited runs, and the worker is live again.
    bullWorker.resume();
    await waitForUpdate(stack, planning.ts, /Approval needed/, 30_000);
    await eventually(async () => (await healthz()).status === 200, { what: '/healthz to pass again' });
    await stack.slash('get nodes', { user: ALICE });
    expect(messageText(await cardOf('get nodes', /Done/))).toContain('node02');
    expect(log.lines.filter((l) => /"level":50/.test(l))).toHaveLength(1);
  }, 90_000);
});
