import type { z } from 'zod';
import type { Risk, SlashCommand } from '../src/core/index.js';
import type { FlagSpec, FlagValues } from './flags.js';
import type { Token } from './tokenize.js';

/**
 * Where a verb runs. `read`: a read job on the worker. `plan`: a plan job, then approval or
 * confirmation, then execution. `bot`: answered by the bot itself (help, jobs, status, audit, and
 * every /incident verb); never reaches a cluster.
 */
export const JobMode = { Read: 'read', Plan: 'plan', Bot: 'bot' } as const;
export type JobMode = (typeof JobMode)[keyof typeof JobMode];

/** What a verb's `build` receives: the arguments left after flags were taken out. */
export interface CommandInput {
  /** Positional tokens in the order typed (after the verb). */
  positionals: readonly Token[];
  /** Flags this verb declared, already checked for names and value presence. */
  flags: FlagValues;
}

/**
 * One chat verb: its grammar, help text, risk class and the job it asks for. Each lives in its
 * own file under commands/k8s or commands/incident and is listed once in commands/registry.ts.
 */
export interface CommandSpec<A extends Record<string, unknown> = Record<string, unknown>> {
  command: SlashCommand;
  verb: string;
  /** Other words that run the same verb (e.g. `log` for `logs`). */
  aliases: string[];
  risk: Risk;
  mode: JobMode;
  /** One line. */
  summary: string;
  /** The right form, e.g. `/k8s drain NODE [--delete-emptydir-data] [--force] ...`. */
  usage: string;
  /** A few lines: flags, what they do, defaults. */
  details: string;
  examples: string[];
  /** Flags this verb takes (the /k8s common flags `-n` and `--cluster` are added by the parser). */
  flags: readonly FlagSpec[];
  /** The args contract: plain JSON, checked again after `build`. Jobs may re-validate with it. */
  schema: z.ZodType<A>;
  /**
   * Prose verbs (incident notes, titles): quote characters are text, kept as typed ("don't",
   * quoted error messages), except a pair wrapping the whole text, which is removed.
   */
  freeText?: boolean;
  /** Turns positionals and flags into args; throws BadArgsError with a message for people. */
  build(input: CommandInput): A;
  /**
   * Namespace-scoped verbs report the namespace they act in, for policy matching. Returns false
   * for cluster-scoped work (nodes) and for all-namespaces reads; `-n` is then not reported.
   */
  isNamespaced(args: A): boolean;
}

/** Declares a verb with its args type inferred from its schema. */
export function defineCommand<S extends z.ZodType<Record<string, unknown>>>(
  spec: Omit<CommandSpec<z.infer<S>>, 'schema'> & { schema: S },
): CommandSpec<z.infer<S>> {
  // S is a ZodType whose output is z.infer<S>; TypeScript cannot see through the generic.
  return spec as unknown as CommandSpec<z.infer<S>>;
}
