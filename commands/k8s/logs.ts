import { logsVerb, MAX_TAIL } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { ResourceKind, takeOnlyTarget } from '../resource.js';
import { checkName, intValue } from '../values.js';

export const logs = defineCommand(logsVerb, {
  aliases: ['log'],
  summary: 'Show the log of a pod.',
  usage: '/k8s logs POD [-c CONTAINER] [--tail N] [--previous] [-n NS]',
  details: [
    '`-c CONTAINER` for pods with several containers. `--tail N` last N lines (up to 10000).',
    '`--previous` (`-p`) the log of the instance before the last restart: what a crash loop said.',
  ].join('\n'),
  examples: ['/k8s logs web-7d9f-abcde -n shop --tail 100', '/k8s logs db-0 -c postgres -n data --previous'],
  flags: [
    { name: 'container', short: 'c', type: FlagType.Value, valueName: 'CONTAINER', description: 'which container' },
    { name: 'tail', type: FlagType.Value, valueName: 'N', description: 'last N lines' },
    { name: 'previous', short: 'p', type: FlagType.Boolean, description: 'the previous (crashed) instance', defaultText: 'false' },
  ],
  build({ positionals, flags }) {
    const { name } = takeOnlyTarget(positionals, { verb: 'logs', kinds: [ResourceKind.Pod], bareKind: ResourceKind.Pod, missing: 'logs needs a pod name.', only: 'one pod (use -c for a container)' });
    const container = flags.text('container');
    const tail = flags.text('tail');
    return {
      pod: name,
      ...(container === undefined ? {} : { container: checkName('container', container, 'label') }),
      ...(tail === undefined ? {} : { tail: intValue('--tail', tail, { min: 1, max: MAX_TAIL }) }),
      previous: flags.boolOrUnset('previous'),
    };
  },
});
