import { formatDuration } from '../core/duration.js';
import { escapeXml } from '../core/text/xml.js';
import type { PmSource, PmTimelineRow, Postmortem } from './postmortem-types.js';
import { ZonedTime } from './zoned-time.js';

/** Size of the chart in CSS pixels (the PNG is this size). */
export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 480;

const LEFT = 120;
const RIGHT = 30;
const TOP = 78;
const BOTTOM = 72;

const LANES = ['Alerts', 'Cluster', 'People', 'Approvals', 'Actions'] as const;
type Lane = (typeof LANES)[number];

const PHASES = [
  { from: 'began', to: 'detected', label: 'undetected', fill: '#fbd5d3' },
  { from: 'detected', to: 'acknowledged', label: 'not acknowledged', fill: '#fdebb5' },
  { from: 'acknowledged', to: 'mitigated', label: 'mitigating', fill: '#fddcb8' },
  { from: 'mitigated', to: 'resolved', label: 'recovering', fill: '#d4efd4' },
] as const;

const COLORS: Record<PmSource | 'warning', string> = { alert: '#c62828', cluster: '#5f6b7a', warning: '#e65100', person: '#1565c0', sitrep: '#6a1b9a' };


function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function laneOf(row: PmTimelineRow): Lane | undefined {
  if (row.source === 'alert' && row.kind.startsWith('alert.')) return 'Alerts';
  if (row.source === 'cluster') return 'Cluster';
  if (row.kind.startsWith('approval.')) return 'Approvals';
  if (row.source === 'person') return 'People';
  return undefined; // sitrep's and workers' own steps: the Actions lane draws the jobs as bars
}

/** Tick spacing that gives 5 to 10 ticks over `span` ms. */
function tickStep(span: number): number {
  const steps = [10e3, 30e3, 60e3, 2 * 60e3, 5 * 60e3, 10 * 60e3, 15 * 60e3, 30 * 60e3, 3600e3, 2 * 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3];
  return steps.find((s) => span / s <= 10) ?? 86400e3;
}

/**
 * The incident on one time axis, as SVG written from the postmortem model: the phases shaded
 * (undetected, not acknowledged, mitigating, recovering), one lane each for alerts, the cluster's
 * events, people, approvals, and the actions that ran as bars from start to end, with the key
 * moments as dashed lines. Deterministic; fonts are named `DejaVu Sans` (the PNG renderer loads it).
 */
export function timelineChartSvg(pm: Postmortem): string {
  const zone = new ZonedTime(pm.timeZone);
  const k = pm.keyTimes;
  const instants = [k.began.at, k.started.at, ...pm.timeline.map((r) => r.at), ...(k.resolved ? [k.resolved.at] : []), ...pm.actions.flatMap((a) => [a.startedAt?.at, a.endedAt?.at].filter((x): x is number => x !== undefined))];
  let t0 = Math.min(...instants);
  let t1 = Math.max(...instants);
  if (t1 - t0 < 60_000) t1 = t0 + 60_000;
  const pad = (t1 - t0) * 0.03;
  t0 -= pad;
  t1 += pad;
  const plotW = CHART_WIDTH - LEFT - RIGHT;
  const plotH = CHART_HEIGHT - TOP - BOTTOM;
  const laneH = plotH / LANES.length;
  const x = (t: number) => LEFT + ((t - t0) / (t1 - t0)) * plotW;
  const laneY = (lane: Lane) => TOP + LANES.indexOf(lane) * laneH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" font-family="DejaVu Sans" font-size="12">`);
  out.push(`<rect width="${CHART_WIDTH}" height="${CHART_HEIGHT}" fill="#ffffff"/>`);
  out.push(`<text x="${LEFT}" y="24" font-size="16" font-weight="bold" fill="#222">${escapeXml(clip(`${pm.incident.id} · ${pm.incident.severityLabel} · ${pm.incident.title}`, 110))}</text>`);
  const ttx = [`TTD ${pm.durations.toDetect.text}`, pm.durations.toAcknowledge && `TTA ${pm.durations.toAcknowledge.text}`, pm.durations.toMitigate && `TTM ${pm.durations.toMitigate.text}`, pm.durations.toResolve && `TTR ${pm.durations.toResolve.text}`].filter(Boolean).join(' · ');
  out.push(`<text x="${LEFT}" y="44" fill="#444">${escapeXml(`${ttx} · times in ${pm.zoneLabel}`)}</text>`);

  // Phases, behind everything.
  const at = (name: string): number | undefined => (k as Record<string, { at: number } | undefined>)[name]?.at;
  for (const p of PHASES) {
    const from = at(p.from);
    const to = at(p.to);
    if (from === undefined || to === undefined || to <= from) continue;
    const x0 = x(from);
    const w = Math.max(1, x(to) - x0);
    out.push(`<rect x="${x0.toFixed(1)}" y="${TOP}" width="${w.toFixed(1)}" height="${plotH}" fill="${p.fill}"/>`);
    if (w > 70) out.push(`<text x="${(x0 + 4).toFixed(1)}" y="${TOP - 6}" font-size="11" fill="#555">${escapeXml(p.label)}</text>`);
  }

  // Lanes.
  for (const lane of LANES) {
    const y = laneY(lane);
    out.push(`<line x1="${LEFT}" x2="${CHART_WIDTH - RIGHT}" y1="${(y + laneH).toFixed(1)}" y2="${(y + laneH).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${LEFT - 10}" y="${(y + laneH / 2 + 4).toFixed(1)}" text-anchor="end" font-weight="bold" fill="#333">${lane}</text>`);
  }
  out.push(`<rect x="${LEFT}" y="${TOP}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);

  // Axis.
  const step = tickStep(t1 - t0);
  const offset = zone.offsetAt(t0);
  for (let t = Math.ceil((t0 + offset) / step) * step - offset; t <= t1; t += step) {
    const tx = x(t).toFixed(1);
    out.push(`<line x1="${tx}" x2="${tx}" y1="${TOP + plotH}" y2="${TOP + plotH + 5}" stroke="#666"/>`);
    out.push(`<text x="${tx}" y="${TOP + plotH + 19}" text-anchor="middle" fill="#444">${step < 60_000 ? zone.time(t) : zone.hourMinute(t)}</text>`);
  }
  out.push(`<text x="${CHART_WIDTH - RIGHT}" y="24" text-anchor="end" font-size="11" fill="#666">${escapeXml(`${zone.date(t0)} · ${pm.zoneLabel} · ${formatDuration(t1 - t0 - 2 * pad)} shown`)}</text>`);

  // Events as marks in their lanes; a collapsed cluster entry is a bigger mark with its count.
  for (const row of pm.timeline) {
    const lane = laneOf(row);
    if (!lane) continue;
    const cx = x(row.at).toFixed(1);
    const cy = (laneY(lane) + laneH / 2).toFixed(1);
    const warning = row.source === 'cluster' && /Warning|NotReady|evicted|Failed|Unknown/.test(row.what);
    const color = warning ? COLORS.warning : COLORS[row.source];
    const n = row.objects?.length ?? 0;
    if (row.kind === 'alert.resolved') out.push(`<circle cx="${cx}" cy="${cy}" r="6" fill="#ffffff" stroke="${COLORS.alert}" stroke-width="2"/>`);
    else out.push(`<circle cx="${cx}" cy="${cy}" r="${n > 1 ? 9 : 5}" fill="${color}" fill-opacity="0.85"/>`);
    // A collapsed entry carries its count inside its mark, so marks at one instant stay readable.
    if (n > 1) out.push(`<text x="${cx}" y="${(Number(cy) + 3.5).toFixed(1)}" text-anchor="middle" font-size="${n > 99 ? 7 : 9}" font-weight="bold" fill="#ffffff">${n}</text>`);
  }
  // Actions that ran: a bar from start to end, labelled with the command.
  const barY = laneY('Actions') + laneH * 0.3;
  for (const a of pm.actions) {
    if (!a.startedAt) continue;
    const x0 = x(a.startedAt.at);
    const x1 = x(a.endedAt?.at ?? t1);
    const fill = a.outcome === 'failed' ? '#c62828' : a.outcome === 'running' ? '#9e9e9e' : '#2e7d32';
    out.push(`<rect x="${x0.toFixed(1)}" y="${barY.toFixed(1)}" width="${Math.max(3, x1 - x0).toFixed(1)}" height="${(laneH * 0.4).toFixed(1)}" rx="3" fill="${fill}"/>`);
    out.push(`<text x="${x0.toFixed(1)}" y="${(barY - 4).toFixed(1)}" font-size="11" fill="#222">${escapeXml(clip(a.command, 48))}</text>`);
  }

  // Key moments on top.
  const moments: [string, number | undefined][] = [['detected', k.detected.at], ['acknowledged', k.acknowledged?.at], ['first action', k.firstAction?.at], ['mitigated', k.mitigated?.at], ['resolved', k.resolved?.at]];
  let lastLabelX = -Infinity;
  let row = 0;
  for (const [label, t] of moments) {
    if (t === undefined) continue;
    const mx = x(t);
    out.push(`<line x1="${mx.toFixed(1)}" x2="${mx.toFixed(1)}" y1="${TOP}" y2="${TOP + plotH}" stroke="#333" stroke-dasharray="4 3"/>`);
    // Moments close together stack their labels instead of writing over each other.
    row = mx - lastLabelX < 95 ? (row + 1) % 3 : 0;
    lastLabelX = mx;
    out.push(`<text x="${(mx + 3).toFixed(1)}" y="${(TOP + plotH + 34 + row * 13).toFixed(1)}" font-size="11" fill="#111">${escapeXml(label)}</text>`);
  }
  // Legend.
  const legend: [string, string][] = [['alert', COLORS.alert], ['cluster warning', COLORS.warning], ['cluster', COLORS.cluster], ['person', COLORS.person], ['sitrep', COLORS.sitrep]];
  let lx = CHART_WIDTH - RIGHT - 520;
  for (const [label, color] of legend) {
    out.push(`<circle cx="${lx}" cy="40" r="5" fill="${color}"/><text x="${lx + 9}" y="44" font-size="11" fill="#444">${label}</text>`);
    lx += 104;
  }
  out.push('</svg>');
  return out.join('\n');
}
