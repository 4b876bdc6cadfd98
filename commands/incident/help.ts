import { incidentHelpVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { noMore } from '../resource.js';

export const incidentHelp = defineCommand(incidentHelpVerb, {
  aliases: [],
  summary: 'List the /incident verbs, or explain one.',
  usage: '/incident help [VERB]',
  details: 'Any verb followed by `--help` shows the same.',
  examples: ['/incident help', '/incident help postmortem'],
  flags: [],
  build({ positionals }) {
    const first = positionals[0];
    noMore('help', positionals.slice(1), 'at most one verb');
    return first ? { verb: first.value.toLowerCase().slice(0, 64) } : {};
  },
});
