import { jobsVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { noMore } from '../resource.js';

export const jobs = defineCommand(jobsVerb, {
  aliases: [],
  summary: 'Recent requests and jobs in this channel.',
  usage: '/k8s jobs',
  details: 'Shows who asked for what, its state (waiting for approval, running, done, failed) and a link to its message.',
  examples: ['/k8s jobs'],
  flags: [],
  build({ positionals }) {
    noMore('jobs', positionals, 'no arguments');
    return {};
  },
});
