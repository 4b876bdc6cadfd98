import { MAX_NOTE, resolveVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { freeText } from '../values.js';

export const resolve = defineCommand(resolveVerb, {
  aliases: ['close'],
  summary: 'Resolve the incident, with an optional summary.',
  usage: '/incident resolve [SUMMARY]',
  details: 'The summary opens the postmortem. Then run `/incident postmortem`.',
  examples: ['/incident resolve', '/incident resolve Bad config in v42 rolled back; error rate normal since 14:10'],
  flags: [],
  freeText: true,
  build({ positionals }) {
    const summary = freeText('Summary', positionals, MAX_NOTE);
    return summary.length === 0 ? {} : { summary };
  },
});
