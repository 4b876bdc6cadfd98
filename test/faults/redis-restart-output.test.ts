import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startBotAndWorker, type BotAndWorker } from '../ops/support/bot-and-worker.js';
import { get } from '../ops/support/processes.js';

/**
 * What an operator's terminal shows while Redis restarts under a running bot and worker (issue 15:
 * "no stack trace reaches a user or an operator's terminal for an expected failure"): log lines
 * only, each one JSON. A BullMQ queue without an 'error' listener (the worker's queue-depth gauge)
 * printed the connection's error with console.error, a raw stack trace between the log lines
 * (found by npm run chaos, redis-restart-aof: "Error: write EPIPE\n    at afterWriteDispatched …").
 */
describe('Redis down for a moment, then back', () => {
  let p: BotAndWorker;
  beforeAll(async () => {
    p = await startBotAndWorker();
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('the bot and the worker print JSON log lines only, and are ready again', async () => {
    await p.redis.kill('SIGKILL');
    // Down long enough for both processes to notice and fail reconnects (ECONNREFUSED).
    await eventually(async () => (await get(`${p.opsUrl}/readyz`)).status !== 200 && (await get(`${p.botUrl}/readyz`)).status !== 200, { what: 'both not ready while Redis is down', timeoutMs: 30_000, describe: p.logs });
    await p.redis.restart();
    await eventually(async () => (await get(`${p.opsUrl}/readyz`)).status === 200 && (await get(`${p.botUrl}/readyz`)).status === 200, { what: 'both ready again', timeoutMs: 30_000, describe: p.logs });
    for (const [name, proc] of [['bot', p.bot], ['worker', p.worker]] as const) {
      const notJson = proc
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .filter((line) => {
          try {
            return typeof JSON.parse(line) !== 'object';
          } catch {
            return true;
          }
        });
      expect(notJson, `${name} printed lines that are not log lines`).toEqual([]);
    }
  });
});
