import { z } from 'zod';
import { Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { noMore } from '../resource.js';

/**
 * `/k8s help [verb]`: the generated help (commands/help.ts). `/k8s VERB --help` lands here too.
 *
 * Args: `{ verb? }`: the verb asked about, lowercased, as typed (it may be unknown: helpText
 * answers that with a did-you-mean).
 */
export const K8sHelpArgsSchema = z.object({ verb: z.string().max(64).optional() });
export type K8sHelpArgs = z.infer<typeof K8sHelpArgsSchema>;

export const k8sHelp = defineCommand({
  command: SlashCommand.K8s,
  verb: 'help',
  aliases: [],
  risk: Risk.Read,
  mode: JobMode.Bot,
  summary: 'List the /k8s verbs, or explain one.',
  usage: '/k8s help [VERB]',
  details: 'Any verb followed by `--help` shows the same.',
  examples: ['/k8s help', '/k8s help drain'],
  flags: [],
  schema: K8sHelpArgsSchema,
  build({ positionals }) {
    const first = positionals[0];
    noMore('help', positionals.slice(1), 'at most one verb');
    return first ? { verb: first.value.toLowerCase().slice(0, 64) } : {};
  },
  isNamespaced: () => false,
});
