import { BadArgsError, CHANNEL_NAME, PostmortemFormat, postmortemVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { noMore } from '../resource.js';
import { TokenKind } from '../tokenize.js';
import { show, timeZoneValue } from '../values.js';

export const postmortem = defineCommand(postmortemVerb, {
  aliases: ['pm'],
  summary: 'Write the postmortem and post it here or to a channel.',
  usage: '/incident postmortem [#CHANNEL] [--format md|json] [--tz ZONE] [--backups]',
  details: [
    '`#CHANNEL` where to post it (default: here). `--format md|json` (default md).',
    '`--tz ZONE` IANA time zone for times (default UTC). `--backups` include the manifests saved before each change.',
  ].join('\n'),
  examples: ['/incident postmortem', '/incident postmortem #postmortems --tz Asia/Shanghai', '/incident postmortem --format json'],
  flags: [
    { name: 'format', type: FlagType.Value, valueName: 'md|json', description: 'Markdown or JSON', defaultText: 'md' },
    { name: 'tz', aliases: ['timezone'], type: FlagType.Value, valueName: 'ZONE', description: 'IANA time zone for times', defaultText: 'UTC' },
    { name: 'backups', type: FlagType.Boolean, description: 'include saved manifests', defaultText: 'false' },
  ],
  build({ positionals, flags }) {
    const first = positionals[0];
    noMore('postmortem', positionals.slice(1), 'at most one #channel');
    let target: { channelId: string } | { channelName: string } | Record<string, never> = {};
    if (first) {
      if (first.kind === TokenKind.Channel) target = { channelId: first.value };
      else if (first.kind === TokenKind.Text && first.value.startsWith('#') && CHANNEL_NAME.test(first.value.slice(1))) {
        target = { channelName: first.value.slice(1) };
      } else throw new BadArgsError(`postmortem posts to a #channel, got ${show(first.display)}.`);
    }
    const formatRaw = flags.text('format')?.toLowerCase();
    let format: PostmortemFormat | undefined;
    if (formatRaw === 'json') format = PostmortemFormat.Json;
    else if (formatRaw === 'md' || formatRaw === 'markdown') format = PostmortemFormat.Markdown;
    else if (formatRaw !== undefined) throw new BadArgsError(`--format must be md or json, got ${show(formatRaw)}.`);
    const tz = flags.text('tz');
    return {
      ...target,
      format,
      ...(tz === undefined ? {} : { tz: timeZoneValue('--tz', tz) }),
      backups: flags.boolOrUnset('backups'),
    };
  },
});
