import { EventKind, type TimelineEvent } from '../core/timeline-event.js';

/**
 * Where a kind sits in the life of one request: a command causes a plan, which causes an approval
 * request, which causes a decision, which causes the job, whose steps cause its end. Kinds outside
 * a request's life (notes, incident changes) have no rank and are never moved.
 */
const CAUSAL_RANK: Readonly<Record<string, number>> = {
  [EventKind.Command]: 0,
  [EventKind.Plan]: 1,
  [EventKind.ApprovalRequested]: 2,
  [EventKind.Approved]: 3,
  [EventKind.Rejected]: 3,
  [EventKind.Expired]: 3,
  [EventKind.Cancelled]: 3,
  [EventKind.JobStarted]: 4,
  [EventKind.JobProgress]: 5,
  [EventKind.JobBlocked]: 5,
  [EventKind.JobBackup]: 5,
  [EventKind.JobFinished]: 6,
  [EventKind.JobFailed]: 6,
};

export function causalRank(kind: string): number | undefined {
  return CAUSAL_RANK[kind];
}

/**
 * The second an entry is placed in. Kubernetes Events carry whole seconds (an eviction at
 * 12:00:00.900 says 12:00:00), so within one second the order sitrep recorded entries in is the
 * better evidence: the eviction was recorded after the approval that caused it, though its time
 * reads 0.7 s earlier. Entries of different seconds go by time.
 */
export function secondOf(at: number): number {
  return Math.floor(at / 1000);
}

interface RequestState {
  /** Highest corrected `at` seen so far for each rank, in stream order. */
  maxAtByRank: number[];
  /** Correction already learnt for an actor's clock in this request (ms to add). */
  shiftByActor: Map<string, number>;
}

/**
 * Puts a timeline in the order people should read it: by the second of `at`, and within one second
 * by stream (append) order (see secondOf).
 *
 * Worker clocks are corrected to Redis time upstream, but a worker that is still minutes off
 * would show a job starting before it was approved. So within one request, an effect is never
 * placed before a cause that was appended before it: its `at` is raised to just after the cause,
 * the original kept in `data.reportedAt`. The correction is remembered per actor, so the rest of
 * that worker's events in the request move by the same amount and keep their spacing (a drain
 * that blocked for 10 minutes still shows 10 minutes).
 *
 * Only causes appended earlier count, so a request that goes round twice (plan drifted, asked
 * again) does not drag its first job's events after its second approval.
 *
 * @param inStreamOrder events as stored, oldest append first.
 */
export function orderTimeline(inStreamOrder: readonly TimelineEvent[]): TimelineEvent[] {
  const requests = new Map<string, RequestState>();
  const placed: { event: TimelineEvent; seq: number }[] = new Array(inStreamOrder.length);

  for (let seq = 0; seq < inStreamOrder.length; seq++) {
    const event = inStreamOrder[seq]!;
    const rank = causalRank(event.kind);
    if (event.requestId === undefined || rank === undefined) {
      placed[seq] = { event, seq };
      continue;
    }
    let state = requests.get(event.requestId);
    if (!state) {
      state = { maxAtByRank: [], shiftByActor: new Map() };
      requests.set(event.requestId, state);
    }
    const shift = state.shiftByActor.get(event.actor) ?? 0;
    let at = event.at + shift;
    let bound = -Infinity;
    for (let r = 0; r < rank; r++) {
      const causeAt = state.maxAtByRank[r];
      if (causeAt !== undefined && causeAt + 1 > bound) bound = causeAt + 1;
    }
    if (at < bound) {
      state.shiftByActor.set(event.actor, shift + (bound - at));
      at = bound;
    }
    if ((state.maxAtByRank[rank] ?? -Infinity) < at) state.maxAtByRank[rank] = at;
    placed[seq] = {
      event: at === event.at ? event : { ...event, at, data: { ...event.data, reportedAt: event.at } },
      seq,
    };
  }

  placed.sort((a, b) => secondOf(a.event.at) - secondOf(b.event.at) || a.seq - b.seq);
  return placed.map((p) => p.event);
}
