import { z } from 'zod';
import { Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { noMore } from '../resource.js';

/**
 * `/incident help [verb]`: the generated help (commands/help.ts). `/incident VERB --help` lands here too.
 *
 * Args: `{ verb? }`: the verb asked about, lowercased, as typed (it may be unknown: helpText
 * answers that with a did-you-mean).
 */
export const IncidentHelpArgsSchema = z.object({ verb: z.string().max(64).optional() });
export type IncidentHelpArgs = z.infer<typeof IncidentHelpArgsSchema>;

export const incidentHelp = defineCommand({
  command: SlashCommand.Incident,
  verb: 'help',
  aliases: [],
  risk: Risk.Read,
  mode: JobMode.Bot,
  summary: 'List the /incident verbs, or explain one.',
  usage: '/incident help [VERB]',
  details: 'Any verb followed by `--help` shows the same.',
  examples: ['/incident help', '/incident help postmortem'],
  flags: [],
  schema: IncidentHelpArgsSchema,
  build({ positionals }) {
    const first = positionals[0];
    noMore('help', positionals.slice(1), 'at most one verb');
    return first ? { verb: first.value.toLowerCase().slice(0, 64) } : {};
  },
  isNamespaced: () => false,
});
