import { ErrorCode, SitrepError } from '../core/errors.js';

export interface WaitForOptions {
  /** Give up after this long. @defaultValue 5000 */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** What the wait was for, in the timeout message. */
  label?: string;
}

/**
 * Resolves with the predicate's first non-undefined value, checking now and after every change
 * `subscribe` reports (no polling). On timeout it rejects with `describe()` appended, so a failed
 * test shows what actually happened instead of only that something did not.
 */
export function waitForChange<T>(
  subscribe: (onChange: () => void) => () => void,
  predicate: () => T | undefined,
  describe: () => string,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let unsubscribe = () => {};
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const check = () => {
      let value: T | undefined;
      try {
        value = predicate();
      } catch (err) {
        finish(() => reject(err));
        return;
      }
      if (value !== undefined) finish(() => resolve(value as T));
    };
    const onAbort = () => finish(() => reject(options.signal?.reason ?? new Error('aborted')));
    const timer = setTimeout(() => {
      const what = options.label ? ` for ${options.label}` : '';
      finish(() => reject(new SitrepError(ErrorCode.Timeout, `Timed out after ${timeoutMs} ms waiting${what}.\n${describe()}`)));
    }, timeoutMs);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    unsubscribe = subscribe(check);
    check();
  });
}
