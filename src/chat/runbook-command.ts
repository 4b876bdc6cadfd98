import type { SlashCommand as SlackSlashCommand } from '@slack/bolt';
import type { ParsedCommand } from '../../commands/parse.js';
import type { RunbookArgs } from '../core/verbs/index.js';
import { didYouMeanSuffix } from '../core/text/did-you-mean.js';
import { escapeMrkdwn } from '../core/text/mrkdwn.js';
import { runbookUsage, type RunbookCatalog, type RunbookDefinition } from '../runbooks/index.js';
import type { BotServices } from './bot-services.js';
import { postFirstCard } from './card-first-post.js';
import { buildRequest } from './slash-request.js';

type Respond = (message: object) => Promise<unknown>;

/** One runbook in the list: name, where from, what it does, how to start it, its steps. */
function listEntry(def: RunbookDefinition): string {
  const steps = def.file.steps.map((s) => (s.run !== undefined ? s.run.split(/\s+/)[0] : s.wait ? 'wait' : s.manual !== undefined ? 'manual' : 'note')).join(' → ');
  return `• *${escapeMrkdwn(def.name)}* (${escapeMrkdwn(def.source)}): ${escapeMrkdwn(def.description)}\n      \`${escapeMrkdwn(runbookUsage(def))}\` · ${escapeMrkdwn(steps)}`;
}

/** `/k8s runbook`: the runbooks this sitrep offers, and those it cannot offer and why. */
export function runbookList(catalog: RunbookCatalog): string {
  const lines = ['*Runbooks*', ...catalog.list().map(listEntry)];
  for (const u of catalog.unavailable) lines.push(`• ~${escapeMrkdwn(u.name)}~ (${escapeMrkdwn(u.source)}): not available here: ${escapeMrkdwn(u.reason)}`);
  if (!catalog.list().length) lines.push('None. Add runbook files to the directory SITREP_RUNBOOKS names.');
  lines.push('', 'Start one with `/k8s runbook NAME key=value …`: every step is planned and shown for approval first.');
  return lines.join('\n');
}

/**
 * `/k8s runbook [NAME key=value …]`: the list, or the runbook filled in with the values given
 * (a wrong name or value is answered privately with the right form) and handed to the lifecycle's
 * runbook intake, which posts its card.
 */
export async function runbookCommand(services: BotServices, command: SlackSlashCommand, parsed: ParsedCommand, respond: Respond): Promise<void> {
  const args = parsed.args as RunbookArgs;
  const say = (text: string) => respond({ response_type: 'ephemeral', text });
  if (!args.name) {
    await say(runbookList(services.runbooks));
    return;
  }
  const def = services.runbooks.get(args.name);
  if (!def) {
    const off = services.runbooks.unavailable.find((u) => u.name === args.name);
    if (off) {
      await say(`:warning: Runbook *${escapeMrkdwn(off.name)}* is not available in this sitrep: ${escapeMrkdwn(off.reason)}`);
      return;
    }
    const names = services.runbooks.names();
    await say(`:warning: No runbook named *${escapeMrkdwn(args.name)}*.${escapeMrkdwn(didYouMeanSuffix(args.name, names))} \`/k8s runbook\` lists ${names.length ? `them: ${names.map((n) => `\`${n}\``).join(', ')}` : 'them (there are none)'}.`);
    return;
  }
  const filled = services.runbooks.instantiate(def, args.params);
  if (!filled.ok) {
    await say(`:warning: ${escapeMrkdwn(filled.message)}\n${filled.hint}`);
    return;
  }
  const request = buildRequest(command, parsed, services);
  const outcome = await services.lifecycle.intakeRunbook(request, filled.instance, { postCard: (id) => postFirstCard(services, id, `${request.command} ${request.text}`) });
  switch (outcome.kind) {
    case 'unknown-cluster':
      await say(`:warning: Unknown cluster *${escapeMrkdwn(request.cluster)}*. Known clusters: ${outcome.known.map((c) => `\`${c}\``).join(', ')}.`);
      return;
    case 'refused':
      await say(`:no_entry: ${outcome.reason}`);
      return;
    case 'failed':
      if (!outcome.cardShown) await say(`:x: ${outcome.message}${outcome.hint ? `\n${outcome.hint}` : ''}`);
      return;
    default:
      return;
  }
}
