import { z } from 'zod';
import { BadArgsError, Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { noMore } from '../resource.js';
import { severity } from '../schemas.js';
import { severityValue } from '../values.js';

/**
 * `/incident sev 1..4`: change the open incident's severity.
 *
 * Args: `{ sev }`: 1 (worst) to 4.
 */
export const SevArgsSchema = z.object({ sev: severity });
export type SevArgs = z.infer<typeof SevArgsSchema>;

export const sev = defineCommand({
  command: SlashCommand.Incident,
  verb: 'sev',
  aliases: ['severity'],
  risk: Risk.Read,
  mode: JobMode.Bot,
  summary: 'Change the incident severity.',
  usage: '/incident sev 1-4',
  details: '1 is worst. `sev2` and `SEV-2` read as 2.',
  examples: ['/incident sev 1'],
  flags: [],
  schema: SevArgsSchema,
  build({ positionals }) {
    const first = positionals[0];
    if (!first) throw new BadArgsError('sev needs a severity: 1 to 4 (1 is worst).');
    noMore('sev', positionals.slice(1), 'one severity');
    return { sev: severityValue('Severity', first.value) };
  },
  isNamespaced: () => false,
});
