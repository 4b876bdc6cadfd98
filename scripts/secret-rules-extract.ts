/**
 * Reads the detection patterns out of secretlint's recommended preset
 * (`@secretlint/secretlint-rule-preset-recommend`), so sitrep's synchronous redactor
 * (src/core/text/redact.ts) uses a maintained rule set rather than a list of our own.
 *
 * secretlint's API is asynchronous and reports findings rather than exposing its patterns, so the
 * patterns are observed instead: each scanner rule of the preset is run through `@secretlint/core`'s
 * `lintSource` on a probe text while `RegExp.prototype.exec` records every regular expression
 * applied to that text. What secretlint's core itself applies (its line index) is recorded with a
 * rule that does nothing and left out. The result is written by scripts/gen-secret-rules.ts to
 * src/core/text/generated/secret-rules.ts; test/core/secret-rules.test.ts checks that the file is
 * current and that the redactor hides what secretlint finds.
 */
import { createRequire } from 'node:module';
import { lintSource } from '@secretlint/core';
import { rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';

export const PRESET_PACKAGE = '@secretlint/secretlint-rule-preset-recommend';

/** Rule options that turn on scanners the preset leaves off by default. */
const RULE_OPTIONS: Readonly<Record<string, Record<string, unknown>>> = {
  // AWS access key ids (AKIA…) are off by default in secretlint; a pasted one is still a credential.
  '@secretlint/secretlint-rule-aws': { enableIDScanRule: true },
};

/** Rules of the preset that are not scanners (comment directives). */
const SKIP = new Set(['@secretlint/secretlint-rule-filter-comments']);

export interface ExtractedRule {
  /** The secretlint rule id, without the `@secretlint/secretlint-rule-` prefix. */
  rule: string;
  source: string;
  flags: string;
}

interface RuleLike {
  meta: { id: string; type?: string };
}

const PROBE = 'sitrep probe: password=x token: y https://user:pass@example.com AKIA ghp_ -----BEGIN';

async function observe(rule: RuleLike, options: Record<string, unknown>): Promise<RegExp[]> {
  const seen = new Map<string, RegExp>();
  const exec = RegExp.prototype.exec;
  RegExp.prototype.exec = function (this: RegExp, s: string) {
    if (s === PROBE && !seen.has(`${this.source}/${this.flags}`)) seen.set(`${this.source}/${this.flags}`, new RegExp(this.source, this.flags));
    return exec.call(this, s);
  };
  try {
    await lintSource({
      source: { filePath: '/probe.txt', content: PROBE, contentType: 'text' },
      options: { config: { rules: [{ id: rule.meta.id, rule: rule as never, options }] } },
    });
  } finally {
    RegExp.prototype.exec = exec;
  }
  return [...seen.values()];
}

/** The preset's version, as installed. */
export function presetVersion(): string {
  const require = createRequire(import.meta.url);
  return (require(`${PRESET_PACKAGE}/package.json`) as { version: string }).version;
}

/** Every detection pattern of the preset's scanner rules, in the preset's order. */
export async function extractSecretRules(): Promise<ExtractedRule[]> {
  const noop: RuleLike & Record<string, unknown> = {
    meta: { id: 'sitrep-noop', type: 'scanner', recommended: true, supportedContentTypes: ['text'] } as RuleLike['meta'],
    messages: {},
    create: () => ({ file() {} }),
  };
  const core = new Set((await observe(noop, {})).map((r) => `${r.source}/${r.flags}`));
  const out: ExtractedRule[] = [];
  for (const rule of presetRules as unknown as RuleLike[]) {
    if (SKIP.has(rule.meta.id) || (rule.meta.type !== undefined && rule.meta.type !== 'scanner')) continue;
    for (const re of await observe(rule, RULE_OPTIONS[rule.meta.id] ?? {})) {
      if (core.has(`${re.source}/${re.flags}`)) continue;
      out.push({ rule: rule.meta.id.replace(/^@secretlint\/secretlint-rule-/, ''), source: re.source, flags: re.flags.replace('g', '') });
    }
  }
  return out;
}

/** The generated module's text. */
export function renderSecretRulesModule(rules: readonly ExtractedRule[], version: string): string {
  const lines = [
    '// GENERATED FILE: do not edit. Regenerate with `npm run gen:secret-rules`',
    `// (scripts/gen-secret-rules.ts), after upgrading ${PRESET_PACKAGE}.`,
    `// Patterns of ${PRESET_PACKAGE}@${version} (MIT), read from its scanner rules`,
    '// by scripts/secret-rules-extract.ts; used by src/core/text/redact.ts.',
    '',
    '/** Where the patterns below came from. */',
    `export const SECRET_RULES_SOURCE = { package: '${PRESET_PACKAGE}', version: '${version}' } as const;`,
    '',
    '/** One detection pattern: the secretlint rule it belongs to, and the RegExp source and flags (without `g`). */',
    'export interface SecretRule {',
    '  readonly rule: string;',
    '  readonly source: string;',
    '  readonly flags: string;',
    '}',
    '',
    'export const SECRET_RULES: readonly SecretRule[] = [',
    ...rules.map((r) => `  { rule: ${JSON.stringify(r.rule)}, source: ${JSON.stringify(r.source)}, flags: ${JSON.stringify(r.flags)} },`),
    '];',
    '',
  ];
  return lines.join('\n');
}
