import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { ConfigError, ErrorCode } from '../core/errors.js';
import { problemLines } from '../core/yaml-source.js';
import { BUILT_IN_RUNBOOKS, type BuiltInRunbook } from './builtin/index.js';
import { instantiate, type InstantiateOutcome } from './instantiate.js';
import { parseRunbookText, type RunbookDefinition } from './parse-runbook.js';
import type { CheckRun } from './runbook-steps-build.js';

/** A built-in this sitrep cannot offer (a step needs a verb it lacks), and why. */
export interface UnavailableRunbook {
  name: string;
  source: string;
  reason: string;
}

/**
 * The runbooks this bot offers: the built-ins, then every `*.yaml`/`*.yml`/`*.json` file of
 * SITREP_RUNBOOKS (a file named like a built-in replaces it). Read once at start-up.
 */
export class RunbookCatalog {
  constructor(
    private readonly runbooks: ReadonlyMap<string, RunbookDefinition>,
    readonly unavailable: readonly UnavailableRunbook[],
    private readonly checkRun: CheckRun,
  ) {}

  list(): RunbookDefinition[] {
    return [...this.runbooks.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): RunbookDefinition | undefined {
    return this.runbooks.get(name);
  }

  names(): string[] {
    return [...this.runbooks.keys()];
  }

  /** The named runbook with these values, checked; see instantiate(). */
  instantiate(def: RunbookDefinition, params: Readonly<Record<string, string>>): InstantiateOutcome {
    return instantiate(def, params, this.checkRun);
  }
}

export interface LoadRunbooksOptions {
  /** SITREP_RUNBOOKS: a directory of runbook files. @defaultValue undefined (built-ins only) */
  dir?: string;
  /** Checks a `run:` line against the verbs' grammar (the bot builds it from commands/). */
  checkRun: CheckRun;
  /** @defaultValue BUILT_IN_RUNBOOKS */
  builtIns?: readonly BuiltInRunbook[];
}

const RUNBOOK_FILE = /\.(ya?ml|json)$/i;

function invalid(lines: string[], dir: string): ConfigError {
  const count = lines.length === 1 ? '' : ` (${lines.length} problems)`;
  return new ConfigError(`Runbooks invalid${count}:\n${lines.join('\n')}`, {
    code: ErrorCode.RunbookInvalid,
    hint: `Fix the runbook files in ${dir} (SITREP_RUNBOOKS) and start sitrep again, or unset SITREP_RUNBOOKS to offer only the built-in runbooks.`,
  });
}

/**
 * Reads the built-ins and the runbook files. Any problem in any file stops start-up with one
 * ConfigError (`sitrep_runbook_invalid`) listing every problem as `file:line:column: what`.
 * A built-in whose steps this sitrep cannot run is left out and listed as unavailable.
 */
export function loadRunbooks(options: LoadRunbooksOptions): RunbookCatalog {
  const runbooks = new Map<string, RunbookDefinition>();
  const unavailable: UnavailableRunbook[] = [];
  for (const b of options.builtIns ?? BUILT_IN_RUNBOOKS) {
    const parsed = parseRunbookText(b.yaml, `built-in ${b.name}`, { checkRun: options.checkRun, defaultName: b.name });
    if (parsed.ok) runbooks.set(parsed.runbook.name, { ...parsed.runbook, source: 'built-in' });
    // The first sentence says it (`steps[2]: run: Unknown verb "fence".`); the rest is usage help.
    else unavailable.push({ name: b.name, source: 'built-in', reason: parsed.problems.map((p) => p.message.replace(/\.\s.*$/s, '.')).join(' ') });
  }
  if (!options.dir) return new RunbookCatalog(runbooks, unavailable, options.checkRun);

  const dir = options.dir;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => RUNBOOK_FILE.test(n)).sort();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`SITREP_RUNBOOKS is not a readable directory: ${dir} (${reason}).`, {
      code: ErrorCode.RunbookInvalid,
      cause: err,
      hint: 'Point SITREP_RUNBOOKS at a directory of runbook files (*.yaml), or unset it to offer only the built-in runbooks.',
    });
  }
  const lines: string[] = [];
  const fromFile = new Map<string, string>();
  for (const name of names) {
    const path = join(dir, name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      lines.push(`${path}:1:1: unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      continue;
    }
    const parsed = parseRunbookText(text, path, { checkRun: options.checkRun, defaultName: basename(name, extname(name)).toLowerCase() });
    if (!parsed.ok) {
      lines.push(...problemLines(path, parsed.problems));
      continue;
    }
    const other = fromFile.get(parsed.runbook.name);
    if (other) {
      lines.push(`${path}:1:1: runbook ${parsed.runbook.name} is also defined in ${other}; runbook names must be unique`);
      continue;
    }
    fromFile.set(parsed.runbook.name, path);
    runbooks.set(parsed.runbook.name, parsed.runbook);
  }
  if (lines.length) throw invalid(lines, dir);
  return new RunbookCatalog(runbooks, unavailable.filter((u) => !fromFile.has(u.name)), options.checkRun);
}
