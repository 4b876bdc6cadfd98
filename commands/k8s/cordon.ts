import { cordonVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { takeNode } from '../resource.js';

export const cordon = defineCommand(cordonVerb, {
  aliases: [],
  summary: 'Stop new pods landing on a node; running pods stay.',
  usage: '/k8s cordon NODE',
  details: 'Marks the node unschedulable. Undo with `/k8s uncordon NODE`. To move pods off too, use `/k8s drain`.',
  examples: ['/k8s cordon node02'],
  flags: [],
  build({ positionals }) {
    const name = takeNode(positionals, 'cordon');
    return { node: name };
  },
});
