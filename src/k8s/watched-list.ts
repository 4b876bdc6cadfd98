import { listAll } from './list-all.js';
import { watchEnd } from './watch-end.js';

/** What a watched list needs of every object: its UID, and the resourceVersion a watch resumes after. */
export interface RawObject {
  metadata?: { uid?: string; resourceVersion?: string };
}

/**
 * Where a WatchedList reads: one page of the list, and one watch from a resourceVersion. The watch
 * is opened by the caller, with client-node's Watch and the API path written out as a literal in
 * its own file (test/deploy/rbac.test.ts reads which resource it watches from there), and hands
 * every event to `onEvent` and the end of the stream to `onDone`.
 */
export interface WatchSource<R extends RawObject> {
  list(cont: string | undefined, limit: number, signal: AbortSignal): Promise<{ items: R[]; metadata?: { _continue?: string; resourceVersion?: string } }>;
  watch(resourceVersion: string | undefined, onEvent: (type: string, obj: R & { code?: number }) => void, onDone: (err: unknown) => void): Promise<AbortController>;
}

export interface WatchedListOptions<R extends RawObject, T> {
  /** Objects from the list the watch resumes after (its resourceVersion), so no change falls between. */
  initial?: readonly R[];
  resourceVersion?: string;
  signal: AbortSignal;
  /** Names the watch in `onRecover` messages (`pod watch`). */
  what: string;
  /** What is kept of each object (all of it by default): a watch over many pods keeps a few fields. */
  keep?: (obj: R) => T | undefined;
  /** Delay before reconnecting after a network error.
   * @defaultValue 1000 */
  reconnectDelayMs?: number;
  /** Called on failures the watch recovers from (for logs). */
  onRecover?: (what: string, err?: unknown) => void;
}

export interface WaitOptions {
  signal: AbortSignal;
  /** ms since the epoch, by `now`. */
  deadline: number;
  /** Checks this often besides on every change (conditions that depend on time).
   * @defaultValue 1000 */
  tickMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/**
 * Resolves true once `done()` holds (checked after each change of any of `lists` and every
 * `tickMs`), false at the deadline. Rejects when the signal aborts.
 */
export function waitUntil(lists: readonly { onChange(fn: () => void): () => void }[], done: () => boolean, options: WaitOptions): Promise<boolean> {
  const now = options.now ?? Date.now;
  return new Promise<boolean>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      for (const u of unsubscribe) u();
      options.signal.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
      fn();
    };
    const check = () => {
      if (done()) settle(() => resolve(true));
      else if (now() >= options.deadline) settle(() => resolve(false));
    };
    const onAbort = () => settle(() => reject(options.signal.reason));
    const tick = () => {
      check();
      if (!settled) timer = setTimeout(tick, Math.max(1, Math.min(options.tickMs ?? 1000, options.deadline - now())));
    };
    const unsubscribe = lists.map((l) => l.onChange(check));
    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}

/**
 * A set of objects kept current by ONE watch, by UID, instead of polling: resumes from the list's
 * resourceVersion; on 410 Gone (history expired) it lists again and resumes from there; on a
 * closed, cut or refused connection it resumes from the last resourceVersion seen (bookmarks
 * included); on any other failure it lists again.
 */
export class WatchedList<R extends RawObject, T = R> {
  private readonly objects = new Map<string, T>();
  private readonly listeners = new Set<() => void>();
  private rv: string | undefined;
  private controller: AbortController | undefined;
  private closed = false;
  /** How many times the watch (re)connected and re-listed; for tests and benchmarks. */
  readonly stats = { watches: 0, relists: 0 };

  private constructor(private readonly source: WatchSource<R>, private readonly options: WatchedListOptions<R, T>) {
    for (const o of options.initial ?? []) this.put(o);
    this.rv = options.resourceVersion;
    options.signal.addEventListener('abort', () => this.close(), { once: true });
  }

  static async start<R extends RawObject, T = R>(source: WatchSource<R>, options: WatchedListOptions<R, T>): Promise<WatchedList<R, T>> {
    const w = new WatchedList<R, T>(source, options);
    if (w.rv === undefined) await w.relist();
    await w.connect();
    return w;
  }

  /** The object with this UID while it exists. */
  get(uid: string): T | undefined {
    return this.objects.get(uid);
  }

  has(uid: string): boolean {
    return this.objects.has(uid);
  }

  values(): T[] {
    return [...this.objects.values()];
  }

  /** Calls `fn` after every change; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** See waitUntil: changes of this list wake it. */
  waitUntil(done: () => boolean, options: WaitOptions): Promise<boolean> {
    return waitUntil([this], done, options);
  }

  close(): void {
    this.closed = true;
    this.controller?.abort();
    this.listeners.clear();
  }

  private put(o: R): void {
    const uid = o.metadata?.uid;
    const kept = this.options.keep ? this.options.keep(o) : (o as unknown as T);
    if (uid && kept !== undefined) this.objects.set(uid, kept);
  }

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }

  private async relist(): Promise<void> {
    this.stats.relists++;
    const { items, resourceVersion } = await listAll((cont, limit) => this.source.list(cont, limit, this.options.signal), { signal: this.options.signal });
    this.objects.clear();
    for (const o of items) this.put(o);
    this.rv = resourceVersion;
    this.changed();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.stats.watches++;
    let expired = false;
    this.controller = await this.source.watch(
      this.rv,
      (type, obj) => {
        if (type === 'ERROR') {
          // A 410 arrives as an ERROR event on an open stream: our resourceVersion is too old.
          if (obj.code === 410) expired = true;
          // Whatever the error, this stream is done: close it so the reconnect path takes over.
          this.controller?.abort();
          return;
        }
        const rv = obj.metadata?.resourceVersion;
        if (rv) this.rv = rv;
        if (type === 'BOOKMARK') return;
        const uid = obj.metadata?.uid;
        if (!uid) return;
        if (type === 'DELETED') this.objects.delete(uid);
        else this.put(obj);
        this.changed();
      },
      (err) => void this.reconnect(err, expired),
    );
  }

  private async reconnect(err: unknown, expired: boolean): Promise<void> {
    if (this.closed || this.options.signal.aborted) return;
    const { what } = this.options;
    const end = watchEnd(err, expired);
    try {
      if (end === 'cut' || end === 'failed') {
        this.options.onRecover?.(end === 'cut' ? `${what} cut; watching again from its resourceVersion` : `${what} failed; listing again`, err);
        await new Promise((r) => setTimeout(r, this.options.reconnectDelayMs ?? 1000));
        if (end === 'failed') await this.relist();
      } else if (end === 'expired') {
        this.options.onRecover?.(`${what} expired (410); listing again`);
        await this.relist();
      }
      await this.connect();
    } catch (e) {
      if (this.closed || this.options.signal.aborted) return;
      this.options.onRecover?.(`${what} reconnect failed; retrying`, e);
      setTimeout(() => void this.reconnect(e, false), this.options.reconnectDelayMs ?? 1000);
    }
  }
}
