import { createHash } from 'node:crypto';
import type { AgentOptions } from 'node:https';
import type { Cluster, KubeConfig } from '@kubernetes/client-node';

/** What client-node's KubeConfig makes a request's connection pool (an undici Agent) with. */
type DispatcherFactory = (cluster: Cluster | null, agentOptions: AgentOptions) => { close(): Promise<void> } | undefined;

const WRAPPED = Symbol('sitrep.reuseConnections');

/** A digest of how connections are made (CA, client certificate and key, server name, proxy): equal setups share a pool. */
function setupKey(kc: KubeConfig, cluster: Cluster | null, agentOptions: AgentOptions): string {
  const options = kc.createDispatcherOptions(cluster, agentOptions);
  const text = JSON.stringify(options, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * Keeps one connection pool per API server and credentials, instead of one per request.
 *
 * client-node 2.0 builds a new undici Agent for every call of a generated API client and every
 * watch (KubeConfig.applySecurityAuthentication → createDispatcher in its src/config.ts), so each
 * call opens a new TLS connection and throws it away: a drain of 1,000 pods made 1,000 handshakes
 * and spent most of its time on them (bench:drain). client-go instead keeps one transport per
 * configuration with keep-alive (k8s.io/client-go/transport/cache.go, keyed by the TLS config).
 * This does the same: requests whose TLS setup is identical (the options client-node computed for
 * that very request) share one Agent, so a rotated CA or client certificate gets a new pool and
 * the old one is closed once its requests finish. Bearer tokens are sent per request and are not
 * part of the pool. Idempotent; a client-node without this factory is left as it is.
 */
export function reuseConnections(kc: KubeConfig): void {
  // createDispatcher is private in client-node's typings; replacing it on this one instance is the
  // only seam between "options for this request" and "a new Agent".
  const target = kc as unknown as { createDispatcher?: DispatcherFactory; [WRAPPED]?: true };
  const create = target.createDispatcher;
  if (typeof create !== 'function' || target[WRAPPED]) return;
  target[WRAPPED] = true;
  let current: { key: string; pool: ReturnType<DispatcherFactory> } | undefined;
  target.createDispatcher = (cluster, agentOptions) => {
    const key = setupKey(kc, cluster, agentOptions);
    if (current?.key === key) return current.pool;
    const previous = current?.pool;
    current = { key, pool: create.call(kc, cluster, agentOptions) };
    // The credentials changed: the old pool finishes what it carries, then closes its connections.
    void previous?.close().catch(() => {});
    return current.pool;
  };
}
