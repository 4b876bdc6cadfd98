import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventKind, type TimelineEvent } from '../../src/core/timeline-event.js';
import type { Incident } from '../../src/incident/incident.js';
import { buildPostmortem } from '../../src/incident/postmortem-model.js';
import { CHART_HEIGHT, CHART_WIDTH, svgToPng, timelineChartSvg } from '../../src/incident/index.js';
import { decodePng } from '../support/png.js';

const T = Date.UTC(2026, 10, 23, 1, 0, 0);
const M = 60_000;

/** An incident as an alert opens it: the node goes, the alert fires, people drain, it clears. */
export function alertIncident(): { incident: Incident; events: TimelineEvent[] } {
  const incident: Incident = { id: 'inc-2026-11-23-c0de', channelId: 'C1', title: 'KubeNodeNotReady: node02 is not ready', severity: 1, commanderId: 'alertmanager', startedBy: 'alertmanager', status: 'resolved', startedAt: T + 3 * M, mitigatedAt: T + 25 * M, resolvedAt: T + 31 * M, channelOnly: false, participants: ['U1', 'U2'] };
  const r = { requestId: 'req-1', cluster: 'prod' };
  const pods = Array.from({ length: 41 }, (_, i) => `pod/shop/web-${i}`);
  const events: TimelineEvent[] = [
    { v: 1, key: 'w', kind: EventKind.ClusterEvent, at: T, actor: 'cluster:prod', text: 'NodeNotReady node02: Node node02 status is now: NodeNotReady', data: { type: 'Normal', reason: 'NodeNotReady', objects: ['node/node02'] } },
    { v: 1, key: 'c', kind: EventKind.ClusterEvent, at: T + 30_000, actor: 'cluster:prod', text: 'NodeCondition node02: Ready True → Unknown', data: { type: 'Warning', reason: 'NodeCondition', objects: ['node/node02'] } },
    { v: 1, key: 'a', kind: EventKind.AlertFiring, at: T + 2 * M, actor: 'alertmanager', text: 'Alert firing: KubeNodeNotReady (node02)', data: { fingerprint: 'f1' } },
    { v: 1, key: 's', kind: EventKind.IncidentStarted, at: T + 3 * M, actor: 'alertmanager', text: 'Incident started' },
    { v: 1, key: 'e', kind: EventKind.ClusterEvent, at: T + 6 * M, actor: 'cluster:prod', text: '41 pods evicted from node02 (TaintManagerEviction)', data: { type: 'Normal', reason: 'TaintManagerEviction', objects: pods } },
    { v: 1, key: 'n', kind: EventKind.IncidentNote, at: T + 8 * M, actor: 'U1', text: 'looking at node02' },
    { v: 1, key: 'd', kind: EventKind.Command, at: T + 10 * M, actor: 'U1', text: '/k8s drain node02', ...r, data: { text: '/k8s drain node02' } },
    { v: 1, key: 'q', kind: EventKind.ApprovalRequested, at: T + 10 * M + 5000, actor: 'sitrep', text: 'Approval requested', ...r },
    { v: 1, key: 'o', kind: EventKind.Approved, at: T + 12 * M, actor: 'U2', text: 'Approved by <@U2>', ...r },
    { v: 1, key: 'j', kind: EventKind.JobStarted, at: T + 12 * M + 2000, actor: 'worker:w', text: 'Started drain', ...r, data: { verb: 'drain', target: 'node/node02' } },
    { v: 1, key: 'f', kind: EventKind.JobFinished, at: T + 20 * M, actor: 'worker:w', text: 'Finished', ...r, data: { summary: 'node02 drained', changed: [], unchanged: [] } },
    { v: 1, key: 'x', kind: EventKind.AlertResolved, at: T + 25 * M, actor: 'alertmanager', text: 'Alert resolved: KubeNodeNotReady', data: { fingerprint: 'f1' } },
    { v: 1, key: 'z', kind: EventKind.IncidentResolved, at: T + 31 * M, actor: 'U1', text: 'Incident resolved' },
  ];
  return { incident, events };
}

describe('the timeline chart', () => {
  it('is a PNG of the declared size with the phases, marks and text drawn on it', async () => {
    const pm = buildPostmortem({ ...alertIncident(), names: { U1: 'Alice', U2: 'Bob' } });
    const svg = timelineChartSvg(pm);
    expect(svg).toContain('>41</text>'); // the collapsed eviction entry's count
    expect(svg).toContain('/k8s drain node02');
    const { png, width, height } = await svgToPng(svg);
    if (process.env.SITREP_CHART_OUT) writeFileSync(process.env.SITREP_CHART_OUT, png);
    const image = decodePng(png);
    expect([image.width, image.height, width, height]).toEqual([CHART_WIDTH, CHART_HEIGHT, CHART_WIDTH, CHART_HEIGHT]);
    // Not blank: a good share of pixels are not white, and in several colours (phases, marks, text).
    let ink = 0;
    const colours = new Set<string>();
    for (let y = 0; y < image.height; y += 2) {
      for (let x = 0; x < image.width; x += 2) {
        const [r, g, b] = image.pixel(x, y);
        if (r < 245 || g < 245 || b < 245) ink++;
        colours.add(`${r >> 4},${g >> 4},${b >> 4}`);
      }
    }
    expect(ink / ((image.width / 2) * (image.height / 2))).toBeGreaterThan(0.05);
    expect(colours.size).toBeGreaterThan(20);
    // The "undetected" phase (from the node going NotReady to the alert) is shaded where it should be.
    const plotTop = 78;
    const [r, g, b] = image.pixel(180, plotTop + 40);
    expect([r, g, b]).toEqual([0xfb, 0xd5, 0xd3]);
  });
});
