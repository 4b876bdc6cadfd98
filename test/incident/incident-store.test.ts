import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { ErrorCode, IncidentError } from '../../src/core/errors.js';
import { EventKind } from '../../src/core/timeline-event.js';
import { IncidentStatus, IncidentStore } from '../../src/incident/incident-store.js';
import { Timeline, timelineKeys } from '../../src/incident/timeline.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

let server: TestRedis;
let redis: Redis;
let n = 0;
const T = Date.UTC(2026, 10, 23, 14, 3, 0);

function setup(options: { retentionMs?: number } = {}) {
  const prefix = `s${++n}`;
  let now = T;
  const clock = { now: () => now };
  return {
    store: new IncidentStore(redis, { prefix, clock, ...options }),
    timeline: new Timeline(redis, { prefix }),
    prefix,
    advance: (ms: number) => { now += ms; },
  };
}

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
});
afterAll(async () => {
  await server?.stop();
});

describe('IncidentStore', () => {
  it('starts an incident with a readable id and records the start on its timeline', async () => {
    const { store, timeline } = setup();
    const inc = await store.start({ channelId: 'C1', title: 'API down', severity: 2, startedBy: 'U1' });
    expect(inc.id).toMatch(/^inc-2026-11-23-[0-9a-f]{4}$/);
    expect(inc).toMatchObject({ channelId: 'C1', title: 'API down', severity: 2, commanderId: 'U1', status: 'investigating', startedAt: T, channelOnly: false, participants: ['U1'] });
    expect(await store.get(inc.id)).toEqual(inc);
    expect(await store.openIn('C1')).toEqual(inc);
    const events = await timeline.read(inc.id);
    expect(events.map((e) => [e.kind, e.actor, e.at])).toEqual([[EventKind.IncidentStarted, 'U1', T]]);
  });

  it('refuses a second open incident in a channel, naming the open one', async () => {
    const { store } = setup();
    const first = await store.start({ channelId: 'C1', title: 'API down', severity: 2, startedBy: 'U1' });
    const err = await store.start({ channelId: 'C1', title: 'Again', startedBy: 'U2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IncidentError);
    expect((err as IncidentError).code).toBe(ErrorCode.IncidentExists);
    expect((err as IncidentError).message).toBe(`#${first.id} 'API down' is already open here (SEV2, started 14:03 UTC by <@U1>). Resolve it first with /incident resolve.`);
    // Other channels are unaffected.
    await expect(store.start({ channelId: 'C2', title: 'Other', startedBy: 'U2' })).resolves.toMatchObject({ channelId: 'C2' });
  });

  it('lets exactly one of 20 concurrent starts win; the others name the winner', async () => {
    const { prefix } = setup();
    // Separate connections, like several bot replicas racing on the same slash command.
    const stores = Array.from({ length: 20 }, () => new IncidentStore(server.client(), { prefix }));
    const results = await Promise.allSettled(stores.map((s, i) => s.start({ channelId: 'CRACE', title: `race ${i}`, startedBy: `U${i}` })));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<IncidentStore['start']>>>).value;
    for (const r of results) {
      if (r.status === 'fulfilled') continue;
      expect((r.reason as IncidentError).code).toBe(ErrorCode.IncidentExists);
      expect((r.reason as Error).message).toContain(`#${winner.id} '${winner.title}'`);
    }
    expect(await stores[0]!.list({ channelId: 'CRACE' })).toHaveLength(1);
  });

  it('records severity, commander and status changes on the timeline, and only real changes', async () => {
    const { store, timeline, advance } = setup();
    const inc = await store.start({ channelId: 'C1', title: 'Slow checkout', startedBy: 'U1' });
    advance(60_000);
    await store.update(inc.id, { severity: 1 }, 'U1');
    advance(60_000);
    await store.update(inc.id, { commanderId: 'U2', summary: 'checkout p99 at 4s', cardTs: '1700000000.000100' }, 'U1');
    advance(60_000);
    await store.update(inc.id, { severity: 1 }, 'U2'); // no change, nothing recorded
    const mon = await store.update(inc.id, { status: IncidentStatus.Monitoring }, 'U2');
    expect(mon).toMatchObject({ severity: 1, commanderId: 'U2', status: 'monitoring', mitigatedAt: T + 180_000, summary: 'checkout p99 at 4s', cardTs: '1700000000.000100', participants: ['U1', 'U2'] });
    advance(60_000);
    await store.update(inc.id, { status: IncidentStatus.Identified }, 'U2');
    const after = await store.get(inc.id);
    expect(after?.mitigatedAt).toBe(T + 180_000); // the first time only
    const events = await timeline.read(inc.id);
    expect(events.map((e) => [e.kind, e.actor, e.data?.from, e.data?.to])).toEqual([
      [EventKind.IncidentStarted, 'U1', undefined, undefined],
      [EventKind.IncidentSeverity, 'U1', 3, 1],
      [EventKind.IncidentCommander, 'U1', 'U1', 'U2'],
      [EventKind.IncidentStatus, 'U2', 'investigating', 'monitoring'],
      [EventKind.IncidentStatus, 'U2', 'monitoring', 'identified'],
    ]);
  });

  it('resolves once, frees the channel, and keeps the incident and timeline', async () => {
    const { store, timeline, advance, prefix } = setup();
    const inc = await store.start({ channelId: 'C1', title: 'DNS', startedBy: 'U1', severity: 2 });
    advance(10 * 60_000);
    const resolved = await store.resolve(inc.id, 'U2', 'Bad CoreDNS config rolled back');
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: T + 600_000, mitigatedAt: T + 600_000, summary: 'Bad CoreDNS config rolled back' });
    advance(1000);
    expect(await store.resolve(inc.id, 'U3')).toEqual(resolved); // a double click changes nothing
    expect(await store.openIn('C1')).toBeUndefined();
    await expect(store.update(inc.id, { status: IncidentStatus.Investigating }, 'U1')).rejects.toThrow(/already resolved/);
    const next = await store.start({ channelId: 'C1', title: 'DNS again', startedBy: 'U1' });
    expect(next.id).not.toBe(inc.id);
    expect((await timeline.read(inc.id)).map((e) => e.kind)).toEqual([EventKind.IncidentStarted, EventKind.IncidentResolved]);
    expect(await store.get(inc.id)).toEqual(resolved);
    expect(await redis.pttl(store.keys.incident(inc.id))).toBe(-1); // kept forever by default
  });

  it('resolves through update({ status: resolved }) the same way', async () => {
    const { store, timeline, advance } = setup();
    const inc = await store.start({ channelId: 'C7', title: 'Queue backlog', startedBy: 'U1' });
    advance(5 * 60_000);
    const done = await store.update(inc.id, { status: IncidentStatus.Resolved }, 'U2');
    expect(done).toMatchObject({ status: 'resolved', resolvedAt: T + 300_000, mitigatedAt: T + 300_000 });
    expect(await store.openIn('C7')).toBeUndefined();
    await store.resolve(inc.id, 'U2');
    const kinds = (await timeline.read(inc.id)).map((e) => e.kind);
    expect(kinds).toEqual([EventKind.IncidentStarted, EventKind.IncidentResolved]);
  });

  it('lists newest first, open or resolved, by channel, and drops incidents expired by retention', async () => {
    const { store, advance, prefix } = setup({ retentionMs: 60_000 });
    const a = await store.start({ channelId: 'C1', title: 'one', startedBy: 'U1' });
    advance(1000);
    const b = await store.start({ channelId: 'C2', title: 'two', startedBy: 'U1' });
    advance(1000);
    const c = await store.start({ channelId: 'C3', title: 'three', startedBy: 'U1' });
    await store.resolve(b.id, 'U1');
    expect((await store.list()).map((i) => i.id)).toEqual([c.id, b.id, a.id]);
    expect((await store.list({ open: true })).map((i) => i.id)).toEqual([c.id, a.id]);
    expect((await store.list({ open: false })).map((i) => i.id)).toEqual([b.id]);
    expect((await store.list({ channelId: 'C2' })).map((i) => i.id)).toEqual([b.id]);
    expect((await store.list({ limit: 1 })).map((i) => i.id)).toEqual([c.id]);
    const ttl = await redis.pttl(store.keys.incident(b.id));
    expect(ttl).toBeGreaterThan(0);
    expect(await redis.pttl(timelineKeys(prefix, b.id).stream)).toBeGreaterThan(0);
    // Let retention do its work now rather than in a minute.
    await redis.del(store.keys.incident(b.id));
    expect((await store.list()).map((i) => i.id)).toEqual([c.id, a.id]);
    expect(await redis.zscore(store.keys.all, b.id)).toBeNull();
  });

  it('adds participants once and reports a missing incident clearly', async () => {
    const { store } = setup();
    const inc = await store.start({ channelId: 'C1', title: 'x', startedBy: 'U1' });
    await store.addParticipant(inc.id, 'U5');
    await store.addParticipant(inc.id, 'U5');
    expect((await store.get(inc.id))?.participants).toEqual(['U1', 'U5']);
    const err = await store.update('inc-nope', { severity: 1 }, 'U1').catch((e: unknown) => e);
    expect((err as IncidentError).code).toBe(ErrorCode.NoIncident);
    expect((err as Error).message).toMatch(/^No incident #inc-nope/);
  });

  it('keeps every concurrent change (no lost updates)', async () => {
    const { prefix, store } = setup();
    const inc = await store.start({ channelId: 'C1', title: 'x', startedBy: 'U1' });
    const others = Array.from({ length: 10 }, () => new IncidentStore(server.client(), { prefix }));
    await Promise.all(others.map((s, i) => s.addParticipant(inc.id, `UP${i}`)));
    expect((await store.get(inc.id))?.participants.sort()).toEqual(['U1', ...Array.from({ length: 10 }, (_, i) => `UP${i}`)].sort());
  });

  it('validates what people type', async () => {
    const { store } = setup();
    await expect(store.start({ channelId: 'C1', title: '   ', startedBy: 'U1' })).rejects.toThrow(/title missing/);
    await expect(store.start({ channelId: 'C1', title: 'x', startedBy: 'U1', severity: 7 as 1 })).rejects.toThrow(/Severity must be 1 to 4/);
    const inc = await store.start({ channelId: 'C1', title: 'leaked xoxb-1-2-abc in logs', startedBy: 'U1' });
    expect(inc.title).not.toContain('xoxb-1-2-abc');
  });

  // The steps a Redis Cluster needs (each under one hash tag, core/key-tags.ts), and what a bot
  // that died between them leaves: the next step, or the next reader, finishes it.
  it('a start that died before listing the incident: its next change lists it', async () => {
    const { store } = setup();
    const inc = await store.start({ channelId: 'C7', title: 'disk full', startedBy: 'U1' });
    for (const key of [store.keys.all, store.keys.open, store.keys.channel('C7')]) await redis.zrem(key, inc.id);
    expect(await store.list({ open: true })).toEqual([]);
    expect((await store.openIn('C7'))?.id).toBe(inc.id);

    await store.update(inc.id, { severity: 2 }, 'U1');
    expect((await store.list({ open: true })).map((i) => i.id)).toEqual([inc.id]);
    expect((await store.list({ channelId: 'C7' })).map((i) => i.id)).toEqual([inc.id]);
  });

  it('a resolve that died before freeing the channel: the channel counts as free and a new start takes it', async () => {
    const { store } = setup();
    const first = await store.start({ channelId: 'C8', title: 'api 500s', startedBy: 'U1' });
    await store.resolve(first.id, 'U1');
    await redis.set(store.keys.openIn('C8'), first.id);
    expect(await store.openIn('C8')).toBeUndefined();

    const second = await store.start({ channelId: 'C8', title: 'api 500s again', startedBy: 'U2' });
    expect((await store.openIn('C8'))?.id).toBe(second.id);
    await expect(store.start({ channelId: 'C8', title: 'third', startedBy: 'U3' })).rejects.toThrow(/already open/);
  });
});
