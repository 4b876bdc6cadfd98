import { AUDIT_MAX_SINCE_MS, auditVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { noMore } from '../resource.js';
import { durationValue } from '../values.js';

export const audit = defineCommand(auditVerb, {
  aliases: [],
  summary: 'Who asked for, approved and ran what, recently.',
  usage: '/k8s audit [--since 1h]',
  details: '`--since DURATION` how far back (default 1h, up to 30d), e.g. `90m`, `6h`, `2d`.',
  examples: ['/k8s audit', '/k8s audit --since 24h'],
  flags: [{ name: 'since', type: FlagType.Value, valueName: 'DURATION', description: 'how far back', defaultText: '1h' }],
  build({ positionals, flags }) {
    noMore('audit', positionals, 'only --since');
    const since = flags.text('since');
    return { sinceMs: since === undefined ? undefined : durationValue('--since', since, { min: 1000, max: AUDIT_MAX_SINCE_MS }) };
  },
});
