import { Watch, type V1Pod } from '@kubernetes/client-node';
import type { KubeClients } from './kube-clients.js';
import { callOptions } from './request-options.js';
import { WatchedList, type WaitOptions, type WatchSource } from './watched-list.js';

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

/** Pods matching a field selector (all namespaces), listed and watched. */
function podSource(kube: KubeClients, fieldSelector: string): WatchSource<RawPod> {
  return {
    list: (cont, limit, signal) => kube.core.listPodForAllNamespaces({ fieldSelector, _continue: cont, limit }, callOptions({ signal })),
    watch: (resourceVersion, onEvent, onDone) =>
      new Watch(kube.kubeConfig).watch('/api/v1/pods', { fieldSelector, resourceVersion, allowWatchBookmarks: true }, onEvent, onDone),
  };
}

/**
 * Every pod of one namespace, kept current by one watch: what a fence follows (old pods going,
 * replacements becoming Ready). Objects are kept as the API sends them.
 */
export function watchNamespacePods(kube: KubeClients, namespace: string, options: { signal: AbortSignal; onRecover?: (what: string, err?: unknown) => void }): Promise<WatchedList<V1Pod>> {
  const source: WatchSource<V1Pod> = {
    list: (cont, limit, signal) => kube.core.listNamespacedPod({ namespace, _continue: cont, limit }, callOptions({ signal })),
    watch: (resourceVersion, onEvent, onDone) =>
      new Watch(kube.kubeConfig).watch(`/api/v1/namespaces/${namespace}/pods`, { resourceVersion, allowWatchBookmarks: true }, onEvent, onDone),
  };
  return WatchedList.start(source, { ...options, what: `pod watch (${namespace})` });
}

/**
 * The pods on one node, kept current by ONE watch (fieldSelector spec.nodeName), instead of one GET
 * per pod per second as kubectl polls (watched-list.ts: resumes, re-lists on 410 Gone).
 */
export class NodePodWatch {
  private constructor(private readonly list: WatchedList<RawPod, WatchedPod>) {}

  static async start(kube: KubeClients, node: string, options: NodePodWatchOptions): Promise<NodePodWatch> {
    const list = await WatchedList.start(podSource(kube, `spec.nodeName=${node}`), {
      ...options,
      initial: options.initial as readonly RawPod[],
      what: 'pod watch',
      keep: lite,
    });
    return new NodePodWatch(list);
  }

  /** How many times the watch (re)connected and re-listed; for tests and benchmarks. */
  get stats(): { watches: number; relists: number } {
    return this.list.stats;
  }

  /** The pod with this UID while it is still on the node. */
  get(uid: string): WatchedPod | undefined {
    return this.list.get(uid);
  }

  has(uid: string): boolean {
    return this.list.has(uid);
  }

  /** Calls `fn` after every change; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    return this.list.onChange(fn);
  }

  /** See watched-list.ts waitUntil. */
  waitUntil(done: () => boolean, options: WaitOptions): Promise<boolean> {
    return this.list.waitUntil(done, options);
  }

  close(): void {
    this.list.close();
  }
}
