import { uncordonVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { takeNode } from '../resource.js';

export const uncordon = defineCommand(uncordonVerb, {
  aliases: [],
  summary: 'Let new pods be scheduled on a node again.',
  usage: '/k8s uncordon NODE',
  details: 'Marks the node schedulable. Pods evicted by a drain do not move back by themselves.',
  examples: ['/k8s uncordon node02'],
  flags: [],
  build({ positionals }) {
    const name = takeNode(positionals, 'uncordon');
    return { node: name };
  },
});
