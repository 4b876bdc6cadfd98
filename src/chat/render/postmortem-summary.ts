import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { escapeFallback } from '../../core/text/slack-fallback.js';
import { truncate } from '../../core/text/limits.js';
import type { PmAction, PmPerson, Postmortem } from '../../incident/index.js';
import { context, fields, header, section, type Block } from './blocks.js';
import { mentionOrName } from './people.js';

/** A person as Slack shows them: their name when the postmortem has one, else a live mention of their id. */
const personText = (p: PmPerson) => (p.label === `<@${p.id}>` ? mentionOrName(p.id) : escapeMrkdwn(p.label));

/** Actions listed in the message; the file has them all. */
const MAX_ACTIONS = 10;

function actionLine(a: PmAction): string {
  const who = a.approvedBy.length ? `, approved by ${a.approvedBy.map(personText).join(', ')}` : '';
  const took = a.duration ? ` in ${a.duration.text}` : '';
  const command = truncate(a.command.replace(/`/g, "'"), 200);
  return `• \`${escapeMrkdwn(command)}\`: *${a.outcome}*${took}${who}`;
}

/**
 * A short Block Kit summary to post beside the uploaded postmortem file: what, how bad, how long,
 * what was done, what is left to answer. Always within Slack's limits.
 */
export function summarizeForSlack(pm: Postmortem): { text: string; blocks: object[] } {
  const i = pm.incident;
  const d = pm.durations;
  const blocks: Block[] = [];
  blocks.push(header(`Postmortem: ${i.title}`));
  blocks.push(
    fields([
      ['Severity', i.severityLabel],
      ['Status', i.status],
      ['Commander', personText(i.commander)],
      ['Time to resolve', d.toResolve?.text ?? 'not resolved'],
      ['Time to first action', d.toFirstAction?.text ?? 'no action'],
      ['Time to mitigate', d.toMitigate?.text ?? 'not mitigated'],
    ]),
  );
  const k = pm.keyTimes;
  const times = [
    `started ${k.started.local}`,
    k.firstAction && `first action ${k.firstAction.local}`,
    k.mitigated && `mitigated ${k.mitigated.local}`,
    k.resolved && `resolved ${k.resolved.local}`,
  ].filter(Boolean);
  blocks.push(section(`*Key times* (${escapeMrkdwn(pm.zoneLabel)}): ${times.join(' · ')}`));
  if (pm.summary) blocks.push(section(`*Summary*\n${escapeMrkdwn(pm.summary)}`));
  if (pm.actions.length) {
    const lines = pm.actions.slice(0, MAX_ACTIONS).map(actionLine);
    if (pm.actions.length > MAX_ACTIONS) lines.push(`…and ${pm.actions.length - MAX_ACTIONS} more in the file.`);
    blocks.push(section(`*Actions on the cluster*\n${lines.join('\n')}`));
  }
  const prompts = Object.values(pm.review).reduce((n, list) => n + list.length, 0);
  blocks.push(section(`*To complete:* root cause, what went well and wrong, lessons, follow-ups (${prompts} prompts drawn from the timeline are in the file).`));
  blocks.push(context(`${pm.timeline.length} timeline events · participants: ${pm.participants.map(personText).join(', ') || 'none'} · incident \`${i.id}\``));

  const text = truncate(
    `Postmortem for ${i.id} '${escapeFallback(i.title)}' (${i.severityLabel}, ${i.status}${d.toResolve ? `, resolved in ${d.toResolve.text}` : ''}): ${pm.actions.length} action${pm.actions.length === 1 ? '' : 's'}, ${pm.timeline.length} events.`,
    3000,
  );
  return { text, blocks };
}
