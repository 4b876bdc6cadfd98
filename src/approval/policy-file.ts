import { ConfigError, ErrorCode } from '../core/errors.js';
import { locate, prefixed, problemLines, readYaml, zodProblems, type SourceProblem } from '../core/yaml-source.js';
import { crossCheck, knownKeysAt, PolicyFileSchema, type PolicyFile, type PolicyProblem } from './policy-schema.js';

/** A policy file that passed validation, with the line of each rule for messages. */
export interface ParsedPolicyFile {
  file: PolicyFile;
  /** 1-based line of each rule, in order. */
  ruleLines: number[];
}

export interface ParsePolicyOptions {
  /**
   * Verbs sitrep knows (from the commands registry). When given, a rule naming any other verb is
   * an error with a did-you-mean; when absent, unknown verbs simply never match.
   * @defaultValue undefined
   */
  knownVerbs?: readonly string[];
}

function fail(sourceName: string, located: SourceProblem[]): never {
  const lines = problemLines(sourceName, located);
  const count = located.length === 1 ? '' : ` (${located.length} problems)`;
  throw new ConfigError(`Policy invalid${count}:\n${lines.join('\n')}`, {
    code: ErrorCode.PolicyInvalid,
    hint: `Fix ${sourceName} and restart sitrep, or unset SITREP_POLICY to use the built-in policy.`,
  });
}

/**
 * Parses and validates policy text (YAML, or JSON, which YAML reads as well). Every problem is
 * reported as `source:line:col: what is wrong`, all at once, so an admin fixes the file in one go.
 */
export function parsePolicyText(text: string, sourceName: string, options: ParsePolicyOptions = {}): ParsedPolicyFile {
  const src = readYaml(text);
  if (src.problems.length) fail(sourceName, src.problems);
  if (src.data === null || src.data === undefined) fail(sourceName, [{ line: 1, col: 1, message: 'the file is empty; it needs at least rules:' }]);

  const parsed = PolicyFileSchema.safeParse(src.data, { reportInput: true });
  if (!parsed.success) fail(sourceName, zodProblems(src, parsed.error.issues, knownKeysAt));

  const problems: PolicyProblem[] = crossCheck(parsed.data, options.knownVerbs);
  if (problems.length) {
    fail(sourceName, problems.map((p) => ({ ...locate(src, p.path), message: prefixed(p.path, p.message) })));
  }

  const ruleLines = parsed.data.rules.map((_, i) => locate(src, ['rules', i]).line);
  return { file: parsed.data, ruleLines };
}
