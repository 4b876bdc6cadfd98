import { Watch, type V1Pod } from '@kubernetes/client-node';
import type { KubeClients } from './kube-clients.js';
import { listAll } from './list-all.js';
import { callOptions } from './request-options.js';

/** The few facts about a pod a drain waits on. Watch events are raw JSON, so timestamps are strings. */
export interface WatchedPod {
  uid: string;
  namespace: string;
  name: string;
  deletionTimestamp?: string;
}

interface RawPod {
  metadata?: { uid?: string; namespace?: string; name?: string; deletionTimestamp?: string | Date; resourceVersion?: string };
}

function lite(pod: RawPod | V1Pod): WatchedPod | undefined {
  const m = pod.metadata;
  if (!m?.uid || !m.name) return undefined;
  const ts = m.deletionTimestamp;
  return { uid: m.uid, namespace: m.namespace ?? '', name: m.name, ...(ts ? { deletionTimestamp: ts instanceof Date ? ts.toISOString() : ts } : {}) };
}

export interface NodePodWatchOptions {
  /** Pods from the list the watch resumes after (its resourceVersion), so no change falls between. */
  initial: readonly V1Pod[];
  resourceVersion?: string;
  signal: AbortSignal;
  /** Delay before reconnecting after a network error.
   * @defaultValue 1000 */
  reconnectDelayMs?: number;
  /** Called on failures the watch recovers from (for logs). */
  onRecover?: (what: string, err?: unknown) => void;
}

/**
 * The pods on one node, kept current by ONE watch (fieldSelector spec.nodeName), instead of one GET
 * per pod per second as kubectl polls. Resumes from the list's resourceVersion; on 410 Gone (history
 * expired) it lists again and resumes from there; on a closed connection it resumes from the last
 * resourceVersion seen (bookmarks included).
 */
export class NodePodWatch {
  private readonly pods = new Map<string, WatchedPod>();
  private readonly listeners = new Set<() => void>();
  private rv: string | undefined;
  private controller: AbortController | undefined;
  private closed = false;
  /** How many times the watch (re)connected and re-listed; for tests and benchmarks. */
  readonly stats = { watches: 0, relists: 0 };

  private constructor(private readonly kube: KubeClients, private readonly node: string, private readonly options: NodePodWatchOptions) {
    for (const p of options.initial) {
      const l = lite(p);
      if (l) this.pods.set(l.uid, l);
    }
    this.rv = options.resourceVersion;
    options.signal.addEventListener('abort', () => this.close(), { once: true });
  }

  static async start(kube: KubeClients, node: string, options: NodePodWatchOptions): Promise<NodePodWatch> {
    const w = new NodePodWatch(kube, node, options);
    if (w.rv === undefined) await w.relist();
    await w.connect();
    return w;
  }

  /** The pod with this UID while it is still on the node. */
  get(uid: string): WatchedPod | undefined {
    return this.pods.get(uid);
  }

  has(uid: string): boolean {
    return this.pods.has(uid);
  }

  /** Calls `fn` after every change; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Resolves true once `done()` holds (checked after each change and every `tickMs`), false at the
   * deadline. Rejects when the signal aborts.
   */
  waitUntil(done: () => boolean, options: { signal: AbortSignal; deadline: number; tickMs?: number; now?: () => number }): Promise<boolean> {
    const now = options.now ?? Date.now;
    return new Promise<boolean>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        unsubscribe();
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
      const unsubscribe = this.onChange(check);
      if (options.signal.aborted) return onAbort();
      options.signal.addEventListener('abort', onAbort, { once: true });
      tick();
    });
  }

  close(): void {
    this.closed = true;
    this.controller?.abort();
    this.listeners.clear();
  }

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }

  private async relist(): Promise<void> {
    this.stats.relists++;
    const { items, resourceVersion } = await listAll(
      (cont, limit) => this.kube.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${this.node}`, _continue: cont, limit }, callOptions({ signal: this.options.signal })),
      { signal: this.options.signal },
    );
    this.pods.clear();
    for (const p of items) {
      const l = lite(p);
      if (l) this.pods.set(l.uid, l);
    }
    this.rv = resourceVersion;
    this.changed();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.stats.watches++;
    const watch = new Watch(this.kube.kubeConfig);
    let expired = false;
    this.controller = await watch.watch(
      '/api/v1/pods',
      { fieldSelector: `spec.nodeName=${this.node}`, resourceVersion: this.rv, allowWatchBookmarks: true },
      (type: string, obj: RawPod & { code?: number }) => {
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
        const p = lite(obj);
        if (!p) return;
        if (type === 'DELETED') this.pods.delete(p.uid);
        else this.pods.set(p.uid, p);
        this.changed();
      },
      (err: unknown) => void this.reconnect(err, expired),
    );
  }

  private async reconnect(err: unknown, expired: boolean): Promise<void> {
    if (this.closed || this.options.signal.aborted) return;
    const gone = expired || (err as { statusCode?: number } | null)?.statusCode === 410;
    // client-node 2 ends a watch that has been silent for 30 s with a TimeoutError (an API server
    // sends bookmarks about once a minute): a closed connection, not a failure, so no new list.
    const idle = (err as { name?: string } | null)?.name === 'TimeoutError';
    try {
      if (err && !gone && !idle) {
        this.options.onRecover?.('pod watch failed; listing again', err);
        await new Promise((r) => setTimeout(r, this.options.reconnectDelayMs ?? 1000));
        await this.relist();
      } else if (gone) {
        this.options.onRecover?.('pod watch expired (410); listing again');
        await this.relist();
      }
      await this.connect();
    } catch (e) {
      if (this.closed || this.options.signal.aborted) return;
      this.options.onRecover?.('pod watch reconnect failed; retrying', e);
      setTimeout(() => void this.reconnect(e, false), this.options.reconnectDelayMs ?? 1000);
    }
  }
}
