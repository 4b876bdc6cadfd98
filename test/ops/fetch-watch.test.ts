import { describe, expect, it } from 'vitest';
import { FetchWatch, type FetchStuck } from '../../src/queue/fetch-watch.js';

/**
 * The fetch watch's verdicts, one look at a time on a clock the test moves: stuck only when jobs
 * waited the whole stretch with a free slot and no start; never on a Redis that does not answer.
 */
function world() {
  const w = { now: 0, answerMs: 0, waiting: 0 as number | Error, free: true, started: 0, stuck: [] as FetchStuck[], recovered: 0 };
  const watch = new FetchWatch({
    waiting: async () => {
      w.now += w.answerMs;
      if (w.waiting instanceof Error) throw w.waiting;
      return w.waiting;
    },
    freeSlot: () => w.free,
    started: () => w.started,
    onStuck: (s) => w.stuck.push(s),
    onRecovered: () => (w.recovered += 1),
    stuckAfterMs: 60_000,
    intervalMs: 10_000,
    now: () => w.now,
  });
  const at = async (ms: number) => {
    w.now = ms;
    await watch.look();
  };
  return { w, watch, at };
}

describe('FetchWatch', () => {
  it('a job waiting a minute with a free slot and nothing started is stuck, once; a start ends it', async () => {
    const { w, watch, at } = world();
    w.waiting = 2;
    await at(0);
    await at(59_000);
    expect(watch.stuck).toBeUndefined();
    await at(60_000);
    await at(70_000);
    expect(w.stuck).toEqual([{ waiting: 2, sinceMs: 0 }]);
    expect(watch.stuck).toEqual({ waiting: 2, sinceMs: 0 });
    w.started += 1;
    await at(71_000);
    expect(watch.stuck).toBeUndefined();
    expect(w.recovered).toBe(1);
  });

  it('jobs that wait while every slot is busy, or a queue that empties, are never stuck', async () => {
    const { w, watch, at } = world();
    w.waiting = 5;
    w.free = false;
    for (let t = 0; t <= 120_000; t += 10_000) await at(t);
    expect(watch.stuck).toBeUndefined();
    w.free = true;
    await at(130_000);
    w.waiting = 0;
    await at(180_000);
    w.waiting = 1;
    await at(200_000);
    await at(250_000);
    expect(w.stuck).toEqual([]);
  });

  it('a Redis that does not answer is no evidence: the stretch starts again after it', async () => {
    const { w, watch, at } = world();
    w.waiting = 1;
    await at(0);
    w.waiting = new Error('Connection is closed.');
    await at(50_000);
    w.waiting = 1;
    await at(55_000);
    await at(100_000);
    expect(watch.stuck).toBeUndefined();
    await at(115_000);
    expect(w.stuck).toEqual([{ waiting: 1, sinceMs: 55_000 }]);
  });

  it('an answer slower than 2 s (Redis hung, then resumed) is no evidence either', async () => {
    const { w, watch, at } = world();
    w.waiting = 1;
    await at(0);
    w.answerMs = 70_000;
    await at(10_000);
    w.answerMs = 0;
    await at(90_000);
    expect(watch.stuck).toBeUndefined();
    await at(150_000);
    expect(w.stuck).toEqual([{ waiting: 1, sinceMs: 90_000 }]);
  });
});
