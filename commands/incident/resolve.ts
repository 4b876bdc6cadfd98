import { z } from 'zod';
import { Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { freeText } from '../values.js';

export const MAX_SUMMARY = 3000;

/**
 * `/incident resolve [SUMMARY...]`: close the open incident.
 *
 * Args: `{ summary? }`: Slack-formatted text, up to 3000 characters; unset when none was given.
 */
export const ResolveArgsSchema = z.object({ summary: z.string().min(1).max(MAX_SUMMARY * 2).optional() });
export type ResolveArgs = z.infer<typeof ResolveArgsSchema>;

export const resolve = defineCommand({
  command: SlashCommand.Incident,
  verb: 'resolve',
  aliases: ['close'],
  risk: Risk.Read,
  mode: JobMode.Bot,
  summary: 'Resolve the incident, with an optional summary.',
  usage: '/incident resolve [SUMMARY]',
  details: 'The summary opens the postmortem. Then run `/incident postmortem`.',
  examples: ['/incident resolve', '/incident resolve Bad config in v42 rolled back; error rate normal since 14:10'],
  flags: [],
  freeText: true,
  schema: ResolveArgsSchema,
  build({ positionals }) {
    const summary = freeText('Summary', positionals, MAX_SUMMARY);
    return summary.length === 0 ? {} : { summary };
  },
  isNamespaced: () => false,
});
