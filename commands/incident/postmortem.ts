import { z } from 'zod';
import { BadArgsError, Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { noMore } from '../resource.js';
import { slackId, timeZone } from '../schemas.js';
import { TokenKind } from '../tokenize.js';
import { show, timeZoneValue } from '../values.js';

export const PostmortemFormat = { Markdown: 'md', Json: 'json' } as const;
export type PostmortemFormat = (typeof PostmortemFormat)[keyof typeof PostmortemFormat];

const CHANNEL_NAME = /^[a-z0-9][a-z0-9._-]{0,79}$/;

/**
 * `/incident postmortem [#channel] [--format md|json] [--tz ZONE] [--backups]`: write the
 * postmortem of the latest incident and post it (to #channel, or here).
 *
 * Args: `{ channelId?, channelName?, format, tz?, backups }`.
 * - `channelId` when Slack sent `<#C123|ops>`; `channelName` when it sent plain `#ops` (the bot
 *   resolves it). Neither: this channel.
 * - `format`: `md` (default) or `json`.
 * - `tz`: IANA zone for times; unset means the bot's default (UTC).
 * - `backups`: include the backups jobs took (manifests saved before changes).
 */
export const PostmortemArgsSchema = z.object({
  channelId: slackId.optional(),
  channelName: z.string().regex(CHANNEL_NAME).optional(),
  format: z.enum([PostmortemFormat.Markdown, PostmortemFormat.Json]),
  tz: timeZone.optional(),
  backups: z.boolean(),
});
export type PostmortemArgs = z.infer<typeof PostmortemArgsSchema>;

export const postmortem = defineCommand({
  command: SlashCommand.Incident,
  verb: 'postmortem',
  aliases: ['pm'],
  risk: Risk.Read,
  mode: JobMode.Bot,
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
  schema: PostmortemArgsSchema,
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
    let format: PostmortemFormat = PostmortemFormat.Markdown;
    if (formatRaw === 'json') format = PostmortemFormat.Json;
    else if (formatRaw !== undefined && formatRaw !== 'md' && formatRaw !== 'markdown') {
      throw new BadArgsError(`--format must be md or json, got ${show(formatRaw)}.`);
    }
    const tz = flags.text('tz');
    return {
      ...target,
      format,
      ...(tz === undefined ? {} : { tz: timeZoneValue('--tz', tz) }),
      backups: flags.bool('backups', false),
    };
  },
  isNamespaced: () => false,
});
