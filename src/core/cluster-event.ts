import { z } from 'zod';

/**
 * What a worker reports of its cluster for the open incidents' timelines: one Kubernetes Event
 * (or node condition change) that matters, or a flood of alike ones collapsed into one entry.
 * Workers write these to a Redis stream; the bot appends them to the timelines of the incidents
 * that watch that cluster. Workers never talk to Slack.
 */
export const ClusterNoteSchema = z.object({
  v: z.literal(1),
  cluster: z.string().min(1),
  /** Idempotency key on the timeline: the Event's uid (first sighting), or the flood's first member and reason. */
  key: z.string().min(1),
  /** When the cluster says it happened (the Event's first or last timestamp), ms since the epoch. */
  at: z.number().int().nonnegative(),
  /** `Normal` or `Warning`, as the Event's type. */
  type: z.string(),
  /** The Event's reason (`NodeNotReady`, `Killing`, `FailedScheduling`), or `NodeCondition`. */
  reason: z.string().min(1),
  /** One line for people: `node02: Node node02 status is now: NodeNotReady`, `41 pods evicted from node02`. */
  text: z.string(),
  /** The node it concerns, when known (the object itself, or the host that reported it). */
  node: z.string().optional(),
  namespace: z.string().optional(),
  /** `kind/namespace/name` of each object; more than one for a collapsed flood (the list attached). */
  objects: z.array(z.string()),
  /** How many times the cluster saw it (the Event's count or series.count, summed for a flood). */
  count: z.number().int().positive(),
  /** Who reported it: `kubelet/node02`, `node-controller`, `default-scheduler`. */
  source: z.string(),
});
export type ClusterNote = z.infer<typeof ClusterNoteSchema>;

/** The stream workers write cluster notes to and the bot relays from. */
export function clusterNotesStream(prefix: string): string {
  return `${prefix}:cluster-events`;
}

/**
 * Hash of the incidents that want this cluster's events: incident id → ms since the epoch from
 * which they want them. A worker watches its cluster only while this hash is not empty.
 */
export function clusterWatchKey(prefix: string, cluster: string): string {
  return `${prefix}:incident-watch:${cluster}`;
}

/**
 * How far before an incident opened its cluster events are still wanted: the node usually went
 * NotReady before anyone (or any alert) noticed. @defaultValue 15 minutes
 */
export const CLUSTER_LOOKBACK_MS = 15 * 60_000;
