import { z } from 'zod';
import { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';
import { defineVerb, VerbRunner } from './contract.js';
import { DEFAULT_NAMESPACE, namespaceArg, objectName } from './names.js';
import { ResourceKind } from './resource-kind.js';

/** `/k8s describe node|pod NAME`: details and recent events of one object; pods in `namespace`. */
export const DescribeArgsSchema = z.object({
  kind: z.enum([ResourceKind.Node, ResourceKind.Pod]),
  name: objectName,
  namespace: namespaceArg,
});
export type DescribeArgs = z.output<typeof DescribeArgsSchema>;

export const describeVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'describe',
  risk: Risk.Read,
  runner: VerbRunner.Read,
  args: DescribeArgsSchema,
  namespaceOf: (a) => (a.kind === ResourceKind.Pod ? (a.namespace ?? DEFAULT_NAMESPACE) : undefined),
});
