import { z } from 'zod';
import { Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { noMore, ResourceKind, takeTarget } from '../resource.js';
import { objectName } from '../schemas.js';

/**
 * `/k8s uncordon NODE`: let pods be scheduled on the node again.
 *
 * Args: `{ node }` — the node name (DNS-1123 subdomain).
 */
export const UncordonArgsSchema = z.object({ node: objectName });
export type UncordonArgs = z.infer<typeof UncordonArgsSchema>;

export const uncordon = defineCommand({
  command: SlashCommand.K8s,
  verb: 'uncordon',
  aliases: [],
  risk: Risk.Change,
  mode: JobMode.Plan,
  summary: 'Let new pods be scheduled on a node again.',
  usage: '/k8s uncordon NODE',
  details: 'Marks the node schedulable. Pods evicted by a drain do not move back by themselves.',
  examples: ['/k8s uncordon node02'],
  flags: [],
  schema: UncordonArgsSchema,
  build({ positionals }) {
    const { name, rest } = takeTarget(positionals, { verb: 'uncordon', kinds: [ResourceKind.Node], bareKind: ResourceKind.Node, missing: 'uncordon needs a node name.' });
    noMore('uncordon', rest, 'one node');
    return { node: name };
  },
  isNamespaced: () => false,
});
