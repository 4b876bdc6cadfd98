import { EventKind, type TimelineEvent } from '../../src/core/timeline-event.js';
import type { Incident } from '../../src/incident/incident.js';

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

