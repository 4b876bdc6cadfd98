/**
 * The postmortem as data. Markdown, JSON and the Slack summary are all rendered from this one
 * structure, so they cannot disagree.
 *
 * Event `data` conventions (what the chat layer puts on the timeline, and what is read here):
 *
 * | kind                  | data                                                                    |
 * |-----------------------|-------------------------------------------------------------------------|
 * | command               | { text }  — exactly what was typed, e.g. `/k8s drain node02`             |
 * | plan                  | { summary, warnings: [{ code, severity, message }], refused? }  refused = why the plan would not run |
 * | approval.requested    | { approvalId, needed, approvers, warnings? }  approvers = who may approve |
 * | approval.approved     | { approvalId, needed, approvers }  approvers = who has approved so far    |
 * | approval.rejected / .expired / .cancelled | { approvalId, needed, approvers }                    |
 * | job.started           | { verb, target }  e.g. { verb: 'drain', target: 'node/node02' }           |
 * | job.progress          | { phase?, done?, total?, unavailable?: [{ target, ms }] }                 |
 * | job.blocked           | { target, reason }  e.g. { target: 'pod/shop/web-1', reason: 'PodDisruptionBudget web-pdb allows 0 disruptions' } |
 * | job.finished          | { summary, changed: [], unchanged: [], durationMs, unavailable?: [{ target, ms }] } |
 * | job.failed            | { message, code, durationMs? }                                          |
 * | job.backup            | { name, objects }                                                       |
 * | incident.*            | { from, to }                                                            |
 * | command (intake)      | also { allowed, read, refusedBecause? }: refused and read-only commands are not actions |
 * | cluster.event         | { type, reason, count, source, objects, node?, namespace? } (cluster-timeline.ts) |
 * | alert.firing / .resolved | { fingerprint, name, summary, severity?, labels, links } (src/alerts) |
 *
 * Every event of one command carries the command's `requestId`; that is how actions are grouped.
 * `unavailable` (optional) lists objects that were down while the job ran and for how long; it
 * lets the review say "checkout had a single replica and was down for ~40s" instead of asking.
 * `data.reportedAt` is set by the timeline when a skewed clock's `at` was corrected.
 */
import { formatDuration } from '../core/duration.js';
import { EventKind, type TimelineEvent } from '../core/timeline-event.js';
import { secondOf } from './causal-order.js';
import { IncidentStatus, severityLabel, type Incident } from './incident.js';
import { actorLabel, entrySource, isPerson } from './people.js';
import { plainText } from './slack-text.js';
import { redactText } from '../core/text/redact.js';
import { reviewPrompts } from './review-prompts.js';
import { ZonedTime } from './zoned-time.js';
import { ActionOutcome, type PmAction, type PmRead, type PmBlock, type PmDuration, type PmPerson, type PmTime, type PmTimelineRow, type PmWarning, type Postmortem, type PostmortemInput } from './postmortem-types.js';

export * from './postmortem-types.js';

const JOB_KINDS = new Set<string>([EventKind.JobStarted, EventKind.JobProgress, EventKind.JobBlocked, EventKind.JobBackup, EventKind.JobFinished, EventKind.JobFailed]);
const REQUEST_KINDS = new Set<string>([
  EventKind.Command, EventKind.Plan, EventKind.ApprovalRequested, EventKind.Approved, EventKind.Rejected,
  EventKind.Expired, EventKind.Cancelled, ...JOB_KINDS,
]);

/** Whether an event is something done to the cluster (commands to the bot about the incident itself are not). */
function isClusterAction(e: TimelineEvent): boolean {
  if (JOB_KINDS.has(e.kind)) return true;
  return e.kind === EventKind.Command && !commandText(e).startsWith('/incident');
}

function commandText(e: TimelineEvent): string {
  const t = e.data?.text;
  return typeof t === 'string' && t ? t : e.text;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function warningsOf(e: TimelineEvent): PmWarning[] {
  const raw = e.data?.warnings;
  if (!Array.isArray(raw)) return [];
  const out: PmWarning[] = [];
  for (const w of raw) {
    if (!w || typeof w !== 'object') continue;
    const o = w as Record<string, unknown>;
    const code = str(o.code);
    const message = str(o.message);
    if (!code || !message) continue;
    const objects = Array.isArray(o.objects) ? o.objects.filter((x): x is string => typeof x === 'string') : [];
    out.push({ code, severity: str(o.severity) ?? 'warning', message: redactText(message), objects });
  }
  return out;
}

function unavailableOf(e: TimelineEvent): { target: string; ms: number }[] {
  const raw = e.data?.unavailable;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((u) => {
    const o = (u ?? {}) as Record<string, unknown>;
    const target = str(o.target);
    const ms = num(o.ms);
    return target && ms !== undefined ? [{ target, ms }] : [];
  });
}

/** Verbs that only read; their commands are listed apart from actions. */
const READ_VERBS = new Set(['get', 'describe', 'logs', 'top', 'jobs', 'status', 'audit', 'help', 'events']);

/** Whether a request's command was read-only: recorded by intake as `data.read`, else judged by its verb. */
function isRead(command: TimelineEvent | undefined): boolean {
  if (!command) return false;
  if (typeof command.data?.read === 'boolean') return command.data.read;
  const m = /^\/k8s\s+([a-z-]+)/.exec(commandText(command));
  return Boolean(m && READ_VERBS.has(m[1]!));
}

/** Builds the postmortem structure. Deterministic: the same input gives the same output. */
export function buildPostmortem(input: PostmortemInput): Postmortem {
  const { incident } = input;
  const names = input.names;
  const plain = (text: string): string => plainText(redactText(text), { users: names, channels: input.channels });
  const zone = new ZonedTime(input.timeZone ?? 'UTC');
  const events = inTimeOrder(input.events);

  const lastAt = Math.max(incident.startedAt, incident.resolvedAt ?? 0, events.length ? events[events.length - 1]!.at : 0);
  const mixedOffsets = !zone.sameOffset([incident.startedAt, lastAt, ...(events.length ? [events[0]!.at] : [])]);
  // Every time carries its offset, so a reader in another zone (or a tool) cannot misread it.
  const fixedOffset = zone.offsetLabel(incident.startedAt);
  const localOf = (at: number): string => `${zone.dateTime(at)} ${mixedOffsets ? zone.offsetLabel(at) : fixedOffset}`;
  const time = (at: number): PmTime => ({ at, iso: new Date(at).toISOString(), local: localOf(at) });
  const person = (id: string): PmPerson => ({ id, label: actorLabel(id, names) });
  const span = (from: number, to: number): PmDuration => {
    const ms = Math.max(0, to - from);
    return { ms, text: ms < 500 ? '0s' : formatDuration(ms) };
  };

  // Timeline rows and participants, in one pass.
  const labels = new Map<string, string>();
  const participantIds: string[] = [];
  const seenPeople = new Set<string>();
  const timeline: PmTimelineRow[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    let label = labels.get(e.actor);
    if (label === undefined) {
      label = actorLabel(e.actor, names);
      labels.set(e.actor, label);
    }
    if (isPerson(e.actor) && !seenPeople.has(e.actor)) {
      seenPeople.add(e.actor);
      participantIds.push(e.actor);
    }
    const row: PmTimelineRow = { at: e.at, time: localOf(e.at), source: entrySource(e.actor, e.kind), actor: e.actor, actorLabel: label, kind: e.kind, what: plain(e.text || e.kind) };
    const objects = e.data?.objects;
    if (Array.isArray(objects) && objects.length > 1) row.objects = objects.filter((o): o is string => typeof o === 'string');
    if (e.requestId !== undefined) row.requestId = e.requestId;
    const reportedAt = num(e.data?.reportedAt);
    if (reportedAt !== undefined) row.reportedAt = reportedAt;
    timeline[i] = row;
  }
  for (const id of [incident.commanderId, incident.startedBy, ...incident.participants]) {
    if (!seenPeople.has(id) && isPerson(id)) {
      seenPeople.add(id);
      participantIds.push(id);
    }
  }

  const k = keyMoments(incident, events);
  const actions = buildActions(events, { time, person, span, plain });
  const ran = actions.filter((a) => a.outcome === ActionOutcome.Finished || a.outcome === ActionOutcome.Failed || a.outcome === ActionOutcome.Running);
  const ranSet = new Set(ran);
  const backups = collectBackups(events, input.backups ?? [], actions);
  const reads = buildReads(events, { time, person, span, plain });

  const pm: Postmortem = {
    v: 2,
    incident: {
      id: incident.id,
      title: plain(incident.title),
      severity: incident.severity,
      severityLabel: severityLabel(incident.severity),
      status: incident.status,
      channelId: incident.channelId,
      channelLabel: `#${input.channels?.[incident.channelId] ?? incident.channelId}`,
      commander: person(incident.commanderId),
      startedBy: person(incident.startedBy),
    },
    ...(incident.summary ? { summary: plain(incident.summary) } : {}),
    timeZone: zone.timeZone,
    zoneLabel: zone.zoneLabel(Math.min(k.began, incident.startedAt), lastAt),
    participants: participantIds.map(person),
    impact: {
      from: time(k.began),
      ...(k.mitigated !== undefined ? { to: time(k.mitigated), duration: span(k.began, k.mitigated) } : {}),
      ongoing: k.mitigated === undefined,
    },
    keyTimes: {
      began: time(k.began),
      started: time(incident.startedAt),
      detected: time(k.detected),
      ...(k.acknowledged !== undefined ? { acknowledged: time(k.acknowledged) } : {}),
      ...(k.firstAction !== undefined ? { firstAction: time(k.firstAction) } : {}),
      ...(k.mitigated !== undefined ? { mitigated: time(k.mitigated) } : {}),
      ...(k.resolved !== undefined ? { resolved: time(k.resolved) } : {}),
    },
    durations: {
      toDetect: span(k.began, k.detected),
      ...(k.acknowledged !== undefined ? { toAcknowledge: span(k.detected, k.acknowledged) } : {}),
      ...(k.firstAction !== undefined ? { toFirstAction: span(k.began, k.firstAction) } : {}),
      ...(k.mitigated !== undefined ? { toMitigate: span(k.began, k.mitigated) } : {}),
      ...(k.resolved !== undefined ? { toResolve: span(k.began, k.resolved) } : {}),
    },
    timeline,
    actions: ran,
    notRun: actions.filter((a) => !ranSet.has(a)),
    reads,
    backups,
    review: { rootCause: [], wentWell: [], wentWrong: [], lessons: [], followUps: [] },
  };
  pm.review = reviewPrompts(pm);
  return pm;
}

interface Moments {
  began: number;
  detected: number;
  acknowledged?: number;
  firstAction?: number;
  mitigated?: number;
  resolved?: number;
}

/** The incident's key moments from its timeline (see Postmortem.keyTimes for what each means). */
function keyMoments(incident: PostmortemInput['incident'], events: readonly TimelineEvent[]): Moments {
  const firstAlert = events.find((e) => e.kind === EventKind.AlertFiring);
  // The first sign from the cluster: a Warning, or a node going NotReady (a Normal event upstream).
  const firstWarning = events.find((e) => e.kind === EventKind.ClusterEvent && (e.data?.type === 'Warning' || e.data?.reason === 'NodeNotReady'));
  const began = Math.min(incident.startedAt, firstAlert?.at ?? Infinity, firstWarning?.at ?? Infinity);
  const detected = firstAlert?.at ?? incident.startedAt;
  const personal = (e: TimelineEvent) => isPerson(e.actor) && (e.kind === EventKind.IncidentStarted || e.kind === EventKind.Command || e.kind === EventKind.IncidentNote || e.kind.startsWith('approval.') || e.kind.startsWith('incident.'));
  const acknowledged = events.find((e) => e.at >= detected && personal(e))?.at ?? (isPerson(incident.startedBy) && incident.startedAt >= detected ? incident.startedAt : undefined);
  const firstAction = events.find((e) => e.kind === EventKind.JobStarted)?.at;
  // Every alert resolved is mitigation too, if it came before anyone said so.
  let alertsClear: number | undefined;
  const firing = new Set<string>();
  for (const e of events) {
    const fp = str(e.data?.fingerprint);
    if (!fp) continue;
    if (e.kind === EventKind.AlertFiring) firing.add(fp);
    else if (e.kind === EventKind.AlertResolved && firing.delete(fp) && firing.size === 0 && alertsClear === undefined) alertsClear = e.at;
  }
  const statusMitigated = incident.mitigatedAt ?? events.find((e) => (e.kind === EventKind.IncidentStatus || e.kind === EventKind.IncidentResolved) && (e.data?.to === IncidentStatus.Monitoring || e.data?.to === IncidentStatus.Resolved))?.at;
  const mitigatedCandidates = [statusMitigated, alertsClear].filter((x): x is number => x !== undefined);
  const mitigated = mitigatedCandidates.length ? Math.min(...mitigatedCandidates) : undefined;
  const resolved = incident.resolvedAt ?? events.find((e) => e.kind === EventKind.IncidentResolved)?.at;
  return {
    began,
    detected,
    ...(acknowledged !== undefined ? { acknowledged } : {}),
    ...(firstAction !== undefined ? { firstAction } : {}),
    ...(mitigated !== undefined ? { mitigated } : {}),
    ...(resolved !== undefined ? { resolved } : {}),
  };
}

/** Read-only commands, one line each. */
function buildReads(events: readonly TimelineEvent[], h: Helpers): PmRead[] {
  return events
    .filter((e) => e.kind === EventKind.Command && e.requestId !== undefined && isRead(e))
    .map((e) => ({ requestId: e.requestId!, command: h.plain(commandText(e)), ...(isPerson(e.actor) ? { requestedBy: h.person(e.actor) } : {}), at: h.time(e.at) }));
}

/**
 * Stable sort by the second of `at`, keeping the given (recorded) order within a second, as
 * Timeline.read orders (causal-order.ts, secondOf); so the common case is a check, not a sort.
 */
export function inTimeOrder(events: readonly TimelineEvent[]): readonly TimelineEvent[] {
  let sorted = true;
  for (let i = 1; i < events.length && sorted; i++) sorted = secondOf(events[i - 1]!.at) <= secondOf(events[i]!.at);
  if (sorted) return events;
  return events.map((e, i) => ({ e, i })).sort((a, b) => secondOf(a.e.at) - secondOf(b.e.at) || a.i - b.i).map((x) => x.e);
}

interface Helpers {
  time: (at: number) => PmTime;
  person: (id: string) => PmPerson;
  span: (from: number, to: number) => PmDuration;
  /** Redacted plain text (Slack tokens resolved to names). */
  plain: (text: string) => string;
}

function buildActions(events: readonly TimelineEvent[], h: Helpers): PmAction[] {
  const byRequest = new Map<string, TimelineEvent[]>();
  for (const e of events) {
    if (e.requestId === undefined || !REQUEST_KINDS.has(e.kind)) continue;
    let list = byRequest.get(e.requestId);
    if (!list) byRequest.set(e.requestId, (list = []));
    list.push(e);
  }
  const actions: PmAction[] = [];
  for (const [requestId, list] of byRequest) {
    const command = list.find((e) => e.kind === EventKind.Command);
    if (isRead(command)) continue;
    const refused = command?.data?.allowed === false;
    if (!refused && !list.some(isClusterAction) && !list.some((e) => e.kind === EventKind.Plan || e.kind.startsWith('approval.'))) continue;
    const action = buildAction(requestId, list, h);
    if (action) actions.push(action);
  }
  return actions;
}

function buildAction(requestId: string, list: readonly TimelineEvent[], h: Helpers): PmAction | undefined {
  const command = list.find((e) => e.kind === EventKind.Command);
  if (command && commandText(command).startsWith('/incident')) return undefined;
  const started = list.find((e) => e.kind === EventKind.JobStarted);
  const plan = [...list].reverse().find((e) => e.kind === EventKind.Plan);

  const approvers: string[] = [];
  const rejecters: string[] = [];
  const warnings: PmWarning[] = [];
  const warningKeys = new Set<string>();
  const changed: string[] = [];
  const unavailable: { target: string; ms: number }[] = [];
  const addUnique = (into: string[], id: string): void => {
    if (!into.includes(id)) into.push(id);
  };
  let end: TimelineEvent | undefined;
  let decision: TimelineEvent | undefined;

  for (const e of list) {
    if (e.kind === EventKind.Plan || e.kind.startsWith('approval.')) {
      for (const w of warningsOf(e)) {
        const key = `${w.code}\u0000${w.message}`;
        if (!warningKeys.has(key)) {
          warningKeys.add(key);
          warnings.push(w);
        }
      }
    }
    if (e.kind === EventKind.Approved) {
      addUnique(approvers, e.actor);
      decision = e;
    } else if (e.kind === EventKind.Rejected) {
      addUnique(rejecters, e.actor);
      decision = e;
    } else if (e.kind === EventKind.Expired || e.kind === EventKind.Cancelled) {
      decision = e;
    } else if (e.kind === EventKind.JobFinished || e.kind === EventKind.JobFailed) {
      end = e;
      const c = e.data?.changed;
      if (Array.isArray(c)) for (const x of c) if (typeof x === 'string') addUnique(changed, redactText(x));
    }
    unavailable.push(...unavailableOf(e));
  }

  let outcome: ActionOutcome;
  let outcomeText: string;
  let failureCode: string | undefined;
  if (end?.kind === EventKind.JobFinished) {
    outcome = ActionOutcome.Finished;
    outcomeText = str(end.data?.summary) ?? end.text;
  } else if (end?.kind === EventKind.JobFailed) {
    outcome = ActionOutcome.Failed;
    outcomeText = str(end.data?.message) ?? end.text;
    failureCode = str(end.data?.code);
  } else if (started) {
    outcome = ActionOutcome.Running;
    outcomeText = 'Still running when this was written.';
  } else if (command?.data?.allowed === false) {
    outcome = ActionOutcome.Refused;
    outcomeText = str(command.data?.refusedBecause) ?? 'Refused by the policy: nothing was planned or run.';
  } else if (str(plan?.data?.refused)) {
    // Refused by its own plan (kubectl drain's filters, a fence of a live node): nothing ran.
    outcome = ActionOutcome.Refused;
    outcomeText = `Refused by its plan: ${str(plan!.data!.refused)}`;
  } else if (decision?.kind === EventKind.Rejected) {
    outcome = ActionOutcome.Rejected;
    outcomeText = decision.text || 'Rejected.';
  } else if (decision?.kind === EventKind.Expired) {
    outcome = ActionOutcome.Expired;
    outcomeText = decision.text || 'The approval request expired.';
  } else if (decision?.kind === EventKind.Cancelled) {
    outcome = ActionOutcome.Cancelled;
    outcomeText = decision.text || 'Cancelled.';
  } else if (decision?.kind === EventKind.Approved) {
    outcome = ActionOutcome.Approved;
    outcomeText = 'Approved; the job had not started when this was written.';
  } else if (list.some((e) => e.kind === EventKind.ApprovalRequested)) {
    outcome = ActionOutcome.AwaitingApproval;
    outcomeText = 'Waiting for approval when this was written.';
  } else if (plan) {
    outcome = ActionOutcome.Planned;
    outcomeText = str(plan.data?.summary) ?? plan.text;
  } else {
    outcome = ActionOutcome.Requested;
    outcomeText = command?.text ?? '';
  }

  const first = list[0]!;
  const verb = str(started?.data?.verb);
  const target = str(started?.data?.target);
  const cluster = list.find((e) => e.cluster)?.cluster;
  const durationMs = num(end?.data?.durationMs);
  const action: PmAction = {
    requestId,
    command: h.plain(command ? commandText(command) : verb ? `${verb} ${target ?? ''}`.trim() : requestId),
    approvedBy: approvers.map(h.person),
    rejectedBy: rejecters.map(h.person),
    warnings,
    blocked: blocksOf(list, end, h),
    outcome,
    outcomeText: h.plain(outcomeText),
    changed,
    unavailable,
  };
  if (cluster) action.cluster = cluster;
  if (verb) action.verb = verb;
  if (target) action.target = target;
  if (command) {
    action.requestedBy = h.person(command.actor);
    action.requestedAt = h.time(command.at);
  } else {
    action.requestedAt = h.time(first.at);
  }
  if (failureCode) action.failureCode = failureCode;
  if (started) action.startedAt = h.time(started.at);
  if (end) action.endedAt = h.time(end.at);
  if (durationMs !== undefined) action.duration = { ms: durationMs, text: formatDuration(durationMs) };
  else if (started && end) action.duration = h.span(started.at, end.at);
  return action;
}

/**
 * What the job waited on: job.blocked events grouped by target and reason. The wait runs from
 * the first block until the next job event that is not that same block (the job moved on), or
 * the job's end.
 */
function blocksOf(list: readonly TimelineEvent[], end: TimelineEvent | undefined, h: Helpers): PmBlock[] {
  const groups = new Map<string, { target: string; reason: string; first: number; lastIndex: number; times: number }>();
  list.forEach((e, i) => {
    if (e.kind !== EventKind.JobBlocked) return;
    const target = str(e.data?.target) ?? '';
    const reason = redactText(str(e.data?.reason) ?? e.text);
    const key = `${target}\u0000${reason}`;
    const g = groups.get(key);
    if (g) {
      g.times++;
      g.lastIndex = i;
    } else {
      groups.set(key, { target, reason, first: e.at, lastIndex: i, times: 1 });
    }
  });
  return [...groups.values()].map((g) => {
    let until = end?.at ?? list[list.length - 1]!.at;
    for (let i = g.lastIndex + 1; i < list.length; i++) {
      const e = list[i]!;
      if (!JOB_KINDS.has(e.kind)) continue;
      if (e.kind === EventKind.JobBlocked && (str(e.data?.target) ?? '') === g.target) continue;
      until = e.at;
      break;
    }
    return { target: g.target, reason: g.reason, times: g.times, since: h.time(g.first), waited: h.span(g.first, until) };
  });
}

function collectBackups(
  events: readonly TimelineEvent[],
  given: readonly { requestId: string; name: string; objects: number }[],
  actions: readonly PmAction[],
): Postmortem['backups'] {
  const commands = new Map(actions.map((a) => [a.requestId, a.command]));
  const out: Postmortem['backups'] = [];
  const seen = new Set<string>();
  const add = (requestId: string, name: string, objects: number): void => {
    const key = `${requestId}\u0000${name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const command = commands.get(requestId);
    out.push({ requestId, ...(command ? { command } : {}), name: redactText(name), objects });
  };
  for (const e of events) {
    if (e.kind !== EventKind.JobBackup) continue;
    const name = str(e.data?.name);
    if (name) add(e.requestId ?? '', name, num(e.data?.objects) ?? 0);
  }
  for (const b of given) add(b.requestId, b.name, b.objects);
  return out;
}
