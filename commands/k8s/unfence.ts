import { unfenceVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { takeNode } from '../resource.js';

/** `/k8s unfence NODE`: lifts the out-of-service taint once the node is back. */
export const unfence = defineCommand(unfenceVerb, {
  aliases: [],
  summary: 'Put a fenced node back in service once it is back up (needs approval).',
  usage: '/k8s unfence NODE',
  details: [
    'Removes the `node.kubernetes.io/out-of-service` taint that `/k8s fence` set.',
    'Refused while the node is NotReady, or still in the boot it was fenced in: it must have really gone down and come back (Ready, with a new boot ID).',
    'A cordon stays: `/k8s uncordon NODE` afterwards lets pods be scheduled there again.',
  ].join('\n'),
  examples: ['/k8s unfence node03'],
  flags: [],
  build({ positionals }) {
    const name = takeNode(positionals, 'unfence');
    return { node: name };
  },
});
