import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Deadlines for the Redis writes of the Slack request being handled, as Go's context.Context
 * carries one. Inside `withRequestDeadlines`, each deadline-aware write (RedisScript's `deadline`
 * scripts, the job release) is stamped, when it is sent, with "refuse me after now + budgetMs" on
 * Redis's clock; the connection gives up on the same command a little later. So a write the bot
 * gave up on (and told the user did not happen) is refused by Redis when it finally runs it.
 *
 * Why implicit: those writes sit several layers below the handlers (lifecycle steps, the approval
 * store, the job producer), and "this is on a person's request path" is a property of the work
 * being done, not of any one call. Work outside a request (the job event relay, sweeps) has no
 * deadline, and neither do compensating writes (`withoutDeadline`), which must land even late.
 */
interface DeadlineContext {
  /** Redis-corrected time, ms since the epoch. */
  now: () => number;
  budgetMs: number;
}

const storage = new AsyncLocalStorage<DeadlineContext>();

/** Runs `fn` with each deadline-aware write inside it refused `budgetMs` after it was sent. */
export function withRequestDeadlines<T>(now: () => number, budgetMs: number, fn: () => Promise<T>): Promise<T> {
  return storage.run({ now, budgetMs }, fn);
}

/** Runs `fn` with no deadline: compensating writes (marking a request failed) must land late too. */
export function withoutDeadline<T>(fn: () => Promise<T>): Promise<T> {
  return storage.exit(fn);
}

/** The deadline for a write sent now (ms since the epoch, Redis time), or undefined outside a request. */
export function currentDeadline(): number | undefined {
  const ctx = storage.getStore();
  return ctx ? ctx.now() + ctx.budgetMs : undefined;
}
