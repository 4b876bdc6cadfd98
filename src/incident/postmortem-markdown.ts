import { codeSpan, escapeCell, inline, inlineWithCode, paragraph } from './markdown.js';
import type { PmAction, PmDuration, PmPerson, PmTime, Postmortem } from './postmortem-types.js';

/** A person: sitrep's own `<@U…>` for a Slack id without a name, else the name, escaped. */
const person = (p: { id?: string; label: string }): string => (p.id !== undefined && p.label === `<@${p.id}>` ? p.label : inline(p.label));
const people = (list: readonly PmPerson[]): string => list.map(person).join(', ');

/** The postmortem as a Markdown document (GitHub-flavoured: tables). Pure function of `pm`. */
export function postmortemMarkdown(pm: Postmortem): string {
  const out: string[] = [];
  const i = pm.incident;
  const zone = pm.zoneLabel;
  const when = (t: PmTime | undefined): string => (t ? t.local : '—');
  const dur = (d: PmDuration | undefined): string => (d ? d.text : '—');

  out.push(`# Postmortem: ${inline(i.title)}`, '');
  out.push(`Incident \`${i.id}\` · ${i.severityLabel} · ${i.status}. Blameless review: it describes what the system and the people in it did, to learn, not to blame.`, '');
  out.push('| | |', '|---|---|');
  out.push(`| Title | ${escapeCell(i.title)} |`);
  out.push(`| Severity | ${i.severityLabel} |`);
  out.push(`| Status | ${i.status} |`);
  out.push(`| Commander | ${person(i.commander)} |`);
  out.push(`| Started by | ${person(i.startedBy)} |`);
  out.push(`| Participants | ${people(pm.participants) || '—'} |`);
  out.push(`| Channel | <#${i.channelId}> |`);
  out.push(`| Times shown in | ${escapeCell(zone)} |`);
  out.push('');

  out.push('## Summary', '');
  out.push(pm.summary ? paragraph(pm.summary) : '_No summary yet: what happened and what users saw, in two or three sentences._', '');

  out.push('## Impact', '');
  const impactEnd = pm.impact.ongoing ? 'ongoing' : `${when(pm.impact.to)} (${dur(pm.impact.duration)})`;
  out.push(`Impact window (${zone}): ${pm.impact.from.local} → ${impactEnd}. Who was affected, and how: _to complete._`, '');

  out.push('## Key times', '');
  out.push(`| Moment | Time (${escapeCell(zone)}) | Since start |`, '|---|---|---|');
  const k = pm.keyTimes;
  out.push(`| Started | ${when(k.started)} | 0s |`);
  out.push(`| First action | ${when(k.firstAction)} | ${dur(pm.durations.toFirstAction)} |`);
  out.push(`| Mitigated | ${when(k.mitigated)} | ${dur(pm.durations.toMitigate)} |`);
  out.push(`| Resolved | ${when(k.resolved)} | ${dur(pm.durations.toResolve)} |`);
  out.push('');
  out.push(`Time to first action: ${dur(pm.durations.toFirstAction)} · time to mitigate: ${dur(pm.durations.toMitigate)} · time to resolve: ${dur(pm.durations.toResolve)}`, '');

  out.push(`## Timeline (${pm.timeline.length} event${pm.timeline.length === 1 ? '' : 's'})`, '');
  out.push(`| Time (${escapeCell(zone)}) | Actor | What |`, '|---|---|---|');
  for (const row of pm.timeline) out.push(`| ${row.time} | ${person({ id: row.actor, label: row.actorLabel })} | ${escapeCell(row.what)} |`);
  out.push('');

  out.push('## Actions on the cluster', '');
  if (pm.actions.length === 0) out.push('No command ran on the cluster through sitrep.', '');
  pm.actions.forEach((a, n) => out.push(...actionSection(a, n + 1)));

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
    for (const p of prompts) out.push(`- ${inlineWithCode(p)}`);
    out.push('');
  }
  return out.join('\n');
}

function actionSection(a: PmAction, n: number): string[] {
  const out: string[] = [`### ${n}. ${codeSpan(a.command)}`, ''];
  const by = (list: PmPerson[]): string => (list.length ? people(list) : '—');
  out.push(`- Requested by: ${a.requestedBy ? person(a.requestedBy) : '—'}${a.requestedAt ? ` at ${a.requestedAt.local}` : ''}${a.cluster ? ` on cluster ${codeSpan(a.cluster)}` : ''}`);
  out.push(`- Approved by: ${by(a.approvedBy)}`);
  if (a.rejectedBy.length) out.push(`- Rejected by: ${by(a.rejectedBy)}`);
  if (a.warnings.length) {
    out.push('- Plan warnings:');
    for (const w of a.warnings) out.push(`  - ${w.severity} ${codeSpan(w.code)}: ${inline(w.message)}`);
  } else {
    out.push('- Plan warnings: none');
  }
  for (const b of a.blocked) {
    out.push(`- Blocked: ${b.target ? `${codeSpan(b.target)} ` : ''}${b.times > 1 ? `${b.times} times ` : ''}from ${b.since.local} for ${b.waited.text}: ${inline(b.reason)}`);
  }
  out.push(`- Outcome: **${a.outcome}**${a.outcomeText ? `: ${inline(a.outcomeText)}` : ''}${a.failureCode ? ` (${codeSpan(a.failureCode)})` : ''}`);
  if (a.changed.length) out.push(`- Changed: ${a.changed.length} (${a.changed.slice(0, 10).map((c) => codeSpan(c)).join(', ')}${a.changed.length > 10 ? ', …' : ''})`);
  if (a.startedAt) out.push(`- Ran: ${a.startedAt.local} → ${a.endedAt?.local ?? '…'}${a.duration ? ` (${a.duration.text})` : ''}`);
  out.push(`- Request: \`${a.requestId}\``, '');
  return out;
}
