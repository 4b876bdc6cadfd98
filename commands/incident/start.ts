import { BadArgsError, DEFAULT_SEVERITY, MAX_TITLE, startVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { freeText, severityValue } from '../values.js';

export const start = defineCommand(startVerb, {
  aliases: ['open', 'declare'],
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
  build({ positionals, flags }) {
    const title = freeText('Title', positionals, MAX_TITLE);
    if (title.length === 0) throw new BadArgsError('start needs a title: what is broken?');
    const sev = flags.text('sev');
    return {
      title,
      sev: sev === undefined ? undefined : severityValue('--sev', sev),
      channelOnly: flags.boolOrUnset('channel-only'),
    };
  },
});
