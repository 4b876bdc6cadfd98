import { z } from 'zod';
import { Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { noMore } from '../resource.js';
import { timeZone } from '../schemas.js';
import { timeZoneValue } from '../values.js';

/**
 * `/incident timeline [--tz ZONE]`: the open incident's timeline so far.
 *
 * Args: `{ tz? }`: an IANA time zone checked with Intl; unset means the bot's default (UTC).
 */
export const TimelineArgsSchema = z.object({ tz: timeZone.optional() });
export type TimelineArgs = z.infer<typeof TimelineArgsSchema>;

export const timeline = defineCommand({
  command: SlashCommand.Incident,
  verb: 'timeline',
  aliases: ['tl'],
  risk: Risk.Read,
  mode: JobMode.Bot,
  summary: 'Show the incident timeline so far.',
  usage: '/incident timeline [--tz ZONE]',
  details: '`--tz ZONE` shows times in an IANA time zone, e.g. `Europe/Berlin`, `Asia/Shanghai` (default UTC).',
  examples: ['/incident timeline', '/incident timeline --tz America/New_York'],
  flags: [{ name: 'tz', aliases: ['timezone'], type: FlagType.Value, valueName: 'ZONE', description: 'IANA time zone for times', defaultText: 'UTC' }],
  schema: TimelineArgsSchema,
  build({ positionals, flags }) {
    noMore('timeline', positionals, 'only --tz');
    const tz = flags.text('tz');
    return tz === undefined ? {} : { tz: timeZoneValue('--tz', tz) };
  },
  isNamespaced: () => false,
});
