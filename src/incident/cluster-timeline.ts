import { CLUSTER_LOOKBACK_MS, type ClusterNote } from '../core/cluster-event.js';
import { EventKind, type TimelineEvent } from '../core/timeline-event.js';
import { IncidentStatus } from './incident.js';
import type { IncidentStore } from './incident-store.js';
import type { Timeline } from './timeline.js';

/** The timeline actor of what a cluster did. */
export function clusterActor(cluster: string): string {
  return `cluster:${cluster}`;
}

/** A worker's note as a timeline entry: actor `cluster:<name>`, the list of objects in `data.objects`. */
export function clusterTimelineEvent(note: ClusterNote): TimelineEvent {
  return {
    v: 1,
    key: note.key,
    kind: EventKind.ClusterEvent,
    at: note.at,
    actor: clusterActor(note.cluster),
    text: note.text,
    cluster: note.cluster,
    data: {
      type: note.type,
      reason: note.reason,
      count: note.count,
      source: note.source,
      objects: note.objects,
      ...(note.node ? { node: note.node } : {}),
      ...(note.namespace ? { namespace: note.namespace } : {}),
    },
  };
}

/**
 * Appends a worker's cluster note to every open incident that watches its cluster and wants
 * events from that time on (from CLUSTER_LOOKBACK_MS before it opened). Idempotent by the note's
 * key, so a note relayed twice (a bot replica died mid-way) is stored once. Returns the incidents
 * it went to.
 */
export async function appendClusterNote(incidents: IncidentStore, timeline: Timeline, note: ClusterNote): Promise<string[]> {
  const watchers = await incidents.watchersOf(note.cluster);
  const to: string[] = [];
  for (const [id, since] of watchers) {
    if (note.at < since - CLUSTER_LOOKBACK_MS) continue;
    const incident = await incidents.get(id);
    if (!incident) continue;
    if (incident.status === IncidentStatus.Resolved && note.at > (incident.resolvedAt ?? 0)) continue;
    await timeline.append(id, clusterTimelineEvent(note));
    to.push(id);
  }
  return to;
}
