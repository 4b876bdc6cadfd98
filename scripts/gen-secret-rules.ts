/**
 * Writes src/core/text/generated/secret-rules.ts from secretlint's recommended preset.
 *
 *   npm run gen:secret-rules
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extractSecretRules, presetVersion, renderSecretRulesModule } from './secret-rules-extract.js';

export const GENERATED_PATH = fileURLToPath(new URL('../src/core/text/generated/secret-rules.ts', import.meta.url));

const rules = await extractSecretRules();
writeFileSync(GENERATED_PATH, renderSecretRulesModule(rules, presetVersion()));
console.log(`wrote ${rules.length} patterns to ${GENERATED_PATH}`);
