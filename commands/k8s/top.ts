import { BadArgsError, topVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { noMore, resolveKind, ResourceKind, typeName } from '../resource.js';
import { show } from '../values.js';

export const top = defineCommand(topVerb, {
  aliases: [],
  summary: 'CPU and memory requested on each node, against what it can allocate.',
  usage: '/k8s top nodes',
  details: [
    'One row per node: the CPU and memory its pods request against what the node can allocate, and its pods against its pod limit.',
    'That is what the scheduler sees, so it says where drained pods can go. It is not live use (that needs metrics-server, which sitrep does not read).',
  ].join('\n'),
  examples: ['/k8s top nodes'],
  flags: [],
  build({ positionals }) {
    const first = positionals[0];
    if (first && resolveKind(first.value) !== ResourceKind.Node) {
      const asked = first.kind === 'text' ? typeName(first.value) : undefined;
      const instead = asked === 'pods' ? ' For a pod\'s requests and limits: `/k8s describe pod NAME -n NS`.' : '';
      throw new BadArgsError(`Not supported: top ${asked ?? show(first.display)}. sitrep's top shows nodes only (\`/k8s top nodes\`: requests against allocatable).${instead}`);
    }
    noMore('top', positionals.slice(1), 'only `nodes`');
    return { resource: 'nodes' as const };
  },
});
