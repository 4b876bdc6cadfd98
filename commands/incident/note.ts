import { BadArgsError, MAX_NOTE, noteVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { freeText } from '../values.js';

export const note = defineCommand(noteVerb, {
  aliases: [],
  summary: 'Add a note to the incident timeline.',
  usage: '/incident note TEXT',
  details: 'Words starting with `-` need quotes or a `--` before them.',
  examples: ['/incident note Rolled back to v41, error rate falling', '/incident note <@U123> is checking the load balancer'],
  flags: [],
  freeText: true,
  build({ positionals }) {
    const text = freeText('Note', positionals, MAX_NOTE);
    if (text.length === 0) throw new BadArgsError('note needs text: what happened?');
    return { text };
  },
});
