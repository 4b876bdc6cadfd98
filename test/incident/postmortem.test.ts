import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { BadArgsError } from '../../src/core/errors.js';
import { EventKind, type TimelineEvent } from '../../src/core/timeline-event.js';
import { IncidentStatus, IncidentStore, type Incident } from '../../src/incident/incident-store.js';
import { Timeline } from '../../src/incident/timeline.js';
import { buildPostmortem, type Postmortem } from '../../src/incident/postmortem-model.js';
import { renderPostmortem } from '../../src/incident/postmortem.js';
import { postmortemMarkdown } from '../../src/incident/postmortem-markdown.js';
import { summarizeForSlack } from '../../src/chat/render/postmortem-summary.js';
import { renderTimeline } from '../../src/chat/render/timeline-text.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

const T = Date.UTC(2026, 10, 23, 14, 3, 0); // 14:03 UTC, 22:03 in Shanghai
const S = 1000;
const M = 60_000;

let server: TestRedis;
let redis: Redis;
let incident: Incident;
let events: TimelineEvent[];

/** A Markdown table's rows after the header line that starts with `headerStart`, split into cells. */
function tableAfter(md: string, headerStart: string): string[][] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(headerStart));
  expect(start, `table ${headerStart}`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    rows.push(lines[i]!.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

/** Parses a table time back to an instant, given the offset the header names. */
function instant(local: string, offset: string): number {
  return Date.parse(`${local.replace(' ', 'T')}${offset}`);
}

/**
 * The scripted incident, through the real store and timeline: start, a drain with plan
 * warnings approved by a second person, blocked twice by a PDB, a backup, a note, a second
 * command rejected, monitoring, resolve.
 */
async function scriptedIncident(): Promise<{ incident: Incident; events: TimelineEvent[] }> {
  let now = T;
  const store = new IncidentStore(redis, { prefix: 'pm', clock: { now: () => now } });
  const timeline = new Timeline(redis, { prefix: 'pm' });
  const inc = await store.start({ channelId: 'C1', title: 'API down', severity: 2, startedBy: 'U1' });
  const r1 = { requestId: 'req-drain', cluster: 'prod' };
  const r2 = { requestId: 'req-scale', cluster: 'prod' };
  const add = (key: string, kind: string, at: number, actor: string, text: string, extra: Partial<TimelineEvent> = {}) =>
    timeline.append(inc.id, { v: 1, key, kind, at, actor, text, ...extra });

  await add('c1', EventKind.Command, T + 2 * M, 'U1', '/k8s drain node02', { ...r1, data: { text: '/k8s drain node02' } });
  await add('p1', EventKind.Plan, T + 2 * M + 3 * S, 'sitrep', 'Plan: cordon node02, evict 4 pods (2 warnings)', {
    ...r1,
    data: {
      summary: 'Cordon node02 and evict 4 pods',
      warnings: [
        { code: 'local-data', severity: 'danger', message: 'pod shop/cache-0 uses emptyDir: its data is lost on eviction', objects: ['pod/shop/cache-0'] },
        { code: 'single-replica', severity: 'warning', message: 'deployment shop/checkout has 1 replica: it is down until rescheduled', objects: ['deployment/shop/checkout'] },
      ],
    },
  });
  await add('ar1', EventKind.ApprovalRequested, T + 2 * M + 4 * S, 'sitrep', 'Approval requested (1 of U2, U3)', { ...r1, data: { approvalId: 'a1', needed: 1, approvers: ['U2', 'U3'] } });
  await add('ok1', EventKind.Approved, T + 4 * M, 'U2', 'Approved', { ...r1, data: { approvalId: 'a1', needed: 1, approvers: ['U2'] } });
  await add('js1', EventKind.JobStarted, T + 4 * M + 1 * S, 'worker:w1', 'Drain of node02 started', { ...r1, data: { verb: 'drain', target: 'node/node02' } });
  await add('jk1', EventKind.JobBackup, T + 4 * M + 2 * S, 'worker:w1', 'Saved backup-node02 (12 objects)', { ...r1, data: { name: 'backup-node02', objects: 12 } });
  const pdb = { target: 'pod/shop/web-1', reason: 'PodDisruptionBudget web-pdb allows 0 disruptions' };
  await add('jb1', EventKind.JobBlocked, T + 5 * M, 'worker:w1', 'Eviction of shop/web-1 refused by PDB web-pdb', { ...r1, data: pdb });
  await add('jb2', EventKind.JobBlocked, T + 10 * M, 'worker:w1', 'Eviction of shop/web-1 still refused by PDB web-pdb', { ...r1, data: pdb });
  await add('jf1', EventKind.JobFinished, T + 15 * M, 'worker:w1', 'node02 drained: 4 pods evicted', {
    ...r1,
    data: { summary: 'node02 drained: 4 pods evicted', changed: ['node/node02 cordoned', 'pod/shop/web-1 evicted'], unchanged: [], durationMs: 10 * M + 59 * S, unavailable: [{ target: 'deployment/shop/checkout', ms: 40 * S }] },
  });
  await add('n1', EventKind.IncidentNote, T + 16 * M, 'U3', 'p99 back to normal | dashboards green\nwatching for 10m');
  await add('c2', EventKind.Command, T + 20 * M, 'U3', '/k8s scale deploy/web 0', { ...r2, data: { text: '/k8s scale deploy/web 0' } });
  await add('ar2', EventKind.ApprovalRequested, T + 20 * M + 2 * S, 'sitrep', 'Approval requested', { ...r2, data: { approvalId: 'a2', needed: 1, approvers: ['U1'] } });
  await add('rj2', EventKind.Rejected, T + 21 * M, 'U1', 'Rejected: web is serving again', r2);
  now = T + 25 * M;
  await store.update(inc.id, { status: IncidentStatus.Monitoring }, 'U1');
  now = T + 41 * M + 10 * S;
  const resolved = await store.resolve(inc.id, 'U1', 'A node went bad; draining it moved the API pods to healthy nodes.');
  return { incident: resolved, events: await timeline.read(inc.id) };
}

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
  ({ incident, events } = await scriptedIncident());
});
afterAll(async () => {
  await server?.stop();
});

describe('postmortem of a scripted incident', () => {
  it('shows every event in order, with actors and UTC times', () => {
    const md = renderPostmortem({ incident, events, format: 'md' });
    expect(md).toContain('| Time | Source | Actor | What |');
    expect(md).toContain('| Times shown in | UTC |');
    const rows = tableAfter(md, '| Time |');
    expect(events).toHaveLength(16);
    expect(rows.map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
      ['2026-11-23 14:03:00 UTC', 'person', 'U1', 'Incident started: API down (SEV2)'],
      ['2026-11-23 14:05:00 UTC', 'person', 'U1', '/k8s drain node02'],
      ['2026-11-23 14:05:03 UTC', 'sitrep', 'sitrep', 'Plan: cordon node02, evict 4 pods (2 warnings)'],
      ['2026-11-23 14:05:04 UTC', 'sitrep', 'sitrep', 'Approval requested (1 of U2, U3)'],
      ['2026-11-23 14:07:00 UTC', 'person', 'U2', 'Approved'],
      ['2026-11-23 14:07:01 UTC', 'sitrep', 'worker:w1', 'Drain of node02 started'],
      ['2026-11-23 14:07:02 UTC', 'sitrep', 'worker:w1', 'Saved backup-node02 (12 objects)'],
      ['2026-11-23 14:08:00 UTC', 'sitrep', 'worker:w1', 'Eviction of shop/web-1 refused by PDB web-pdb'],
      ['2026-11-23 14:13:00 UTC', 'sitrep', 'worker:w1', 'Eviction of shop/web-1 still refused by PDB web-pdb'],
      ['2026-11-23 14:18:00 UTC', 'sitrep', 'worker:w1', 'node02 drained: 4 pods evicted'],
      ['2026-11-23 14:19:00 UTC', 'person', 'U3', 'p99 back to normal \\| dashboards green<br>watching for 10m'],
      ['2026-11-23 14:23:00 UTC', 'person', 'U3', '/k8s scale deploy/web 0'],
      ['2026-11-23 14:23:02 UTC', 'sitrep', 'sitrep', 'Approval requested'],
      ['2026-11-23 14:24:00 UTC', 'person', 'U1', 'Rejected: web is serving again'],
      ['2026-11-23 14:28:00 UTC', 'person', 'U1', 'Status investigating → monitoring'],
      ['2026-11-23 14:44:10 UTC', 'person', 'U1', 'Incident resolved'],
    ]);
  });

  it('keeps entries of one second in the order they were recorded: the eviction Kubernetes dates to the whole second stays after the approval that caused it', async () => {
    const store = new IncidentStore(redis, { prefix: 'pm-second', clock: { now: () => T } });
    const timeline = new Timeline(redis, { prefix: 'pm-second' });
    const inc = await store.start({ channelId: 'C1', title: 'node02 leaking memory', severity: 2, startedBy: 'U1' });
    const r = { requestId: 'req-sec', cluster: 'prod' };
    const add = (key: string, kind: string, at: number, actor: string, text: string, extra: Partial<TimelineEvent> = {}) => timeline.append(inc.id, { v: 1, key, kind, at, actor, text, ...extra });
    await add('c', EventKind.Command, T + 2 * M, 'U1', '/k8s drain node02', { ...r, data: { text: '/k8s drain node02' } });
    await add('ok', EventKind.Approved, T + 3 * M + 700, 'U2', 'Approved', { ...r, data: { approvalId: 'a1', needed: 1, approvers: ['U2'] } });
    await add('js', EventKind.JobStarted, T + 3 * M + 750, 'worker:w1', 'Drain of node02 started', { ...r, data: { verb: 'drain', target: 'node/node02' } });
    // Evicted at T + 3m + 0.9s; the Event's time says T + 3m, to the second.
    await add('ev', EventKind.ClusterEvent, T + 3 * M, 'cluster:prod', 'Evicted pod/shop/web-1', { cluster: 'prod', data: { type: 'Normal', reason: 'Evicted', objects: ['pod/shop/web-1'] } });
    const md = renderPostmortem({ incident: inc, events: await timeline.read(inc.id), format: 'md' });
    expect(tableAfter(md, '| Time |').map((row) => row[3])).toEqual(['Incident started: node02 leaking memory (SEV2)', '/k8s drain node02', 'Approved', 'Drain of node02 started', 'Evicted pod/shop/web-1']);
  });

  it('lists a drain its plan refused under "Requested, not run" as refused, with why', () => {
    const r = { requestId: 'req-refused', cluster: 'prod' };
    const refusal = 'cannot delete Pods with local storage (use --delete-emptydir-data to override): shop/cache-0';
    const withRefused: TimelineEvent[] = [
      ...events,
      { v: 1, key: 'rc', kind: EventKind.Command, at: T + 2 * M - 30 * S, actor: 'U1', text: '/k8s drain node02', ...r, data: { text: '/k8s drain node02', allowed: true, read: false } },
      { v: 1, key: 'rp', kind: EventKind.Plan, at: T + 2 * M - 29 * S, actor: 'sitrep', text: 'Plan: drain of node02 refused', ...r, data: { summary: 'Drain of node02 refused', warnings: [], actions: 0, refused: refusal } },
    ];
    const md = renderPostmortem({ incident, events: withRefused, format: 'md' });
    const notRun = md.slice(md.indexOf('## Requested, not run'), md.indexOf('## Read-only commands'));
    expect(notRun).toContain('**refused**: Refused by its plan: cannot delete Pods with local storage');
    expect(md.slice(md.indexOf('## Actions on the cluster'), md.indexOf('## Requested, not run'))).not.toContain('Drain of node02 refused');
  });

  it('computes key times and durations from the incident and its events', () => {
    const md = renderPostmortem({ incident, events, format: 'md' });
    expect(tableAfter(md, '| Moment |')).toEqual([
      ['Impact began', '2026-11-23 14:03:00 UTC', '0s'],
      ['Detected', '2026-11-23 14:03:00 UTC', '0s'],
      ['Acknowledged', '2026-11-23 14:03:00 UTC', '0s'],
      ['Incident opened', '2026-11-23 14:03:00 UTC', '0s'],
      ['First action', '2026-11-23 14:07:01 UTC', '4m 1s'],
      ['Mitigated', '2026-11-23 14:28:00 UTC', '25m'],
      ['Resolved', '2026-11-23 14:44:10 UTC', '41m 10s'],
    ]);
    expect(md).toContain('TTD (time to detect): 0s · TTA (to acknowledge): 0s · TTM (to mitigate): 25m · TTR (to resolve): 41m 10s');
    expect(md).toContain('Impact window: 2026-11-23 14:03:00 UTC → 2026-11-23 14:28:00 UTC (25m)');
  });

  it('lists the actions with who asked, who approved or rejected, the warnings and the outcome', () => {
    const md = renderPostmortem({ incident, events, format: 'md' });
    const drain = md.slice(md.indexOf('### 1. `/k8s drain node02`'), md.indexOf('## Requested, not run'));
    for (const line of [
      '- Requested by: U1 at 2026-11-23 14:05:00 UTC on cluster `prod`',
      '- Approved by: U2',
      '  - danger `local-data`: pod shop/cache-0 uses emptyDir: its data is lost on eviction',
      '  - warning `single-replica`: deployment shop/checkout has 1 replica',
      '- Blocked: `pod/shop/web-1` 2 times from 2026-11-23 14:08:00 UTC for 10m: PodDisruptionBudget web-pdb allows 0 disruptions',
      '- Outcome: **finished**: node02 drained: 4 pods evicted',
      '- Ran: 2026-11-23 14:07:01 UTC → 2026-11-23 14:18:00 UTC (10m 59s)',
    ]) expect(drain).toContain(line);
    // The rejected scale never ran: it is not an action, it is listed with what did not run.
    expect(md).not.toContain('### 2.');
    const notRun = md.slice(md.indexOf('## Requested, not run'), md.indexOf('## Read-only commands'));
    expect(notRun).toContain('- `/k8s scale deploy/web 0` by U3 at 2026-11-23 14:23:00 UTC: **rejected**, rejected by U1: Rejected: web is serving again');
    expect(md).toContain('- `backup-node02`: 12 objects, by `/k8s drain node02` (request `req-drain`)');
  });

  it('pre-fills blameless review prompts from what happened', () => {
    const md = renderPostmortem({ incident, events, format: 'md' });
    const review = md.slice(md.indexOf('## Review'));
    for (const line of [
      '- The drain of node02 waited 10m on PodDisruptionBudget web-pdb (blocked 2 times): was the budget right?',
      "- A plan warning was approved through: 'local-data: pod shop/cache-0 uses emptyDir: its data is lost on eviction' — was the data safe?",
      '- checkout had a single replica and was down for ~40s during the drain of node02: should it run at least two?',
      '- `/k8s scale deploy/web 0` was stopped at approval ("Rejected: web is serving again"): did the plan show enough to decide?',
      '- 1 cluster action completed: `/k8s drain node02`. Which tools or runbooks made it quick?',
      '- Impact was mitigated 25m after the incident started: what helped most?',
    ]) expect(review).toContain(line);
    expect(review).not.toContain('How were we alerted'); // first action after 2m
    for (const heading of ['### Root cause', '### What went well', '### What went wrong', '### Lessons', '### Follow-up actions']) expect(review).toContain(heading);
  });

  it('shows the same instants in UTC and Asia/Shanghai', () => {
    const utc = renderPostmortem({ incident, events, format: 'md', timeZone: 'UTC' });
    const sha = renderPostmortem({ incident, events, format: 'md', timeZone: 'Asia/Shanghai' });
    expect(sha).toContain('| Times shown in | Asia/Shanghai, UTC+08:00 |');
    const u = tableAfter(utc, '| Time |');
    const s = tableAfter(sha, '| Time |');
    expect(u[0]![0]).toBe('2026-11-23 14:03:00 UTC');
    expect(s[0]![0]).toBe('2026-11-23 22:03:00 UTC+08:00');
    expect(s.map((r) => instant(r[0]!.slice(0, 19), '+08:00'))).toEqual(u.map((r) => instant(r[0]!.slice(0, 19), 'Z')));
    expect(u.map((r) => instant(r[0]!.slice(0, 19), 'Z'))).toEqual(events.map((e) => Math.floor(e.at / 1000) * 1000));
    expect(s.map((r) => r.slice(1))).toEqual(u.map((r) => r.slice(1)));
  });

  it('marks each time with its offset when the zone changes offset during the incident', () => {
    // US daylight saving ends 2026-11-01 at 06:00 UTC: an incident across it shows EDT then EST.
    const start = Date.UTC(2026, 10, 1, 5, 30);
    const inc: Incident = { ...incident, startedAt: start, mitigatedAt: start + 50 * M, resolvedAt: start + 60 * M };
    const evs: TimelineEvent[] = [0, 20, 40, 60].map((m, i) => ({ v: 1, key: `e${i}`, kind: EventKind.IncidentNote, at: start + m * M, actor: 'U1', text: `note ${i}` }));
    const md = renderPostmortem({ incident: inc, events: evs, format: 'md', timeZone: 'America/New_York' });
    expect(md).toContain('| Times shown in | America/New_York, EDT UTC-04:00 → EST UTC-05:00 |');
    const rows = tableAfter(md, '| Time |');
    expect(rows.map((r) => r[0])).toEqual(['2026-11-01 01:30:00 UTC-04:00', '2026-11-01 01:50:00 UTC-04:00', '2026-11-01 01:10:00 UTC-05:00', '2026-11-01 01:30:00 UTC-05:00']);
    expect(rows.map((r) => instant(r[0]!.slice(0, 19), r[0]!.slice(23)))).toEqual(evs.map((e) => e.at));
  });

  it('refuses an unknown time zone with the right form', () => {
    expect(() => renderPostmortem({ incident, events, format: 'md', timeZone: 'Mars/Olympus' })).toThrow(BadArgsError);
    expect(() => renderPostmortem({ incident, events, format: 'md', timeZone: 'Mars/Olympus' })).toThrow(/IANA name/);
  });

  it('renders JSON with the same facts as the Markdown', () => {
    const md = renderPostmortem({ incident, events, format: 'md', timeZone: 'Asia/Shanghai' });
    const pm = JSON.parse(renderPostmortem({ incident, events, format: 'json', timeZone: 'Asia/Shanghai' })) as Postmortem;
    expect(pm.incident).toMatchObject({ id: incident.id, title: 'API down', severityLabel: 'SEV2', status: 'resolved' });
    expect(pm.durations.toMitigate).toEqual({ ms: 25 * M, text: '25m' });
    expect(pm.durations.toResolve).toEqual({ ms: 41 * M + 10 * S, text: '41m 10s' });
    expect(pm.participants.map((p) => p.id)).toEqual(['U1', 'U2', 'U3']);
    const rows = tableAfter(md, '| Time |');
    expect(pm.v).toBe(2);
    expect(pm.timeline.map((r) => [r.time, r.source, r.actorLabel])).toEqual(rows.map((r) => [r[0], r[1], r[2]]));
    expect(pm.timeline.map((r) => r.what.replace(/\|/g, '\\|').replace(/\n/g, '<br>'))).toEqual(rows.map((r) => r[3]));
    expect(pm.actions.map((a) => [a.command, a.outcome, a.requestedBy?.id, a.approvedBy.map((p) => p.id), a.rejectedBy.map((p) => p.id)])).toEqual([['/k8s drain node02', 'finished', 'U1', ['U2'], []]]);
    expect(pm.notRun.map((a) => [a.command, a.outcome, a.requestedBy?.id, a.rejectedBy.map((p) => p.id)])).toEqual([['/k8s scale deploy/web 0', 'rejected', 'U3', ['U1']]]);
    for (const prompt of Object.values(pm.review).flat()) expect(md).toContain(`- ${prompt}`);
    expect(md).toContain(`| Participants | ${pm.participants.map((p) => p.label).join(', ')} |`);
  });

  it('uses a name map when given and is deterministic', () => {
    const names = { U1: 'alice', U2: 'bob' };
    const a = renderPostmortem({ incident, events, format: 'md', names });
    expect(a).toBe(renderPostmortem({ incident, events, format: 'md', names }));
    expect(tableAfter(a, '| Time |')[4]!.slice(2, 3)).toEqual(['bob']);
    expect(a).toContain('| Participants | alice, bob, U3 |');
  });

  it('summarises for Slack within its limits', () => {
    const { text, blocks } = summarizeForSlack(buildPostmortem({ incident, events }));
    expect(text).toContain("Postmortem for " + incident.id + " 'API down' (SEV2, resolved, resolved in 41m 10s)");
    expect(blocks.length).toBeLessThanOrEqual(50);
    const json = JSON.stringify(blocks);
    expect(json).toContain('*Time to mitigate*\\n25m');
    expect(json).toContain('/k8s drain node02');
    expect(json).toContain('*finished* in 10m 59s, approved by <@U2>');
  });

  it('renders the /incident timeline as one mrkdwn line per event', () => {
    const text = renderTimeline(events, { incident, timeZone: 'Asia/Shanghai' });
    const lines = text.split('\n');
    expect(lines[0]).toBe(`*${incident.id}: API down* · timeline, times in Asia/Shanghai, UTC+08:00`);
    expect(lines[1]).toBe('*2026-11-23*');
    expect(lines[2]).toBe('`22:03:00` <@U1> Incident started: API down (SEV2)');
    expect(lines).toContain('`22:19:00` <@U3> p99 back to normal | dashboards green watching for 10m');
    expect(lines).toHaveLength(2 + events.length);
    const last3 = renderTimeline(events, { incident, limit: 3 }).split('\n');
    expect(last3[1]).toBe(`_…${events.length - 3} earlier events; the postmortem has them all._`);
    expect(last3.at(-1)).toBe('`14:44:10` <@U1> Incident resolved');
  });
});

describe('postmortem edge cases', () => {
  const base: Incident = {
    id: 'inc-2026-11-23-beef', channelId: 'C9', title: 'Slow | weird\ntitle', severity: 3, commanderId: 'U1', startedBy: 'U1',
    status: 'investigating', startedAt: T, channelOnly: false, participants: ['U1'],
  };

  it('asks how we were alerted after a slow first action, and why a job failed', () => {
    const r = { requestId: 'r1' };
    const evs: TimelineEvent[] = [
      { v: 1, key: 'c', kind: EventKind.Command, at: T + 30 * M, actor: 'U1', text: '/k8s rollout restart deploy/api', ...r },
      { v: 1, key: 's', kind: EventKind.JobStarted, at: T + 31 * M, actor: 'worker:w', text: 'Restart started', ...r, data: { verb: 'restart', target: 'deployment/shop/api' } },
      { v: 1, key: 'f', kind: EventKind.JobFailed, at: T + 33 * M, actor: 'worker:w', text: 'Restart failed', ...r, data: { message: 'rollout did not finish in 2m', code: 'sitrep_timeout' } },
    ];
    const pm = buildPostmortem({ incident: base, events: evs });
    expect(pm.review.wentWrong).toContain('The first action came 31m after the incident started: how were we alerted, and what did the first minutes go to?');
    expect(pm.review.rootCause).toContain('Why did the restart of shop/api fail? It reported: "rollout did not finish in 2m" (sitrep_timeout).');
    expect(pm.impact.ongoing).toBe(true);
    expect(pm.durations.toMitigate).toBeUndefined();
    const md = renderPostmortem({ incident: base, events: evs, format: 'md' });
    expect(md).toContain('| Title | Slow \\| weird<br>title |');
    expect(md).toContain('| Mitigated | — | — |');
  });

  it('renders 10,000 events correctly', () => {
    const evs: TimelineEvent[] = [];
    for (let i = 0; i < 10_000; i++) {
      const req = `r${Math.floor(i / 10)}`;
      const kinds = [EventKind.Command, EventKind.Plan, EventKind.ApprovalRequested, EventKind.Approved, EventKind.JobStarted, EventKind.JobProgress, EventKind.JobProgress, EventKind.JobBlocked, EventKind.JobProgress, EventKind.JobFinished];
      const kind = kinds[i % 10]!;
      evs.push({
        v: 1, key: `k${i}`, kind, at: T + i * 1000, actor: i % 10 >= 4 ? 'worker:w1' : `U${i % 3}`, text: `event ${i} | step ${i % 10}`, requestId: req,
        ...(kind === EventKind.Command ? { data: { text: `/k8s cordon node${i}` } } : {}),
        ...(kind === EventKind.JobBlocked ? { data: { target: `pod/ns/p${i}`, reason: 'PodDisruptionBudget pdb-x allows 0 disruptions' } } : {}),
        ...(kind === EventKind.JobStarted ? { data: { verb: 'cordon', target: `node/node${i}` } } : {}),
      });
    }
    const inc: Incident = { ...base, status: 'resolved', resolvedAt: T + 10_000 * 1000, mitigatedAt: T + 9_000 * 1000 };
    const md = renderPostmortem({ incident: inc, events: evs, format: 'md', timeZone: 'Asia/Shanghai' });
    const rows = tableAfter(md, '| Time |');
    expect(rows).toHaveLength(10_000);
    // One comparison for all rows: 20,000 separate expects cost seconds on a busy machine.
    expect(rows.map((r) => (r.length === 4 ? r[3] : r.join('|')))).toEqual(evs.map((_, i) => `event ${i} \\| step ${i % 10}`));
    expect(instant(rows[9_999]![0]!.slice(0, 19), '+08:00')).toBe(T + 9_999_000);
    expect(md.match(/^### \d+\. /gm)).toHaveLength(1_000);
    const pm = JSON.parse(renderPostmortem({ incident: inc, events: evs, format: 'json' })) as Postmortem;
    expect(pm.timeline).toHaveLength(10_000);
    expect(pm.actions).toHaveLength(1_000);
    expect(pm.actions.every((a) => a.outcome === 'finished')).toBe(true);
    const slack = summarizeForSlack(pm);
    expect(slack.blocks.length).toBeLessThanOrEqual(50);
    for (const b of slack.blocks as { text?: { text: string } }[]) expect((b.text?.text ?? '').length).toBeLessThanOrEqual(3000);
  });

  it('tells the truth about what ran: a refused command and read-only commands are not actions', () => {
    const evs: TimelineEvent[] = [
      { v: 1, key: 'r', kind: EventKind.Command, at: T + M, actor: 'U1', text: '/k8s get nodes', requestId: 'q1', data: { text: '/k8s get nodes', read: true, allowed: true } },
      { v: 1, key: 'x', kind: EventKind.Command, at: T + 2 * M, actor: 'U2', text: '/k8s drain node03', requestId: 'q2', data: { text: '/k8s drain node03', allowed: false, refusedBecause: 'rule 3 (policy.yaml:9) allows only @oncall to run drain' } },
    ];
    const pm = buildPostmortem({ incident: base, events: evs, names: { U1: 'Alice', U2: 'Dave' } });
    expect(pm.actions).toEqual([]);
    expect(pm.notRun.map((a) => [a.command, a.outcome, a.requestedBy?.label])).toEqual([['/k8s drain node03', 'refused', 'Dave']]);
    expect(pm.reads.map((r) => [r.command, r.requestedBy?.label])).toEqual([['/k8s get nodes', 'Alice']]);
    const md = postmortemMarkdown(pm);
    const actions = md.slice(md.indexOf('## Actions on the cluster'), md.indexOf('## Requested, not run'));
    expect(actions).not.toContain('drain node03');
    expect(actions).toContain('No change ran on a cluster through sitrep.');
    expect(md).toContain('- `/k8s drain node03` by Dave at 2026-11-23 14:05:00 UTC: **refused**: rule 3 (policy.yaml:9) allows only @oncall to run drain');
    expect(md.slice(md.indexOf('## Read-only commands'))).toContain('- 2026-11-23 14:04:00 UTC `/k8s get nodes` by Alice');
  });

  it('is portable Markdown: people and channels by name, text escaped once', () => {
    const evs: TimelineEvent[] = [
      // A note as the chat layer stores it (Slack's markup read once at intake, core/text/slack-markup.ts),
      // and sitrep's own line naming people with Slack mentions.
      { v: 1, key: 'n', kind: EventKind.IncidentNote, at: T + M, actor: 'U1', text: 'checked with bob & co, ask @Bob Backup in #db-team about the status page (https://status.example/x) *now*' },
      { v: 1, key: 'c', kind: EventKind.IncidentCommander, at: T + 2 * M, actor: 'U1', text: 'Commander <@U1> → <@U2>' },
    ];
    const md = renderPostmortem({ incident: base, events: evs, format: 'md', names: { U1: 'Alice Oncall', U2: 'Bob Backup' }, channels: { C9: 'ops' } });
    expect(md).toContain('checked with bob & co, ask @Bob Backup in #db-team about the status page (https://status.example/x) \\*now\\*');
    expect(md).toContain('Commander @Alice Oncall → @Bob Backup');
    expect(md).toContain('| Channel | \\#ops |'); // a # opening a cell is escaped as it would be opening a line: renders as #ops
    expect(md).not.toMatch(/&amp;|<@|<#|<https?:/);
    expect(md).not.toMatch(/\bU[12]\b/);
  });

  it('computes TTD, TTA, TTM and TTR from the first sign, the alert, the first person and the alerts clearing', () => {
    const inc: Incident = { ...base, startedBy: 'alertmanager', commanderId: 'alertmanager', participants: [], startedAt: T + 5 * M, status: 'resolved', resolvedAt: T + 40 * M };
    const evs: TimelineEvent[] = [
      { v: 1, key: 'w', kind: EventKind.ClusterEvent, at: T, actor: 'cluster:prod', text: 'NodeNotReady node02: Node node02 status is now: NodeNotReady', data: { type: 'Warning', reason: 'NodeNotReady' } },
      { v: 1, key: 'a', kind: EventKind.AlertFiring, at: T + 4 * M, actor: 'alertmanager', text: 'Alert firing: KubeNodeNotReady', data: { fingerprint: 'f1' } },
      { v: 1, key: 's', kind: EventKind.IncidentStarted, at: T + 5 * M, actor: 'alertmanager', text: 'Incident started' },
      { v: 1, key: 'n', kind: EventKind.IncidentNote, at: T + 7 * M, actor: 'U1', text: 'looking' },
      { v: 1, key: 'j', kind: EventKind.JobStarted, at: T + 10 * M, actor: 'worker:w', text: 'Started drain', requestId: 'r', data: { verb: 'drain', target: 'node/node02' } },
      { v: 1, key: 'r', kind: EventKind.AlertResolved, at: T + 20 * M, actor: 'alertmanager', text: 'Alert resolved', data: { fingerprint: 'f1' } },
    ];
    const pm = buildPostmortem({ incident: inc, events: evs });
    expect(pm.keyTimes.began.at).toBe(T);
    expect(pm.keyTimes.detected.at).toBe(T + 4 * M);
    expect(pm.keyTimes.acknowledged?.at).toBe(T + 7 * M);
    expect(pm.keyTimes.firstAction?.at).toBe(T + 10 * M);
    expect(pm.keyTimes.mitigated?.at).toBe(T + 20 * M);
    expect([pm.durations.toDetect.text, pm.durations.toAcknowledge?.text, pm.durations.toMitigate?.text, pm.durations.toResolve?.text]).toEqual(['4m', '3m', '20m', '40m']);
    expect(pm.timeline.map((r) => r.source)).toEqual(['cluster', 'alert', 'alert', 'person', 'sitrep', 'alert']);
    expect(pm.participants.map((p) => p.id)).toEqual(['U1']);
  });
});
