/**
 * How long a postmortem of a 10,000-event incident takes to render, as Markdown and as JSON, and
 * its timeline chart as PNG.
 * Prints the median over RUNS runs (after a warm-up). Target: well under 300 ms each.
 *
 *   npx tsx bench/postmortem.ts
 */
import { performance } from 'node:perf_hooks';
import { EventKind, type TimelineEvent } from '../src/core/timeline-event.js';
import type { Incident } from '../src/incident/incident.js';
import { renderPostmortem } from '../src/incident/postmortem.js';
import { buildPostmortem } from '../src/incident/postmortem-model.js';
import { svgToPng, timelineChartSvg } from '../src/incident/index.js';

const EVENTS = 10_000;
const RUNS = 20;
const T = Date.UTC(2026, 10, 23, 14, 3, 0);

/** A busy incident: 1,000 requests, each command → plan (with warnings) → approval → job steps. */
function busyIncident(): { incident: Incident; events: TimelineEvent[] } {
  const steps = [EventKind.Command, EventKind.Plan, EventKind.ApprovalRequested, EventKind.Approved, EventKind.JobStarted, EventKind.JobProgress, EventKind.JobBlocked, EventKind.JobBackup, EventKind.JobProgress, EventKind.JobFinished];
  const events: TimelineEvent[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const kind = steps[i % steps.length]!;
    const n = Math.floor(i / steps.length);
    const data: Record<string, unknown> =
      kind === EventKind.Command ? { text: `/k8s drain node${n}` }
      : kind === EventKind.Plan ? { summary: `Cordon node${n}, evict 12 pods`, warnings: [{ code: 'local-data', severity: 'danger', message: `pod db-${n} uses emptyDir`, objects: [`pod/db/db-${n}`] }] }
      : kind === EventKind.JobStarted ? { verb: 'drain', target: `node/node${n}` }
      : kind === EventKind.JobBlocked ? { target: `pod/shop/web-${n}`, reason: 'PodDisruptionBudget web-pdb allows 0 disruptions' }
      : kind === EventKind.JobBackup ? { name: `backup-node${n}`, objects: 12 }
      : kind === EventKind.JobFinished ? { summary: `node${n} drained`, changed: [`node/node${n} cordoned`], unchanged: [], durationMs: 5000 }
      : {};
    events.push({
      v: 1, key: `e${i}`, kind, at: T + i * 700, actor: i % 10 < 4 ? `U${(i % 3) + 1}` : 'worker:w1',
      text: `${kind} step ${i} for node${n} | with a pipe`, requestId: `req-${n}`, cluster: 'prod', data,
    });
  }
  const incident: Incident = {
    id: 'inc-2026-11-23-b3nc', channelId: 'C1', title: 'Bench incident', severity: 2, commanderId: 'U1', startedBy: 'U1',
    status: 'resolved', startedAt: T, mitigatedAt: T + EVENTS * 600, resolvedAt: T + EVENTS * 700, channelOnly: false, participants: ['U1'],
  };
  return { incident, events };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** CPU time of the calling thread in ms: steadier than wall time on a machine shared with other work. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const { incident, events } = busyIncident();
for (const format of ['md', 'json'] as const) {
  for (const timeZone of ['UTC', 'Asia/Shanghai']) {
    // Warm-up: JIT and Intl caches, so the median measures steady state.
    for (let w = 0; w < 5; w++) renderPostmortem({ incident, events, format, timeZone });
    const wall: number[] = [];
    const cpu: number[] = [];
    let bytes = 0;
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      const c0 = cpuMs();
      bytes = renderPostmortem({ incident, events, format, timeZone }).length;
      cpu.push(cpuMs() - c0);
      wall.push(performance.now() - t0);
    }
    console.log(
      `postmortem ${format.padEnd(4)} ${timeZone.padEnd(13)} ${EVENTS} events: median ${median(wall).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms cpu over ${RUNS} runs (wall min ${Math.min(...wall).toFixed(1)}, max ${Math.max(...wall).toFixed(1)}), ${(bytes / 1024).toFixed(0)} KiB`,
    );
  }
}

// The timeline chart of the same incident: SVG from the model, then PNG (resvg).
{
  const pm = buildPostmortem({ incident, events });
  await svgToPng(timelineChartSvg(pm));
  const wall: number[] = [];
  let bytes = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    bytes = (await svgToPng(timelineChartSvg(pm))).png.length;
    wall.push(performance.now() - t0);
  }
  console.log(`postmortem chart png    ${EVENTS} events: median ${median(wall).toFixed(1)} ms wall over 5 runs, ${(bytes / 1024).toFixed(0)} KiB`);
}
