import { z } from 'zod';
import { Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { noMore, ResourceKind, takeTarget } from '../resource.js';
import { objectName } from '../schemas.js';

/**
 * `/k8s describe node|pod NAME`: details and recent events of one object.
 *
 * Args: `{ kind: 'node' | 'pod', name }`; a pod's namespace is the top-level `namespace`.
 */
export const DescribeArgsSchema = z.object({
  kind: z.enum([ResourceKind.Node, ResourceKind.Pod]),
  name: objectName,
});
export type DescribeArgs = z.infer<typeof DescribeArgsSchema>;

export const describe = defineCommand({
  command: SlashCommand.K8s,
  verb: 'describe',
  aliases: ['desc'],
  risk: Risk.Read,
  mode: JobMode.Read,
  summary: 'Details and recent events of one node or pod.',
  usage: '/k8s describe node|pod NAME [-n NS]',
  details: 'Also written `node/NAME` or `pod/NAME`. Pods are looked up in `-n NS` (default `default`).',
  examples: ['/k8s describe node node02', '/k8s describe pod web-7d9f-abcde -n shop', '/k8s describe po/db-0 -n data'],
  flags: [],
  schema: DescribeArgsSchema,
  build({ positionals }) {
    const { kind, name, rest } = takeTarget(positionals, {
      verb: 'describe',
      kinds: [ResourceKind.Node, ResourceKind.Pod],
      missing: 'describe needs node NAME or pod NAME.',
    });
    noMore('describe', rest, 'one node or pod');
    return { kind, name };
  },
  isNamespaced: (args) => args.kind === ResourceKind.Pod,
});
