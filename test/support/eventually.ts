/**
 * Polls `check` until it returns a value (not undefined/false) or the deadline passes. For
 * outcomes that raise no event a test could await, e.g. a record written to Redis by a handler
 * that runs after Slack's ack. The one polling loop of the tests; fixtures wrap it.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: {
    /** @defaultValue 15000 */
    timeoutMs?: number;
    what?: string;
    /** @defaultValue 25 */
    intervalMs?: number;
    /** Appended to the timeout error: what was last seen. */
    describe?: () => string;
    /** Fail at once when `check` throws, instead of retrying until the deadline. @defaultValue false */
    throwErrors?: boolean;
  } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      if (options.throwErrors) throw err;
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = [last ? `: ${(last as Error).message ?? String(last)}` : '', options.describe ? `\n${options.describe()}` : ''].join('');
      throw new Error(`timed out waiting for ${options.what ?? 'a condition'}${detail}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 25));
  }
}
