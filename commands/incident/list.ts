import { listVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { noMore } from '../resource.js';

export const list = defineCommand(listVerb, {
  aliases: ['ls'],
  summary: 'Recent incidents.',
  usage: '/incident list [--open]',
  details: '`--open` only incidents not yet resolved.',
  examples: ['/incident list', '/incident list --open'],
  flags: [{ name: 'open', type: FlagType.Boolean, description: 'only unresolved incidents', defaultText: 'false' }],
  build({ positionals, flags }) {
    noMore('list', positionals, 'only --open');
    return { open: flags.boolOrUnset('open') };
  },
});
