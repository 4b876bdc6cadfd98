import { k8sHelpVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { noMore } from '../resource.js';

export const k8sHelp = defineCommand(k8sHelpVerb, {
  aliases: [],
  summary: 'List the /k8s verbs, or explain one.',
  usage: '/k8s help [VERB]',
  details: 'Any verb followed by `--help` shows the same.',
  examples: ['/k8s help', '/k8s help drain'],
  flags: [],
  build({ positionals }) {
    const first = positionals[0];
    noMore('help', positionals.slice(1), 'at most one verb');
    return first ? { verb: first.value.toLowerCase().slice(0, 64) } : {};
  },
});
