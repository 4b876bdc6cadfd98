import { z } from 'zod';
import { BadArgsError, Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { freeText } from '../values.js';

export const MAX_NOTE = 3000;

/**
 * `/incident note TEXT...`: add a line to the open incident's timeline.
 *
 * Args: `{ text }`: Slack-formatted (mentions as `<@U…>`, `&<>` escaped), up to 3000 characters.
 */
export const NoteArgsSchema = z.object({ text: z.string().min(1).max(MAX_NOTE * 2) });
export type NoteArgs = z.infer<typeof NoteArgsSchema>;

export const note = defineCommand({
  command: SlashCommand.Incident,
  verb: 'note',
  aliases: [],
  risk: Risk.Read,
  mode: JobMode.Bot,
  summary: 'Add a note to the incident timeline.',
  usage: '/incident note TEXT',
  details: 'Words starting with `-` need quotes or a `--` before them.',
  examples: ['/incident note Rolled back to v41, error rate falling', '/incident note <@U123> is checking the load balancer'],
  flags: [],
  freeText: true,
  schema: NoteArgsSchema,
  build({ positionals }) {
    const text = freeText('Note', positionals, MAX_NOTE);
    if (text.length === 0) throw new BadArgsError('note needs text: what happened?');
    return { text };
  },
  isNamespaced: () => false,
});
