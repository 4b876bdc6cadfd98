import { formatDuration } from '../core/duration.js';
import { codeSpan, escapeCell, inline, inlineWithCode, paragraph } from './markdown.js';
import type { PmAction, PmDuration, PmSource, PmTime, Postmortem } from './postmortem-types.js';

/** How each row's origin is marked in the timeline table. */
const SOURCE_MARK: Readonly<Record<PmSource, string>> = { person: 'person', cluster: 'cluster', alert: 'alert', sitrep: 'sitrep' };

/** A cell of text that came from people or clusters: Markdown-escaped, then made safe for a table. */
const cell = escapeCell;
const line = inline;

/**
 * The postmortem as a portable Markdown document (CommonMark with GitHub tables): no Slack
 * syntax, people and channels by name, every time with its UTC offset. Pure function of `pm`.
 * If `chart` names an image file, it is shown under the key times.
 */
export function postmortemMarkdown(pm: Postmortem, options: { chart?: string } = {}): string {
  const out: string[] = [];
  const i = pm.incident;
  const zone = pm.zoneLabel;
  const when = (t: PmTime | undefined): string => (t ? t.local : '—');
  const dur = (d: PmDuration | undefined): string => (d ? d.text : '—');

  out.push(`# Postmortem: ${line(i.title)}`, '');
  out.push(`Incident \`${i.id}\` · ${i.severityLabel} · ${i.status}. Blameless review: it describes what the system and the people in it did, to learn, not to blame.`, '');
  out.push('| | |', '|---|---|');
  out.push(`| Title | ${cell(i.title)} |`);
  out.push(`| Severity | ${i.severityLabel} |`);
  out.push(`| Status | ${i.status} |`);
  out.push(`| Commander | ${cell(i.commander.label)} |`);
  out.push(`| Started by | ${cell(i.startedBy.label)} |`);
  out.push(`| Participants | ${cell(pm.participants.map((p) => p.label).join(', ') || '—')} |`);
  out.push(`| Channel | ${cell(i.channelLabel)} |`);
  out.push(`| Times shown in | ${cell(zone)} |`);
  out.push('');

  out.push('## Summary', '');
  out.push(pm.summary ? paragraph(pm.summary) : '_No summary yet: what happened and what users saw, in two or three sentences._', '');

  out.push('## Impact', '');
  const impactEnd = pm.impact.ongoing ? 'ongoing' : `${when(pm.impact.to)} (${dur(pm.impact.duration)})`;
  out.push(`Impact window: ${pm.impact.from.local} → ${impactEnd}. Who was affected, and how: _to complete._`, '');

  out.push('## Key times', '');
  const k = pm.keyTimes;
  const d = pm.durations;
  out.push('| Moment | Time | Since impact began |', '|---|---|---|');
  out.push(`| Impact began | ${when(k.began)} | 0s |`);
  out.push(`| Detected | ${when(k.detected)} | ${dur(d.toDetect)} |`);
  out.push(`| Acknowledged | ${when(k.acknowledged)} | ${k.acknowledged ? sinceBegan(k.began, k.acknowledged) : '—'} |`);
  out.push(`| Incident opened | ${when(k.started)} | ${sinceBegan(k.began, k.started)} |`);
  out.push(`| First action | ${when(k.firstAction)} | ${dur(d.toFirstAction)} |`);
  out.push(`| Mitigated | ${when(k.mitigated)} | ${dur(d.toMitigate)} |`);
  out.push(`| Resolved | ${when(k.resolved)} | ${dur(d.toResolve)} |`);
  out.push('');
  out.push(`TTD (time to detect): ${dur(d.toDetect)} · TTA (to acknowledge): ${dur(d.toAcknowledge)} · TTM (to mitigate): ${dur(d.toMitigate)} · TTR (to resolve): ${dur(d.toResolve)}`, '');
  if (options.chart) out.push(`![Timeline of ${inline(i.id)}: alerts, cluster events and actions on one time axis](${options.chart})`, '');

  out.push(`## Timeline (${pm.timeline.length} event${pm.timeline.length === 1 ? '' : 's'})`, '');
  out.push('Each row says where it came from: a person, the cluster (its Events), an alert, or sitrep itself.', '');
  out.push('| Time | Source | Actor | What |', '|---|---|---|---|');
  for (const row of pm.timeline) {
    const objects = row.objects?.length ? `<br>${row.objects.length} objects: ${row.objects.slice(0, 50).map((o) => codeSpan(o)).join(', ')}${row.objects.length > 50 ? ', …' : ''}` : '';
    out.push(`| ${row.time} | ${SOURCE_MARK[row.source]} | ${cell(row.actorLabel)} | ${cell(row.what)}${objects} |`);
  }
  out.push('');

  out.push('## Actions on the cluster', '');
  out.push('What ran, or was approved and failed.', '');
  if (pm.actions.length === 0) out.push('No change ran on a cluster through sitrep.', '');
  pm.actions.forEach((a, n) => out.push(...actionSection(a, n + 1)));

  out.push('## Requested, not run', '');
  if (pm.notRun.length === 0) out.push('None: every change asked for ran.', '');
  else {
    for (const a of pm.notRun) {
      const who = a.requestedBy ? ` by ${inline(a.requestedBy.label)}` : '';
      const rejected = a.rejectedBy.length ? `, rejected by ${inline(a.rejectedBy.map((p) => p.label).join(', '))}` : '';
      out.push(`- ${codeSpan(a.command)}${who}${a.requestedAt ? ` at ${a.requestedAt.local}` : ''}: **${a.outcome}**${rejected}${a.outcomeText ? `: ${line(a.outcomeText)}` : ''}`);
    }
    out.push('');
  }

  out.push('## Read-only commands', '');
  if (pm.reads.length === 0) out.push('None.', '');
  else {
    for (const r of pm.reads) out.push(`- ${r.at.local} ${codeSpan(r.command)}${r.requestedBy ? ` by ${inline(r.requestedBy.label)}` : ''}`);
    out.push('');
  }

  out.push('## Backups', '');
  if (pm.backups.length === 0) out.push('No backups were saved by jobs.', '');
  else {
    for (const b of pm.backups) out.push(`- ${codeSpan(b.name)}: ${b.objects} object${b.objects === 1 ? '' : 's'}${b.command ? `, by ${codeSpan(b.command)}` : ''} (request \`${b.requestId}\`)`);
    out.push('');
  }

  out.push('## Review', '', '_The prompts below come from the timeline. Answer them, then replace them with what you learnt._', '');
  const sections: [string, string[]][] = [
    ['Root cause', pm.review.rootCause],
    ['What went well', pm.review.wentWell],
    ['What went wrong', pm.review.wentWrong],
    ['Lessons', pm.review.lessons],
    ['Follow-up actions', pm.review.followUps],
  ];
  for (const [title, prompts] of sections) {
    out.push(`### ${title}`, '');
    if (prompts.length === 0) out.push('- _to complete_');
    // Prompts are sitrep's own sentences with `code spans` around commands: the spans stay code.
    for (const p of prompts) out.push(`- ${inlineWithCode(p)}`);
    out.push('');
  }
  return out.join('\n');
}

function sinceBegan(began: PmTime, t: PmTime): string {
  const ms = Math.max(0, t.at - began.at);
  return ms < 500 ? '0s' : formatDuration(ms);
}

function actionSection(a: PmAction, n: number): string[] {
  const out: string[] = [`### ${n}. ${codeSpan(a.command)}`, ''];
  const by = (people: { label: string }[]): string => (people.length ? inline(people.map((p) => p.label).join(', ')) : '—');
  out.push(`- Requested by: ${a.requestedBy ? inline(a.requestedBy.label) : '—'}${a.requestedAt ? ` at ${a.requestedAt.local}` : ''}${a.cluster ? ` on cluster ${codeSpan(a.cluster)}` : ''}`);
  out.push(`- Approved by: ${by(a.approvedBy)}`);
  if (a.rejectedBy.length) out.push(`- Rejected by: ${by(a.rejectedBy)}`);
  if (a.warnings.length) {
    out.push('- Plan warnings:');
    for (const w of a.warnings) out.push(`  - ${w.severity} ${codeSpan(w.code)}: ${line(w.message)}`);
  } else {
    out.push('- Plan warnings: none');
  }
  for (const b of a.blocked) {
    out.push(`- Blocked: ${b.target ? `${codeSpan(b.target)} ` : ''}${b.times > 1 ? `${b.times} times ` : ''}from ${b.since.local} for ${b.waited.text}: ${line(b.reason)}`);
  }
  out.push(`- Outcome: **${a.outcome}**${a.outcomeText ? `: ${line(a.outcomeText)}` : ''}${a.failureCode ? ` (${codeSpan(a.failureCode)})` : ''}`);
  if (a.changed.length) out.push(`- Changed: ${a.changed.length} (${a.changed.slice(0, 10).map((c) => codeSpan(c)).join(', ')}${a.changed.length > 10 ? ', …' : ''})`);
  if (a.startedAt) out.push(`- Ran: ${a.startedAt.local} → ${a.endedAt?.local ?? '…'}${a.duration ? ` (${a.duration.text})` : ''}`);
  out.push(`- Request: \`${a.requestId}\``, '');
  return out;
}
