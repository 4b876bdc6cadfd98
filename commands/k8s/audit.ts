import { z } from 'zod';
import { Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { noMore } from '../resource.js';
import { durationValue } from '../values.js';

export const AUDIT_DEFAULT_SINCE_MS = 3_600_000;
const MAX_SINCE_MS = 30 * 86_400_000;

/**
 * `/k8s audit [--since 1h]`: who asked for, approved and ran what. Answered by the bot.
 *
 * Args: `{ sinceMs }`: how far back, in milliseconds (default 1h, up to 30d).
 */
export const AuditArgsSchema = z.object({ sinceMs: z.number().int().positive().max(MAX_SINCE_MS) });
export type AuditArgs = z.infer<typeof AuditArgsSchema>;

export const audit = defineCommand({
  command: SlashCommand.K8s,
  verb: 'audit',
  aliases: [],
  risk: Risk.Read,
  mode: JobMode.Bot,
  summary: 'Who asked for, approved and ran what, recently.',
  usage: '/k8s audit [--since 1h]',
  details: '`--since DURATION` how far back (default 1h, up to 30d), e.g. `90m`, `6h`, `2d`.',
  examples: ['/k8s audit', '/k8s audit --since 24h'],
  flags: [{ name: 'since', type: FlagType.Value, valueName: 'DURATION', description: 'how far back', defaultText: '1h' }],
  schema: AuditArgsSchema,
  build({ positionals, flags }) {
    noMore('audit', positionals, 'only --since');
    const since = flags.text('since');
    return { sinceMs: since === undefined ? AUDIT_DEFAULT_SINCE_MS : durationValue('--since', since, { min: 1000, max: MAX_SINCE_MS }) };
  },
  isNamespaced: () => false,
});
