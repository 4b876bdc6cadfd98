import { z } from 'zod';
import { BadArgsError, Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { severity } from '../schemas.js';
import { freeText, severityValue } from '../values.js';

export const MAX_TITLE = 150;
export const DEFAULT_SEVERITY = 3;

/**
 * `/incident start TITLE... [--sev 1..4] [--channel-only]`: open an incident.
 *
 * Args: `{ title, sev, channelOnly }`.
 * - `title`: Slack-formatted text (mentions as `<@U…>`, `&<>` escaped), up to 150 characters.
 * - `sev`: 1 (worst) to 4; default 3. `--sev 2`, `--sev sev2` and `--sev SEV-2` all read as 2.
 * - `channelOnly`: run the incident in this channel instead of opening a new one.
 */
export const StartArgsSchema = z.object({
  title: z.string().min(1).max(MAX_TITLE * 2),
  sev: severity,
  channelOnly: z.boolean(),
});
export type StartArgs = z.infer<typeof StartArgsSchema>;

export const start = defineCommand({
  command: SlashCommand.Incident,
  verb: 'start',
  aliases: ['open', 'declare'],
  risk: Risk.Read,
  mode: JobMode.Bot,
  summary: 'Open an incident: timeline, commander, severity.',
  usage: '/incident start TITLE [--sev 1-4] [--channel-only]',
  details: [
    '`--sev N` severity, 1 is worst (default 3).',
    '`--channel-only` keep the incident in this channel instead of opening a new one.',
    'Every sitrep command run in the incident\'s channel lands on its timeline.',
  ].join('\n'),
  examples: ['/incident start Checkout 5xx after deploy --sev 2', '/incident start "node02 NotReady" --channel-only'],
  flags: [
    { name: 'sev', aliases: ['severity'], type: FlagType.Value, valueName: '1-4', description: 'severity, 1 is worst', defaultText: String(DEFAULT_SEVERITY) },
    { name: 'channel-only', type: FlagType.Boolean, description: 'stay in this channel', defaultText: 'false' },
  ],
  freeText: true,
  schema: StartArgsSchema,
  build({ positionals, flags }) {
    const title = freeText('Title', positionals, MAX_TITLE);
    if (title.length === 0) throw new BadArgsError('start needs a title: what is broken?');
    const sev = flags.text('sev');
    return {
      title,
      sev: sev === undefined ? DEFAULT_SEVERITY : severityValue('--sev', sev),
      channelOnly: flags.bool('channel-only', false),
    };
  },
  isNamespaced: () => false,
});
