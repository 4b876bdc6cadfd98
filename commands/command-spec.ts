import type { z } from 'zod';
import type { ArgsInputOf, ArgsOf, Risk, SlashCommand, VerbContract } from '../src/core/index.js';
import { VerbRunner } from '../src/core/verbs/contract.js';
import type { FlagSpec, FlagValues } from './flags.js';
import type { Token } from './tokenize.js';

/**
 * Where a verb runs, in the words the chat layer uses. `read`: a read job on the worker. `plan`:
 * a plan job, then approval or confirmation, then execution. `bot`: answered by the bot itself.
 * `runbook`: a procedure of steps, planned whole, approved once, run step by step.
 */
export const JobMode = { Read: 'read', Plan: 'plan', Bot: 'bot', Runbook: 'runbook' } as const;
export type JobMode = (typeof JobMode)[keyof typeof JobMode];

const MODE_OF_RUNNER = { [VerbRunner.Read]: JobMode.Read, [VerbRunner.Operation]: JobMode.Plan, [VerbRunner.Bot]: JobMode.Bot, [VerbRunner.Runbook]: JobMode.Runbook } as const;

/** What a verb's `build` receives: the arguments left after flags were taken out. */
export interface CommandInput {
  /** Positional tokens in the order typed (after the verb). */
  positionals: readonly Token[];
  /** Flags this verb declared, already checked for names and value presence. */
  flags: FlagValues;
}

/** The grammar and help of one chat verb: what a person types, and how it becomes the verb's args. */
export interface CommandGrammar<C extends VerbContract> {
  /** Other words that run the same verb (e.g. `log` for `logs`). */
  aliases: string[];
  /** One line. */
  summary: string;
  /** The right form, e.g. `/k8s drain NODE [--delete-emptydir-data] [--force] ...`. */
  usage: string;
  /** A few lines: flags, what they do, defaults. */
  details: string;
  examples: string[];
  /** Flags this verb takes (the /k8s common flags `-n` and `--cluster` are added by the parser). */
  flags: readonly FlagSpec[];
  /**
   * Prose verbs (incident notes, titles): quote characters are text, kept as typed ("don't",
   * quoted error messages), except a pair wrapping the whole text, which is removed.
   */
  freeText?: boolean;
  /**
   * Turns positionals and flags into the contract's args. Leaves out what was not typed, so the
   * contract's defaults apply; throws BadArgsError with a message for people. `-n` is added by
   * the parser for verbs whose contract takes a namespace.
   */
  build(input: CommandInput): ArgsInputOf<C>;
}

/**
 * One chat verb: its grammar and help, and the verb contract it asks for (which names the job or
 * bot-side handler that answers it, its risk and its args). Each lives in its own file under
 * commands/k8s or commands/incident and is listed once in commands/registry.ts.
 */
export interface CommandSpec<C extends VerbContract = VerbContract> extends CommandGrammar<C> {
  /** The verb contract: args schema, risk, and who answers it. */
  job: C;
  command: SlashCommand;
  verb: string;
  risk: Risk;
  mode: JobMode;
  /** The args contract (the same object as `job.args`). */
  schema: C['args'];
}

/** Declares a chat verb for a contract; command, verb, risk, mode and schema come from the contract. */
export function defineCommand<C extends VerbContract>(job: C, grammar: CommandGrammar<C>): CommandSpec<C> {
  return { ...grammar, job, command: job.command, verb: job.name, risk: job.risk, mode: MODE_OF_RUNNER[job.runner], schema: job.args };
}

/** Whether the contract's args carry a namespace, so that `-n` goes into them. */
export function takesNamespace(job: VerbContract): boolean {
  const shape = (job.args as unknown as { shape?: Record<string, z.ZodType> }).shape;
  return shape !== undefined && 'namespace' in shape;
}

/** The parsed args of a spec's contract. */
export type CommandArgs<S extends CommandSpec> = ArgsOf<S['job']>;
