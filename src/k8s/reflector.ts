import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { watchEnd } from './watch-end.js';

/** The parts of any Kubernetes object a reflector reads; watch events are raw JSON. */
export interface RawObject {
  metadata?: { uid?: string; name?: string; namespace?: string; resourceVersion?: string };
}

export interface ReflectorOptions<T extends RawObject> {
  /** Collection path, e.g. `/api/v1/events` or `/api/v1/nodes`. */
  path: string;
  /** Lists every object (all pages) and the list's resourceVersion. */
  list: (signal: AbortSignal) => Promise<{ items: T[]; resourceVersion?: string }>;
  /** Called with the full state after each (re)list: the first one and each after a 410. */
  onList: (items: T[]) => void;
  /** Called for each ADDED / MODIFIED / DELETED event. */
  onEvent: (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T) => void;
  signal: AbortSignal;
  /** Delay before listing again after a failure, doubled up to 30 s while failures repeat.
   * @defaultValue 1000 */
  reconnectDelayMs?: number;
  /** Failures the reflector recovers from, for logs. */
  onRecover?: (what: string, err?: unknown) => void;
}

/**
 * List, then watch from the list's resourceVersion, as client-go's Reflector does
 * (staging/src/k8s.io/client-go/tools/cache/reflector.go, ListAndWatch / watchHandler): the
 * watch asks for bookmarks (allowWatchBookmarks), so the resourceVersion it resumes from stays
 * fresh on a quiet collection; a closed stream resumes from the last resourceVersion seen; a 410
 * Gone ("too old resource version", as an ERROR event or a status) means the history was
 * compacted and the reflector lists again; any other failure waits (backing off) and lists again.
 * client-node 2 has the same loop in its ListWatch (src/cache.ts), but that keeps a full cache
 * of objects, which an Event stream does not need.
 *
 * watched-list.ts's WatchedList decides how to go on after a watch ends with the same watchEnd()
 * and repeats only the few lines of the event handler: it keeps the objects by UID and is waited on
 * by drains, where this streams events and keeps nothing. Merging the two would make one class
 * serve both a cache and a stream; left apart on purpose.
 */
export class Reflector<T extends RawObject> {
  private rv: string | undefined;
  private controller: AbortController | undefined;
  private closed = false;
  private failures = 0;
  /** How often it listed, watched, and was handed bookmarks; for tests and logs. */
  readonly stats = { lists: 0, watches: 0, bookmarks: 0, expired: 0 };

  constructor(private readonly kubeConfig: KubeConfig, private readonly options: ReflectorOptions<T>) {
    options.signal.addEventListener('abort', () => this.close(), { once: true });
  }

  /** Lists and starts watching; resolves after the first list, rejects if that list fails. */
  async start(): Promise<void> {
    await this.relist();
    await this.connect();
  }

  /** The resourceVersion the next watch resumes from. */
  get resourceVersion(): string | undefined {
    return this.rv;
  }

  close(): void {
    this.closed = true;
    this.controller?.abort();
  }

  private async relist(): Promise<void> {
    this.stats.lists++;
    const { items, resourceVersion } = await this.options.list(this.options.signal);
    this.rv = resourceVersion;
    this.options.onList(items);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.stats.watches++;
    let expired = false;
    const watch = new Watch(this.kubeConfig);
    this.controller = await watch.watch(
      this.options.path,
      { allowWatchBookmarks: true, ...(this.rv ? { resourceVersion: this.rv } : {}) },
      (type: string, obj: T & { code?: number }) => {
        if (type === 'ERROR') {
          if (obj.code === 410) expired = true;
          this.controller?.abort();
          return;
        }
        const rv = obj.metadata?.resourceVersion;
        if (rv) this.rv = rv;
        this.failures = 0;
        if (type === 'BOOKMARK') {
          this.stats.bookmarks++;
          return;
        }
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.options.onEvent(type, obj);
      },
      (err: unknown) => void this.reconnect(err, expired),
    );
  }

  private async reconnect(err: unknown, expired: boolean): Promise<void> {
    if (this.closed || this.options.signal.aborted) return;
    // This reflector aborts its own stream on an ERROR event that is not a 410: a close too.
    const classified = watchEnd(err, expired);
    const end = classified !== 'expired' && (err as { name?: string } | null)?.name === 'AbortError' ? 'closed' : classified;
    try {
      if (end === 'expired') {
        this.stats.expired++;
        this.options.onRecover?.(`watch of ${this.options.path} expired (410 Gone); listing again`);
        await this.relist();
      } else if (end !== 'closed') {
        this.failures++;
        this.options.onRecover?.(`watch of ${this.options.path} ${end === 'cut' ? 'cut; watching again from its resourceVersion' : 'failed; listing again'}`, err);
        await this.pause();
        if (end === 'failed') await this.relist();
      }
      await this.connect();
    } catch (e) {
      if (this.closed || this.options.signal.aborted) return;
      this.failures++;
      this.options.onRecover?.(`watch of ${this.options.path} could not restart; retrying`, e);
      await this.pause();
      void this.reconnect(e, false);
    }
  }

  private pause(): Promise<void> {
    const base = this.options.reconnectDelayMs ?? 1000;
    const ms = Math.min(30_000, base * 2 ** Math.max(0, this.failures - 1));
    return new Promise((r) => setTimeout(r, ms).unref());
  }
}
