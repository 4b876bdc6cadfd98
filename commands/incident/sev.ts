import { BadArgsError, sevVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { noMore } from '../resource.js';
import { severityValue } from '../values.js';

export const sev = defineCommand(sevVerb, {
  aliases: ['severity'],
  summary: 'Change the incident severity.',
  usage: '/incident sev 1-4',
  details: '1 is worst. `sev2` and `SEV-2` read as 2.',
  examples: ['/incident sev 1'],
  flags: [],
  build({ positionals }) {
    const first = positionals[0];
    if (!first) throw new BadArgsError('sev needs a severity: 1 to 4 (1 is worst).');
    noMore('sev', positionals.slice(1), 'one severity');
    return { sev: severityValue('Severity', first.value) };
  },
});
