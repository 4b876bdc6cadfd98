import { z } from 'zod';
import { BadArgsError, Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { noMore } from '../resource.js';
import { suggest } from '../suggest.js';
import { show } from '../values.js';

/** Where an incident stands, in the usual order. */
export const IncidentStatus = {
  Investigating: 'investigating',
  Identified: 'identified',
  Monitoring: 'monitoring',
  Resolved: 'resolved',
} as const;
export type IncidentStatus = (typeof IncidentStatus)[keyof typeof IncidentStatus];
const STATUSES = Object.values(IncidentStatus);

/**
 * `/incident status investigating|identified|monitoring|resolved`: move the incident along.
 *
 * Args: `{ status }`.
 */
export const IncidentStatusArgsSchema = z.object({ status: z.enum(STATUSES as [IncidentStatus, ...IncidentStatus[]]) });
export type IncidentStatusArgs = z.infer<typeof IncidentStatusArgsSchema>;

export const incidentStatus = defineCommand({
  command: SlashCommand.Incident,
  verb: 'status',
  aliases: [],
  risk: Risk.Read,
  mode: JobMode.Bot,
  summary: 'Set where the incident stands.',
  usage: '/incident status investigating|identified|monitoring|resolved',
  details: '`resolved` here only records the state; `/incident resolve` also closes the incident with a summary.',
  examples: ['/incident status identified', '/incident status monitoring'],
  flags: [],
  schema: IncidentStatusArgsSchema,
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
  isNamespaced: () => false,
});
