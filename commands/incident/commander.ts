import { BadArgsError, commanderVerb, USER_NAME } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { noMore } from '../resource.js';
import { TokenKind } from '../tokenize.js';
import { show } from '../values.js';

export const commander = defineCommand(commanderVerb, {
  aliases: ['ic'],
  summary: 'Make someone the incident commander.',
  usage: '/incident commander @USER',
  details: 'Mention the person with @. The commander is shown on the incident and in the postmortem.',
  examples: ['/incident commander @alice'],
  flags: [],
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
});
