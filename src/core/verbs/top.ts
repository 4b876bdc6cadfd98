import { z } from 'zod';
import { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';
import { clusterScoped, defineVerb, VerbRunner } from './contract.js';

/** `/k8s top nodes`: requests against allocatable per node. `resource` is always `nodes`. */
export const TopArgsSchema = z.object({ resource: z.literal('nodes').default('nodes') });
export type TopArgs = z.output<typeof TopArgsSchema>;

export const topVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'top',
  risk: Risk.Read,
  runner: VerbRunner.Read,
  args: TopArgsSchema,
  namespaceOf: clusterScoped,
});
