import { BadArgsError, INCIDENT_STATUSES, incidentStatusVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { noMore } from '../resource.js';
import { suggest } from '../../src/core/text/suggest.js';
import { show } from '../values.js';

const STATUSES = INCIDENT_STATUSES;

export const incidentStatus = defineCommand(incidentStatusVerb, {
  aliases: [],
  summary: 'Set where the incident stands.',
  usage: '/incident status investigating|identified|monitoring|resolved',
  details: '`resolved` here only records the state; `/incident resolve` also closes the incident with a summary.',
  examples: ['/incident status identified', '/incident status monitoring'],
  flags: [],
  build({ positionals }) {
    const first = positionals[0];
    if (!first) throw new BadArgsError(`status needs one of: ${STATUSES.join(', ')}.`);
    noMore('status', positionals.slice(1), 'one status');
    const value = first.value.toLowerCase();
    const found = STATUSES.find((s) => s === value);
    if (found) return { status: found };
    const guess = suggest(value, STATUSES);
    throw new BadArgsError(`Unknown status ${show(first.display)}.${guess ? ` Did you mean \`${guess}\`?` : ''} Use one of: ${STATUSES.join(', ')}.`);
  },
});
