import { z } from 'zod';
import { Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { noMore, ResourceKind, takeTarget } from '../resource.js';
import { objectName } from '../schemas.js';

/**
 * `/k8s cordon NODE`: mark the node unschedulable; running pods stay.
 *
 * Args: `{ node }` — the node name (DNS-1123 subdomain).
 */
export const CordonArgsSchema = z.object({ node: objectName });
export type CordonArgs = z.infer<typeof CordonArgsSchema>;

export const cordon = defineCommand({
  command: SlashCommand.K8s,
  verb: 'cordon',
  aliases: [],
  risk: Risk.Change,
  mode: JobMode.Plan,
  summary: 'Stop new pods landing on a node; running pods stay.',
  usage: '/k8s cordon NODE',
  details: 'Marks the node unschedulable. Undo with `/k8s uncordon NODE`. To move pods off too, use `/k8s drain`.',
  examples: ['/k8s cordon node02'],
  flags: [],
  schema: CordonArgsSchema,
  build({ positionals }) {
    const { name, rest } = takeTarget(positionals, { verb: 'cordon', kinds: [ResourceKind.Node], bareKind: ResourceKind.Node, missing: 'cordon needs a node name.' });
    noMore('cordon', rest, 'one node');
    return { node: name };
  },
  isNamespaced: () => false,
});
