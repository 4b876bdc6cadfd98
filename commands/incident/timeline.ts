import { timelineVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { noMore } from '../resource.js';
import { timeZoneValue } from '../values.js';

export const timeline = defineCommand(timelineVerb, {
  aliases: ['tl'],
  summary: 'Show the incident timeline so far.',
  usage: '/incident timeline [--tz ZONE]',
  details: '`--tz ZONE` shows times in an IANA time zone, e.g. `Europe/Berlin`, `Asia/Shanghai` (default UTC).',
  examples: ['/incident timeline', '/incident timeline --tz America/New_York'],
  flags: [{ name: 'tz', aliases: ['timezone'], type: FlagType.Value, valueName: 'ZONE', description: 'IANA time zone for times', defaultText: 'UTC' }],
  build({ positionals, flags }) {
    noMore('timeline', positionals, 'only --tz');
    const tz = flags.text('tz');
    return tz === undefined ? {} : { tz: timeZoneValue('--tz', tz) };
  },
});
