import { z } from 'zod';
import { Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { noMore } from '../resource.js';

/**
 * `/k8s status`: sitrep's own health: queue depth, live workers, known clusters.
 *
 * Args: `{}` (`--cluster` narrows it to one cluster and is returned at top level).
 */
export const StatusArgsSchema = z.object({});
export type StatusArgs = z.infer<typeof StatusArgsSchema>;

export const status = defineCommand({
  command: SlashCommand.K8s,
  verb: 'status',
  aliases: [],
  risk: Risk.Read,
  mode: JobMode.Bot,
  summary: 'sitrep health: queue depth, workers, clusters.',
  usage: '/k8s status [--cluster NAME]',
  details: 'Shows each cluster, whether a worker serves it, and how many jobs wait.',
  examples: ['/k8s status', '/k8s status --cluster prod'],
  flags: [],
  schema: StatusArgsSchema,
  build({ positionals }) {
    noMore('status', positionals, 'no arguments');
    return {};
  },
  isNamespaced: () => false,
});
