/** The decisions of an approval store, structurally (ops/ may not import approval/). */
type Outcome = { kind: string; state?: string; justExpired?: boolean };
export interface ApprovalDecisions {
  approve(...args: never[]): Promise<Outcome>;
  reject(...args: never[]): Promise<Outcome>;
  cancel(...args: never[]): Promise<Outcome>;
  expireDue(...args: never[]): Promise<unknown[]>;
}

/** `approved`, `recorded`, `refused`, `unknown` as they are; a finished reject/cancel by its state; a click that found the window closed as `expired` once, `ended` after. */
function outcomeOf(o: Outcome): string {
  if (o.kind === 'done' && o.state) return o.state;
  if (o.kind === 'ended') return o.justExpired ? 'expired' : 'ended';
  return o.kind;
}

/**
 * Counts every approval decision the store makes, by outcome, by wrapping its decision methods
 * on this instance. The store is where the outcome is decided atomically (Lua in Redis), so
 * counting here sees exactly one `approved` per approved request, whichever replica took the
 * click, and every expiry, whether the sweeper or a late click found it.
 */
export function countApprovals<T extends ApprovalDecisions>(store: T, observe: (outcome: string) => void): T {
  for (const name of ['approve', 'reject', 'cancel'] as const) {
    const original = store[name].bind(store) as (...args: unknown[]) => Promise<Outcome>;
    (store as Record<typeof name, unknown>)[name] = async (...args: unknown[]) => {
      const outcome = await original(...args);
      observe(outcomeOf(outcome));
      return outcome;
    };
  }
  const expireDue = store.expireDue.bind(store) as (...args: unknown[]) => Promise<unknown[]>;
  (store as Record<'expireDue', unknown>).expireDue = async (...args: unknown[]) => {
    const expired = await expireDue(...args);
    for (let i = 0; i < expired.length; i++) observe('expired');
    return expired;
  };
  return store;
}
