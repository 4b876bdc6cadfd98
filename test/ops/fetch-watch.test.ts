import { describe, expect, it } from 'vitest';
import { FetchWatch, type FetchStuck } from '../../src/queue/fetch-watch.js';

/**
 * The fetch watch's verdicts, one look at a time on a clock the test moves (looks every 10 s, as
 * in production): stuck only when jobs waited the whole stretch with a free slot and no start;
 * never on a Redis that does not answer or answers late, nor across a frozen process.
 */
interface World {
  now: number;
  answerMs: number;
  waiting: number | Error;
  free: boolean;
  started: number;
  stuck: FetchStuck[];
  recovered: number;
}

function world() {
  const w: World = { now: 0, answerMs: 0, waiting: 0, free: true, started: 0, stuck: [], recovered: 0 };
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
  /** Looks every 10 s from `from` through `to` (ms). */
  const looks = async (from: number, to = from) => {
    for (let t = from; t <= to; t += 10_000) {
      w.now = t;
      await watch.look();
    }
  };
  return { w, watch, looks };
}

describe('FetchWatch', () => {
  it('a job waiting a minute with a free slot and nothing started is stuck, once, until a start: the queue emptied by another worker, or slots filling, prove nothing', async () => {
    const { w, watch, looks } = world();
    w.waiting = 2;
    await looks(0, 50_000);
    expect(watch.stuck).toBeUndefined();
    await looks(60_000);
    expect(watch.stuck).toEqual({ waiting: 2, sinceMs: 0 });
    w.waiting = 0;
    await looks(70_000);
    w.waiting = 3;
    w.free = false;
    await looks(80_000, 90_000);
    expect(w.stuck).toEqual([{ waiting: 2, sinceMs: 0 }]);
    expect(watch.stuck).toEqual({ waiting: 2, sinceMs: 0 });
    expect(w.recovered).toBe(0);
    w.started += 1;
    await looks(100_000);
    expect(watch.stuck).toBeUndefined();
    expect(w.recovered).toBe(1);
  });

  it('jobs that wait while every slot is busy, or a queue that empties, are never stuck', async () => {
    const { w, watch, looks } = world();
    w.waiting = 5;
    w.free = false;
    await looks(0, 120_000);
    expect(watch.stuck).toBeUndefined();
    w.free = true;
    await looks(130_000, 170_000);
    w.waiting = 0;
    await looks(180_000);
    w.waiting = 1;
    await looks(190_000, 240_000);
    expect(w.stuck).toEqual([]);
  });

  it.each([
    ['a Redis that does not answer', (w: World) => void (w.waiting = new Error('Connection is closed.')), (w: World) => void (w.waiting = 1)],
    ['an answer slower than 2 s (Redis hung, then resumed)', (w: World) => void (w.answerMs = 3_000), (w: World) => void (w.answerMs = 0)],
  ])('%s is no evidence: the stretch starts again after it', async (_what, disturb, restore) => {
    const { w, watch, looks } = world();
    w.waiting = 1;
    await looks(0, 40_000);
    disturb(w);
    await looks(50_000);
    restore(w);
    await looks(60_000, 110_000);
    expect(watch.stuck).toBeUndefined();
    await looks(120_000);
    expect(w.stuck).toEqual([{ waiting: 1, sinceMs: 60_000 }]);
  });

  it('looks far apart (the process froze) are no evidence: one look before a freeze and one after never make it stuck', async () => {
    const { w, watch, looks } = world();
    w.waiting = 1;
    await looks(0);
    await looks(90_000);
    expect(watch.stuck).toBeUndefined();
    await looks(100_000, 150_000);
    expect(watch.stuck).toBeUndefined();
    await looks(160_000);
    expect(w.stuck).toEqual([{ waiting: 1, sinceMs: 100_000 }]);
  });

  it('a look still waiting on Redis when the watch stops reports nothing', async () => {
    let answer: (n: number) => void = () => {};
    const stuck: FetchStuck[] = [];
    let now = 0;
    const watch = new FetchWatch({
      waiting: () => new Promise<number>((r) => (answer = r)),
      freeSlot: () => true,
      started: () => 0,
      onStuck: (s) => stuck.push(s),
      onRecovered: () => {},
      stuckAfterMs: 0,
      now: () => now,
    });
    const look = watch.look();
    watch.stop();
    now = 1;
    answer(3);
    await look;
    expect(stuck).toEqual([]);
    expect(watch.stuck).toBeUndefined();
  });
});
