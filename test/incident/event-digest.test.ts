import { describe, expect, it } from 'vitest';
import { EventDigest } from '../../src/k8s/event-digest.js';
import { sightingOf, type Sighting } from '../../src/k8s/event-sighting.js';

const T = Date.UTC(2026, 10, 23, 1, 0, 0);

function sighting(over: Partial<Sighting> & { uid: string }): Sighting {
  return { count: 1, at: T, lastAt: T, type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', object: 'pod/shop/web-1', kind: 'pod', namespace: 'shop', node: 'node02', source: 'kubelet/node02', ...over };
}

describe('EventDigest: what reaches the timeline from a noisy cluster', () => {
  it('an Event counted again (count or series.count) stays one entry, with its latest count', () => {
    const d = new EventDigest({ cluster: 'prod', quietMs: 1000 });
    expect(d.add(sighting({ uid: 'e1' }), T)).toBe(true);
    expect(d.add(sighting({ uid: 'e1', count: 7 }), T + 100)).toBe(false);
    const notes = d.flush(T + 2000);
    expect(notes.map((n) => [n.key, n.count, n.text])).toEqual([['prod:event:e1', 7, 'BackOff shop/web-1: Back-off restarting failed container (×7)']]);
    // Counted again after it was written: still nothing new.
    expect(d.add(sighting({ uid: 'e1', count: 9 }), T + 3000)).toBe(false);
    expect(d.flush(T + 9000)).toEqual([]);
    // events.k8s.io series as the scheduler writes them: count 0, series.count.
    const series = sightingOf({ metadata: { uid: 's1' }, reason: 'FailedScheduling', type: 'Warning', involvedObject: { kind: 'Pod', namespace: 'shop', name: 'db-0' }, eventTime: '2026-11-23T01:00:00.000000Z', series: { count: 4, lastObservedTime: '2026-11-23T01:02:00.000000Z' }, reportingComponent: 'default-scheduler' });
    expect(series).toMatchObject({ count: 4, at: T, lastAt: T + 120_000, source: 'default-scheduler' });
  });

  it('two alike events stay two entries; three collapse into one with the list attached', () => {
    const d = new EventDigest({ cluster: 'prod', quietMs: 1000 });
    for (const i of [1, 2]) d.add(sighting({ uid: `a${i}`, reason: 'Killing', object: `pod/shop/a-${i}` }), T);
    expect(d.flush(T + 2000)).toHaveLength(2);
    for (const i of [1, 2, 3]) d.add(sighting({ uid: `b${i}`, reason: 'Killing', object: `pod/shop/b-${i}` }), T + 3000 + i * 500);
    // Still trickling in: held.
    expect(d.flush(T + 4600)).toEqual([]);
    const [one, ...rest] = d.flush(T + 6000);
    expect(rest).toEqual([]);
    expect(one).toMatchObject({ text: '3 pods stopped on node02 (Killing) in shop', objects: ['pod/shop/b-1', 'pod/shop/b-2', 'pod/shop/b-3'], count: 3 });
  });

  it('a chatty source is held to its rate per minute and says how many it held back', () => {
    const d = new EventDigest({ cluster: 'prod', quietMs: 0, perSourcePerMinute: 20 });
    for (let i = 0; i < 30; i++) d.add(sighting({ uid: `c${i}`, reason: `Reason${i}`, object: `pod/shop/c-${i}` }), T);
    const first = d.flush(T);
    expect(first).toHaveLength(20);
    expect(first.every((n) => n.source === 'kubelet/node02')).toBe(true);
    // Another source is not starved by the chatty one.
    d.add(sighting({ uid: 'other', source: 'default-scheduler', reason: 'FailedScheduling' }), T + 1000);
    expect(d.flush(T + 1000).map((n) => n.reason)).toEqual(['FailedScheduling']);
    // A minute on: the held-back ten are said in one line, and the bucket has refilled.
    const later = d.flush(T + 61_000);
    expect(later.map((n) => n.text)).toEqual(['10 more events from kubelet/node02 not shown (more than 20 a minute); `kubectl get events` has them all']);
  });
});
