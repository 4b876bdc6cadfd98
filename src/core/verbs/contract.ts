import type { z } from 'zod';
import { ErrorCode, JobError } from '../errors.js';
import type { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';

/**
 * Who answers a verb. `read`: a read job on a worker. `operation`: a plan job on a worker, then
 * approval or confirmation, then an execute job. `bot`: the bot itself, from Redis (help, jobs,
 * status, audit and every /incident verb); never reaches a cluster. `runbook`: a procedure of
 * steps, each an operation, a wait, a manual step or a note, approved once as one plan.
 */
export const VerbRunner = { Read: 'read', Operation: 'operation', Bot: 'bot', Runbook: 'runbook' } as const;
export type VerbRunner = (typeof VerbRunner)[keyof typeof VerbRunner];

/** Any zod object schema whose output is plain JSON args. */
export type ArgsSchema = z.ZodType<Record<string, unknown>>;

/**
 * One verb's contract, shared by the layers that handle it: commands/ builds its args from what
 * was typed (`z.input`), the job or bot-side handler receives them parsed (`z.output`, defaults
 * filled in). A field renamed or a default changed here changes for every layer, or fails to
 * compile there.
 */
export interface VerbContract<S extends ArgsSchema = ArgsSchema> {
  command: SlashCommand;
  /** The canonical verb word (`restart` for `rollout restart`). */
  name: string;
  risk: Risk;
  runner: VerbRunner;
  /** The args: plain JSON, as they travel in a request and a job payload. */
  args: S;
  /**
   * The namespace the verb acts in, for policy matching and the one-operation-per-target rule;
   * undefined for cluster-scoped work (nodes) and for reads over all namespaces.
   */
  namespaceOf(args: z.output<S>): string | undefined;
  /**
   * For verbs that change a cluster: the one object the verb changes (`node/node02`,
   * `deployment/shop/web`, `pod/shop/web-1`). One destructive operation per target at a time.
   */
  targetOf?(args: z.output<S>): string;
}

/** Declares a verb contract with its args type inferred from its schema. */
export function defineVerb<S extends ArgsSchema>(contract: VerbContract<S>): VerbContract<S> {
  return contract;
}

/** The args a handler receives (defaults filled in). */
export type ArgsOf<C extends VerbContract> = z.output<C['args']>;
/** The args a command builds (defaults may be left out). */
export type ArgsInputOf<C extends VerbContract> = z.input<C['args']>;

/** Cluster-scoped verbs act in no namespace. */
export const clusterScoped = (): undefined => undefined;

/**
 * A verb the bot answers itself (from Redis and its own state), touching no cluster and no
 * namespace: every `/incident` verb and `/k8s jobs|status|audit|help`.
 */
export function botVerb<S extends ArgsSchema>(command: SlashCommand, name: string, args: S): VerbContract<S> {
  return defineVerb({ command, name, risk: Risk.Read, runner: VerbRunner.Bot, args, namespaceOf: clusterScoped });
}

/**
 * Args parsed with a verb's contract, defaults filled in. A worker never trusts what it reads
 * from Redis: it checks each payload with the same schema the bot built it with.
 * @throws JobError with code `sitrep_bad_args` naming the first field that is wrong.
 */
export function argsFor<C extends VerbContract>(contract: C, raw: unknown): ArgsOf<C> {
  const parsed = contract.args.safeParse(raw);
  if (parsed.success) return parsed.data as ArgsOf<C>;
  const issue = parsed.error.issues[0];
  throw new JobError(ErrorCode.BadArgs, `The arguments for ${contract.name} are not valid (${issue?.path.join('.') || 'args'}: ${issue?.message ?? 'invalid'}); nothing was done.`, {
    hint: 'Run the command again; if this repeats, the bot and the workers run different versions of sitrep.',
  });
}
