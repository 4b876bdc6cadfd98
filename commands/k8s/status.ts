import { statusVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { noMore } from '../resource.js';

export const status = defineCommand(statusVerb, {
  aliases: [],
  summary: 'sitrep health: queue depth, workers, clusters.',
  usage: '/k8s status [--cluster NAME]',
  details: 'Shows each cluster, whether a worker serves it, and how many jobs wait.',
  examples: ['/k8s status', '/k8s status --cluster prod'],
  flags: [],
  build({ positionals }) {
    noMore('status', positionals, 'no arguments');
    return {};
  },
});
