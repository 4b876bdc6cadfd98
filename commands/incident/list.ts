import { z } from 'zod';
import { Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { noMore } from '../resource.js';

/**
 * `/incident list [--open]`: recent incidents.
 *
 * Args: `{ open }`: only incidents not yet resolved.
 */
export const ListArgsSchema = z.object({ open: z.boolean() });
export type ListArgs = z.infer<typeof ListArgsSchema>;

export const list = defineCommand({
  command: SlashCommand.Incident,
  verb: 'list',
  aliases: ['ls'],
  risk: Risk.Read,
  mode: JobMode.Bot,
  summary: 'Recent incidents.',
  usage: '/incident list [--open]',
  details: '`--open` only incidents not yet resolved.',
  examples: ['/incident list', '/incident list --open'],
  flags: [{ name: 'open', type: FlagType.Boolean, description: 'only unresolved incidents', defaultText: 'false' }],
  schema: ListArgsSchema,
  build({ positionals, flags }) {
    noMore('list', positionals, 'only --open');
    return { open: flags.bool('open', false) };
  },
  isNamespaced: () => false,
});
