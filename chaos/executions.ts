/**
 * Which worker process runs an execution, from the `started` events workers write on the job
 * event stream (queue/job-events.ts): the suite reads it to know whom to kill, never to judge a
 * trial (that is the card's and the sandbox's word).
 */
import { JobEventEnvelopeSchema } from '../src/queue/job-events.js';
import { QueueKeys } from '../src/queue/keys.js';
import type { Role } from '../bench/process-stack.js';
import type { World } from './world.js';

/** The workers that started the execution of `requestId`, and when (ms since the epoch), oldest first. */
export async function executionStarts(w: World, requestId: string): Promise<{ workerId: string; at: number }[]> {
  const entries = await w.stack.client.xrange(new QueueKeys(w.stack.prefix).events, '-', '+');
  const ids: { workerId: string; at: number }[] = [];
  for (const [, fields] of entries) {
    const e = JobEventEnvelopeSchema.safeParse(JSON.parse(fields[1]!));
    if (e.success && e.data.requestId === requestId && e.data.jobKind === 'execute' && e.data.body.type === 'started') ids.push({ workerId: e.data.body.workerId, at: e.data.at });
  }
  return ids;
}

/** The worker process behind a workerId (`host-PID-xxxxxx`, queue/job-runner.ts). */
export function workerProcess(w: World, workerId: string): Role | undefined {
  // The last 7 characters are `-` and 6 random ones, which may hold `-` too.
  const pid = Number(/-(\d+)$/.exec(workerId.slice(0, -7))?.[1]);
  return w.stack.workers.find((r) => r.proc.pid === pid);
}
