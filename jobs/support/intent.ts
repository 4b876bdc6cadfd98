import type { JobContext } from '../job-context.js';

/**
 * Records in the job's checkpoints what this attempt is about to do (a cordon, an eviction, a
 * delete), only while it still owns the job: checks its lock, writes the checkpoint, and checks
 * again. The second check is for a write that waited in the connection's offline queue while Redis
 * was down (ioredis queues commands until it reconnects) and landed in a Redis that came back
 * empty: the job is lost by then, and the request the checkpoint announces must not leave after
 * its card said nothing more will run (found by `npm run chaos`, redis-restart-empty: evictions
 * sent 30 ms after the card). Call it right before the request.
 * @throws JobLostError (from assertOwned) when the job is no longer this worker's
 */
export async function recordIntent(ctx: Pick<JobContext, 'assertOwned' | 'checkpoints'>, name: string, value: unknown): Promise<void> {
  await ctx.assertOwned();
  await ctx.checkpoints.set(name, value);
  await ctx.assertOwned();
}
