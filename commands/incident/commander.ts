import { z } from 'zod';
import { BadArgsError, Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { noMore } from '../resource.js';
import { slackId } from '../schemas.js';
import { TokenKind } from '../tokenize.js';
import { show } from '../values.js';

const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,79}$/i;

/**
 * `/incident commander @user`: hand the incident to someone.
 *
 * Args: `{ userId?, userName? }`, exactly one set. Slack sends `<@U123|alice>` when the app
 * escapes users (→ `userId: 'U123'`); otherwise it sends plain `@alice` (→ `userName: 'alice'`),
 * which the bot resolves to an id.
 */
export const CommanderArgsSchema = z
  .object({ userId: slackId.optional(), userName: z.string().regex(USER_NAME).optional() })
  .refine((a) => (a.userId === undefined) !== (a.userName === undefined), 'exactly one of userId and userName');
export type CommanderArgs = z.infer<typeof CommanderArgsSchema>;

export const commander = defineCommand({
  command: SlashCommand.Incident,
  verb: 'commander',
  aliases: ['ic'],
  risk: Risk.Read,
  mode: JobMode.Bot,
  summary: 'Make someone the incident commander.',
  usage: '/incident commander @USER',
  details: 'Mention the person with @. The commander is shown on the incident and in the postmortem.',
  examples: ['/incident commander @alice'],
  flags: [],
  schema: CommanderArgsSchema,
  build({ positionals }) {
    const first = positionals[0];
    if (!first) throw new BadArgsError('commander needs a person: @name.');
    noMore('commander', positionals.slice(1), 'one person');
    if (first.kind === TokenKind.User) return { userId: first.value };
    if (first.kind === TokenKind.Text && first.value.startsWith('@') && USER_NAME.test(first.value.slice(1))) {
      return { userName: first.value.slice(1) };
    }
    throw new BadArgsError(`commander needs an @mention, got ${show(first.display)}.`);
  },
  isNamespaced: () => false,
});
