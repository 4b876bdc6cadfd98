import { describeVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { ResourceKind, takeOnlyTarget } from '../resource.js';

export const describe = defineCommand(describeVerb, {
  aliases: ['desc'],
  summary: 'Details and recent events of one node or pod.',
  usage: '/k8s describe node|pod NAME [-n NS]',
  details: 'Also written `node/NAME` or `pod/NAME`. Pods are looked up in `-n NS` (default `default`).',
  examples: ['/k8s describe node node02', '/k8s describe pod web-7d9f-abcde -n shop', '/k8s describe po/db-0 -n data'],
  flags: [],
  build({ positionals }) {
    const { kind, name } = takeOnlyTarget(positionals, { verb: 'describe', kinds: [ResourceKind.Node, ResourceKind.Pod], missing: 'describe needs node NAME or pod NAME.', only: 'one node or pod' });
    return { kind, name };
  },
});
