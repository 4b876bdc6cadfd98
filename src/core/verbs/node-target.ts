import { z } from 'zod';
import { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';
import { clusterScoped, defineVerb, VerbRunner } from './contract.js';
import { objectName } from './names.js';

/** `/k8s cordon NODE` and `/k8s uncordon NODE`: `node` is the node name. */
export const NodeTargetArgsSchema = z.object({ node: objectName });
export type NodeTargetArgs = z.output<typeof NodeTargetArgsSchema>;

/** Marks the node unschedulable; running pods stay. */
export const cordonVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'cordon',
  risk: Risk.Change,
  runner: VerbRunner.Operation,
  args: NodeTargetArgsSchema,
  namespaceOf: clusterScoped,
  targetOf: (a) => `node/${a.node}`,
});

/** Marks the node schedulable again. */
export const uncordonVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'uncordon',
  risk: Risk.Change,
  runner: VerbRunner.Operation,
  args: NodeTargetArgsSchema,
  namespaceOf: clusterScoped,
  targetOf: (a) => `node/${a.node}`,
});
