import { ErrorCode, JobError } from '../src/core/errors.js';
import type { ArgsOf, VerbContract } from '../src/core/verbs/contract.js';

/**
 * A payload's args parsed with the verb's contract (src/core/verbs), defaults filled in: a worker
 * never trusts what it reads from Redis, and checks it with the same schema the bot built it with.
 */
export function argsFor<C extends VerbContract>(contract: C, raw: unknown): ArgsOf<C> {
  const parsed = contract.args.safeParse(raw);
  if (parsed.success) return parsed.data as ArgsOf<C>;
  const issue = parsed.error.issues[0];
  throw new JobError(ErrorCode.BadArgs, `The job's arguments for ${contract.name} are not valid (${issue?.path.join('.') || 'args'}: ${issue?.message ?? 'invalid'}); nothing was done.`, {
    hint: 'Run the command again; if this repeats, the bot and the workers run different versions of sitrep.',
  });
}

