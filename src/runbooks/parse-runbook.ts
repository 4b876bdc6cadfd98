import { didYouMeanSuffix } from '../core/text/did-you-mean.js';
import { locate, prefixed, readYaml, zodProblems, type SourceProblem } from '../core/yaml-source.js';
import { CONDITION_KEYS, knownKeysAt, ParamType, RunbookFileSchema, type RunbookFile } from './runbook-file.js';
import { buildSteps, valueProblem, type CheckRun, type PathProblem } from './runbook-steps-build.js';
import { placeholders } from './template.js';

/** A runbook file that passed every check, ready to be filled in by a request. */
export interface RunbookDefinition {
  name: string;
  description: string;
  /** The file it was read from, or `built-in`. */
  source: string;
  file: RunbookFile;
}

export type ParseRunbookOutcome = { ok: true; runbook: RunbookDefinition } | { ok: false; problems: SourceProblem[] };

/** A value of each parameter that its type accepts, to check the steps before anyone asks. */
function sampleValues(file: RunbookFile): Record<string, string> {
  const sample = { [ParamType.Name]: 'sample-name', [ParamType.Namespace]: 'default', [ParamType.Integer]: '1' } as const;
  return Object.fromEntries(Object.entries(file.params).map(([k, p]) => [k, p.default !== undefined && !valueProblem(p.type, String(p.default)) ? String(p.default) : sample[p.type]]));
}

/** Every `{{name}}` names a parameter the file declares. */
function placeholderProblems(file: RunbookFile): PathProblem[] {
  const declared = Object.keys(file.params);
  const problems: PathProblem[] = [];
  const check = (path: (string | number)[], text: string | undefined) => {
    if (text === undefined) return;
    const { names, malformed } = placeholders(text);
    if (malformed) problems.push({ path, message: 'a placeholder is written {{name}}, with a parameter name inside' });
    for (const name of names.filter((n) => n && !declared.includes(n))) {
      const known = declared.length ? ` Parameters: ${declared.join(', ')}.` : ' This runbook declares no params:.';
      problems.push({ path, message: `{{${name}}} is not a parameter of this runbook.${didYouMeanSuffix(name, declared)}${known}` });
    }
  };
  file.steps.forEach((s, i) => {
    check(['steps', i, 'run'], s.run);
    check(['steps', i, 'manual'], s.manual);
    check(['steps', i, 'note'], s.note);
    for (const c of ['wait', 'if'] as const) {
      const cond = s[c];
      if (!cond) continue;
      for (const key of [...CONDITION_KEYS, 'namespace'] as const) check(['steps', i, c, key], cond[key]);
    }
  });
  return problems;
}

function defaultProblems(file: RunbookFile): PathProblem[] {
  return Object.entries(file.params).flatMap(([name, p]) => {
    if (p.default === undefined) return [];
    const why = valueProblem(p.type, String(p.default));
    return why ? [{ path: ['params', name, 'default'], message: `default ${JSON.stringify(p.default)} ${why}` }] : [];
  });
}

/**
 * Parses and checks a runbook file: its YAML, its shape, its placeholders, and every step with
 * sample values (each `run:` line by `checkRun`, the verbs' own grammar). Every problem is
 * returned at once with its line and column, so an admin fixes the file in one go.
 * @param defaultName the name when the file has no `name:` (its file name without .yaml).
 */
export function parseRunbookText(text: string, source: string, options: { checkRun: CheckRun; defaultName: string }): ParseRunbookOutcome {
  const src = readYaml(text);
  if (src.problems.length) return { ok: false, problems: src.problems };
  if (src.data === null || src.data === undefined) return { ok: false, problems: [{ line: 1, col: 1, message: 'the file is empty; a runbook needs description: and steps:' }] };
  const parsed = RunbookFileSchema.safeParse(src.data, { reportInput: true });
  if (!parsed.success) return { ok: false, problems: zodProblems(src, parsed.error.issues, knownKeysAt) };
  const file = parsed.data;
  const located = (ps: PathProblem[]) => ps.map((p) => ({ ...locate(src, p.path), message: prefixed(p.path, p.message) }));
  const early = [...placeholderProblems(file), ...defaultProblems(file)];
  if (early.length) return { ok: false, problems: located(early) };
  const { problems } = buildSteps(file, sampleValues(file), options.checkRun);
  if (problems.length) return { ok: false, problems: located(problems) };
  const name = file.name ?? options.defaultName;
  return { ok: true, runbook: { name, description: file.description, source, file } };
}
