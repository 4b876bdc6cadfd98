import { z } from 'zod';
import { BadArgsError, Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { noMore, resolveKind, ResourceKind } from '../resource.js';
import { show } from '../values.js';

/**
 * `/k8s top nodes`: CPU and memory of each node (requests against capacity).
 *
 * Args: `{ resource: 'nodes' }`. A bare `/k8s top` means nodes.
 */
export const TopArgsSchema = z.object({ resource: z.literal('nodes') });
export type TopArgs = z.infer<typeof TopArgsSchema>;

export const top = defineCommand({
  command: SlashCommand.K8s,
  verb: 'top',
  aliases: [],
  risk: Risk.Read,
  mode: JobMode.Read,
  summary: 'CPU and memory use of each node.',
  usage: '/k8s top nodes',
  details: 'One row per node: CPU and memory, used and allocatable.',
  examples: ['/k8s top nodes'],
  flags: [],
  schema: TopArgsSchema,
  build({ positionals }) {
    const first = positionals[0];
    if (first && resolveKind(first.value) !== ResourceKind.Node) {
      throw new BadArgsError(`top shows nodes only, not ${show(first.display)}.`);
    }
    noMore('top', positionals.slice(1), 'only `nodes`');
    return { resource: 'nodes' as const };
  },
  isNamespaced: () => false,
});
