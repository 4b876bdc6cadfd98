import { readFileSync } from 'node:fs';
import { lintSource } from '@secretlint/core';
import { rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';
import { describe, expect, it } from 'vitest';
import { extractSecretRules, presetVersion, renderSecretRulesModule } from '../../scripts/secret-rules-extract.js';
import { SECRET_RULES_SOURCE } from '../../src/core/text/generated/secret-rules.js';
import { REDACTED, redactText } from '../../src/core/text/redact.js';
import { SECRET_SAMPLES } from '../support/secrets.js';


describe('secret rules from secretlint', () => {
  it('the generated file is current with the installed preset (else: npm run gen:secret-rules)', async () => {
    const generated = readFileSync(new URL('../../src/core/text/generated/secret-rules.ts', import.meta.url), 'utf8');
    expect(SECRET_RULES_SOURCE.version).toBe(presetVersion());
    expect(generated).toBe(renderSecretRulesModule(await extractSecretRules(), presetVersion()));
  });

  it.each(Object.entries(SECRET_SAMPLES))('%s: secretlint finds it, and the synchronous redactor hides it inline', async (_name, secret) => {
    const text = `rolled back; used ${secret} to log in, then rotated`;
    const found = await lintSource({
      source: { filePath: '/note.txt', content: text, contentType: 'text' },
      options: { config: { rules: presetRules.map((rule) => ({ id: rule.meta.id, rule: rule as never, options: rule.meta.id.endsWith('/secretlint-rule-aws') ? { enableIDScanRule: true } : {} })) } },
    });
    expect(found.messages.length).toBeGreaterThan(0);
    const out = redactText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
    expect(out).toMatch(/^rolled back; used .*to log in, then rotated$/);
  });

  it('connection strings lose only their password', () => {
    expect(redactText('DATABASE_URL=postgres://app:hunter2xyz@db.shop:5432/orders')).toBe(`DATABASE_URL=postgres://app:${REDACTED}@db.shop:5432/orders`);
    expect(redactText('mongodb://db-0.mongo:27017/app is up')).toBe('mongodb://db-0.mongo:27017/app is up');
  });

  it('is idempotent', () => {
    for (const secret of Object.values(SECRET_SAMPLES)) {
      const once = redactText(`a ${secret} b`);
      expect(redactText(once)).toBe(once);
    }
  });
});
