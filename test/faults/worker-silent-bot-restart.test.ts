import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueKeys } from '../../src/queue/keys.js';
import { waitForUpdate } from '../support/cards.js';
import { eventually } from '../support/eventually.js';
import { heldDrain } from '../support/held-drain.js';
import { startStack, type Stack } from '../support/stack.js';
import { CHILD_LOST_AFTER_MS, childWorkerEnv, startWorkerChild, type WorkerChild } from '../support/worker-child.js';

/**
 * test/faults/worker-silent.test.ts with the bot restarted while the card says the worker was
 * lost, and the worker back before the new bot runs: the new bot never sees that worker's beat
 * lapse, yet the card must still drop the lost line (the mark lives in Redis, not in the bot).
 */

let stack: Stack;
let worker: WorkerChild | undefined;
let redis: Redis | undefined;

beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance', worker: false, jobLostAfterMs: CHILD_LOST_AFTER_MS });
});
afterAll(async () => {
  worker?.proc.kill('SIGCONT');
  worker?.proc.kill('SIGKILL');
  redis?.disconnect();
  await stack?.stop();
});

describe('a silent worker back while the bot restarts', () => {
  it('the new bot drops the card\'s "worker lost" line', async () => {
    worker = await startWorkerChild({ ...childWorkerEnv(stack), LOCK_MS: '20000', STALLED_MS: '10000' });
    const { card } = await heldDrain(stack);

    worker.proc.kill('SIGSTOP');
    await waitForUpdate(stack, card.ts, /Worker lost, resuming on another/, 30_000);
    redis = new Redis(stack.redisUrl);
    const beats = new QueueKeys(stack.prefix).jobBeats;
    await stack.restartBot({
      whileDown: async () => {
        const [s, us] = await redis!.time();
        const woke = Number(s) * 1000 + Math.floor(Number(us) / 1000);
        worker!.proc.kill('SIGCONT');
        await eventually(async () => Number((await redis!.zrange(beats, -1, -1, 'WITHSCORES'))[1] ?? 0) > woke, { what: 'the worker beating again', timeoutMs: 10_000 });
      },
    });
    const back = await waitForUpdate(stack, card.ts, /^(?![\s\S]*Worker lost)[\s\S]*:raised_hand:/, 20_000);
    expect(back.text).toMatch(/^Running: /);
  });
});
