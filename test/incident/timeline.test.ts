import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { EventKind, type TimelineEvent } from '../../src/core/timeline-event.js';
import { BadArgsError } from '../../src/core/errors.js';
import { Timeline, timelineKeys } from '../../src/incident/timeline.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

let server: TestRedis;
let redis: Redis;
let n = 0;
/** Each test its own prefix, so they never see each other's timelines. */
const fresh = () => ({ prefix: `t${++n}`, id: `inc-test-${n}` });

const T = Date.UTC(2026, 10, 23, 14, 3, 0);
const MIN = 60_000;

function ev(key: string, kind: string, at: number, actor: string, extra: Partial<TimelineEvent> = {}): TimelineEvent {
  return { v: 1, key, kind, at, actor, text: `${kind} by ${actor}`, ...extra };
}

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
});
afterAll(async () => {
  await server?.stop();
});

describe('Timeline.append', () => {
  it('stores an event key once, and says whether it appended', async () => {
    const { prefix, id } = fresh();
    const tl = new Timeline(redis, { prefix });
    const e = ev('req1:command', EventKind.Command, T, 'U1', { requestId: 'req1', data: { text: '/k8s drain node02' } });
    expect(await tl.append(id, e)).toEqual({ appended: true });
    expect(await tl.append(id, { ...e, text: 'retried with other text' })).toEqual({ appended: false });
    expect(await tl.count(id)).toBe(1);
    const [stored] = await tl.read(id);
    expect(stored).toEqual(e);
  });

  it('stores each key once when two processes append the same events at the same moment', async () => {
    const { prefix, id } = fresh();
    // Two connections stand in for two bot replicas; each sends all 100 appends without waiting.
    const a = new Timeline(server.client(), { prefix });
    const b = new Timeline(server.client(), { prefix });
    const events = Array.from({ length: 100 }, (_, i) => ev(`k${i}`, EventKind.JobProgress, T + i, 'worker:w1', { requestId: 'r' }));
    const results = await Promise.all(events.flatMap((e) => [a.append(id, e), b.append(id, e)]));
    for (let i = 0; i < events.length; i++) {
      const pair = [results[2 * i]!.appended, results[2 * i + 1]!.appended];
      expect(pair.filter(Boolean), `key k${i}`).toHaveLength(1);
    }
    expect(await a.count(id)).toBe(100);
    expect((await b.read(id)).map((e) => e.key)).toEqual(events.map((e) => e.key));
  });

  it('refuses an invalid event with a message naming the field', async () => {
    const { prefix, id } = fresh();
    const tl = new Timeline(redis, { prefix });
    const bad = { v: 1, key: '', kind: 'command', at: T, actor: 'U1', text: 'x' } as TimelineEvent;
    await expect(tl.append(id, bad)).rejects.toBeInstanceOf(BadArgsError);
    await expect(tl.append(id, bad)).rejects.toThrow(/key/);
    expect(await tl.count(id)).toBe(0);
  });

  it('never stores secrets from text or data', async () => {
    const { prefix, id } = fresh();
    const tl = new Timeline(redis, { prefix });
    await tl.append(id, ev('s1', EventKind.IncidentNote, T, 'U1', {
      text: 'rotated xoxb-123-456-abcdefABCDEF; curl -H "Authorization: Bearer tok.en_123" worked, password=hunter2',
      data: { token: 'xapp-1-zzz', headers: { authorization: 'Bearer qqq' }, manifest: { kind: 'Secret', data: { key: 'c2VjcmV0' } } },
    }));
    const raw = JSON.stringify(await redis.xrange(timelineKeys(prefix, id).stream, '-', '+'));
    for (const secret of ['xoxb-123', 'tok.en_123', 'hunter2', 'xapp-1', 'qqq', 'c2VjcmV0']) expect(raw).not.toContain(secret);
    const [stored] = await tl.read(id);
    expect(stored!.text).toContain('[redacted]');
    expect(stored!.text).toContain('rotated');
  });
});

describe('Timeline.read ordering', () => {
  /** One drain request: bot and people on a correct clock, the worker's clock `skew` ms off. */
  function drain(skew: number): TimelineEvent[] {
    const w = 'worker:w1';
    const r = { requestId: 'req-drain', cluster: 'prod' };
    return [
      ev('c', EventKind.Command, T, 'U1', r),
      ev('p', EventKind.Plan, T + 2_000, 'sitrep', r),
      ev('ar', EventKind.ApprovalRequested, T + 3_000, 'sitrep', r),
      ev('note', EventKind.IncidentNote, T + 30_000, 'U3'),
      ev('ok', EventKind.Approved, T + 60_000, 'U2', r),
      ev('js', EventKind.JobStarted, T + 61_000 + skew, w, r),
      ev('jb', EventKind.JobBlocked, T + 70_000 + skew, w, r),
      ev('jf', EventKind.JobFinished, T + 5 * MIN + skew, w, r),
      ev('status', EventKind.IncidentStatus, T + 6 * MIN, 'U1'),
    ];
  }

  it('keeps a slow worker’s events after the approval that caused them, with their spacing', async () => {
    const { prefix, id } = fresh();
    const tl = new Timeline(redis, { prefix });
    for (const e of drain(-5 * MIN)) await tl.append(id, e);
    const read = await tl.read(id);
    expect(read.map((e) => e.key)).toEqual(['c', 'p', 'ar', 'note', 'ok', 'js', 'jb', 'jf', 'status']);
    const at = Object.fromEntries(read.map((e) => [e.key, e.at]));
    expect(at.js).toBe(T + 60_001); // just after the approval
    expect(at.jb! - at.js!).toBe(9_000); // the worker's own spacing survives
    expect(at.jf! - at.js!).toBe(5 * MIN - 61_000);
    const js = read.find((e) => e.key === 'js')!;
    expect(js.data?.reportedAt).toBe(T + 61_000 - 5 * MIN);
    expect(read.find((e) => e.key === 'note')!.data).toBeUndefined();
  });

  it('leaves a fast worker’s events where they are (already after their causes)', async () => {
    const { prefix, id } = fresh();
    const tl = new Timeline(redis, { prefix });
    const events = drain(5 * MIN);
    for (const e of events) await tl.append(id, e);
    const read = await tl.read(id);
    // Its events stay in causal order; how far off a fast clock is cannot be known, so they are left late.
    expect(read.map((e) => e.key)).toEqual(['c', 'p', 'ar', 'note', 'ok', 'status', 'js', 'jb', 'jf']);
    expect(read.every((e) => e.data?.reportedAt === undefined)).toBe(true);
    expect(read.map((e) => e.at)).toEqual([...read.map((e) => e.at)].sort((a, b) => a - b));
  });

  it('sorts by time whatever the append order, ties in append order', async () => {
    const { prefix, id } = fresh();
    const tl = new Timeline(redis, { prefix });
    await tl.append(id, ev('late', EventKind.IncidentNote, T + 10_000, 'U1'));
    await tl.append(id, ev('tie-1', EventKind.IncidentNote, T + 5_000, 'U2'));
    await tl.append(id, ev('early', EventKind.IncidentNote, T, 'U3'));
    await tl.append(id, ev('tie-2', EventKind.IncidentNote, T + 5_000, 'U1'));
    expect((await tl.read(id)).map((e) => e.key)).toEqual(['early', 'tie-1', 'tie-2', 'late']);
    expect((await tl.read(id, { sinceAt: T + 5_000 })).map((e) => e.key)).toEqual(['tie-1', 'tie-2', 'late']);
  });

  it('keeps the recorded order within one second: an eviction Kubernetes dates to the whole second stays after the approval that caused it', async () => {
    const { prefix, id } = fresh();
    const tl = new Timeline(redis, { prefix });
    const r = { requestId: 'req-evict', cluster: 'prod' };
    await tl.append(id, ev('ok', EventKind.Approved, T + 700, 'U2', r));
    await tl.append(id, ev('js', EventKind.JobStarted, T + 750, 'worker:w1', r));
    // The eviction happened at T + 900; its Event says T, to the second.
    await tl.append(id, ev('evicted', EventKind.ClusterEvent, T, 'cluster:prod', { cluster: 'prod', data: { type: 'Normal', reason: 'Evicted', objects: ['pod/shop/web-1'] } }));
    await tl.append(id, ev('next', EventKind.IncidentNote, T + 1_200, 'U1'));
    expect((await tl.read(id)).map((e) => e.key)).toEqual(['ok', 'js', 'evicted', 'next']);
  });

  it('does not drag a first attempt after a second approval when a request goes round twice', async () => {
    const { prefix, id } = fresh();
    const tl = new Timeline(redis, { prefix });
    const r = { requestId: 'req-2' };
    const events = [
      ev('c', EventKind.Command, T, 'U1', r),
      ev('p1', EventKind.Plan, T + 1_000, 'sitrep', r),
      ev('ok1', EventKind.Approved, T + 10_000, 'U2', r),
      ev('js1', EventKind.JobStarted, T + 11_000, 'worker:w1', r),
      ev('jf1', EventKind.JobFailed, T + 12_000, 'worker:w1', { ...r, data: { message: 'plan drifted', code: 'sitrep_plan_drifted' } }),
      ev('p2', EventKind.Plan, T + 13_000, 'worker:w1', r),
      ev('ok2', EventKind.Approved, T + 40_000, 'U2', r),
      ev('js2', EventKind.JobStarted, T + 41_000, 'worker:w1', r),
      ev('jf2', EventKind.JobFinished, T + 50_000, 'worker:w1', r),
    ];
    for (const e of events) await tl.append(id, e);
    const read = await tl.read(id);
    expect(read.map((e) => e.key)).toEqual(events.map((e) => e.key));
    expect(read.map((e) => e.at)).toEqual(events.map((e) => e.at));
  });

  it('reads a long timeline across pages', async () => {
    const { prefix, id } = fresh();
    const tl = new Timeline(redis, { prefix });
    const pipeline = Array.from({ length: 2_500 }, (_, i) => tl.append(id, ev(`e${i}`, EventKind.JobProgress, T + i * 10, 'worker:w1')));
    await Promise.all(pipeline);
    const read = await tl.read(id);
    expect(read).toHaveLength(2_500);
    expect(read[2_499]!.key).toBe('e2499');
  });
});
