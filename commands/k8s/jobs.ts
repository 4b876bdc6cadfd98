import { z } from 'zod';
import { Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { noMore } from '../resource.js';

/**
 * `/k8s jobs`: the recent requests and jobs in this channel, with their state. Answered by the bot.
 *
 * Args: `{}`.
 */
export const JobsArgsSchema = z.object({});
export type JobsArgs = z.infer<typeof JobsArgsSchema>;

export const jobs = defineCommand({
  command: SlashCommand.K8s,
  verb: 'jobs',
  aliases: [],
  risk: Risk.Read,
  mode: JobMode.Bot,
  summary: 'Recent requests and jobs in this channel.',
  usage: '/k8s jobs',
  details: 'Shows who asked for what, its state (waiting for approval, running, done, failed) and a link to its message.',
  examples: ['/k8s jobs'],
  flags: [],
  schema: JobsArgsSchema,
  build({ positionals }) {
    noMore('jobs', positionals, 'no arguments');
    return {};
  },
  isNamespaced: () => false,
});
