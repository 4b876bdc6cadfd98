import { BadArgsError, topVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { noMore, resolveKind, ResourceKind } from '../resource.js';
import { show } from '../values.js';

export const top = defineCommand(topVerb, {
  aliases: [],
  summary: 'CPU and memory use of each node.',
  usage: '/k8s top nodes',
  details: 'One row per node: CPU and memory, used and allocatable.',
  examples: ['/k8s top nodes'],
  flags: [],
  build({ positionals }) {
    const first = positionals[0];
    if (first && resolveKind(first.value) !== ResourceKind.Node) {
      throw new BadArgsError(`top shows nodes only, not ${show(first.display)}.`);
    }
    noMore('top', positionals.slice(1), 'only `nodes`');
    return { resource: 'nodes' as const };
  },
});
