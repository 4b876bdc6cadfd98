import type { CommandRequest } from '../core/request.js';
import { EventKind } from '../core/timeline-event.js';
import type { RequestDeps } from './deps.js';

/** A step of a request worth a line on its incident's timeline. `key` makes the append idempotent. */
export interface RequestNote {
  key: string;
  kind: string;
  /** When it happened, ms since the epoch. @defaultValue now */
  at?: number;
  actor: string;
  text: string;
  data?: Record<string, unknown>;
}

/** Appends `note` to the incident open in the request's channel, if any; returns the incident id. */
export async function noteOnIncident(deps: Pick<RequestDeps, 'incidents' | 'timeline' | 'clock'>, request: CommandRequest, note: RequestNote): Promise<string | undefined> {
  const incident = await deps.incidents.openIn(request.channelId);
  if (!incident) return undefined;
  await deps.timeline.append(incident.id, {
    v: 1,
    key: note.key,
    kind: note.kind,
    at: note.at ?? deps.clock.now(),
    actor: note.actor,
    text: note.text,
    requestId: request.id,
    cluster: request.cluster,
    ...(note.data ? { data: note.data } : {}),
  });
  // A command on a cluster makes that cluster's events part of the incident.
  if (note.kind === EventKind.Command) await deps.incidents.watchCluster(incident.id, request.cluster, incident.startedAt);
  return incident.id;
}

/** The same, for steps whose timeline line must never fail the step: a failure is logged. */
export function noteQuietly(deps: Pick<RequestDeps, 'incidents' | 'timeline' | 'clock' | 'logger'>, request: CommandRequest, note: RequestNote): Promise<string | undefined> {
  return noteOnIncident(deps, request, note).catch((err) => {
    deps.logger.warn({ err, requestId: request.id }, 'timeline append failed');
    return undefined;
  });
}
