import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { ApiAuth, serviceAccountUsername } from './auth/index.js';
import { startControllers } from './controllers/index.js';
import { rawRequest, type RawRequestOptions, type RawResponse } from './http-client.js';
import type { ApiOutageOptions } from './http/api-outage.js';
import { createApiServer } from './http/server.js';
import type { AcceptedEviction } from './http/eviction-log.js';
import type { RequestCounts } from './http/request-counter.js';
import { writeKubeconfig } from './kubeconfig.js';
import { setNodeCondition, type ConditionStatus, type NodeConditionType } from './node-conditions.js';
import { scheduleActions, type ScenarioAction } from './scenarios/actions.js';
import { seedScenario } from './scenarios/index.js';
import { Store } from './store.js';
import { selfSignedCertificate } from './tls/self-signed.js';

export interface SandboxOptions {
  /** Scenario to seed (see SCENARIOS).
   * @defaultValue 'maintenance' */
  scenario?: string;
  /** Scenario parameters, e.g. `{ pods: 2000 }` for `large`.
   * @defaultValue {} */
  params?: Record<string, string | number>;
  /** Port to listen on; 0 picks a free one.
   * @defaultValue 0 */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** Multiplies every simulated duration (grace periods, container start); tests use ~0.02.
   * @defaultValue 1 */
  timeScale?: number;
  /** Where to write the (admin) kubeconfig.
   * @defaultValue a file in a fresh temp folder, removed by close() */
  kubeconfigPath?: string;
  /** How often watches that allow bookmarks receive one.
   * @defaultValue 10000 */
  bookmarkIntervalMs?: number;
  /** Store events kept for watch resumption; older resourceVersions get 410 Expired.
   * @defaultValue 20000 */
  historySize?: number;
  /**
   * Serve https with a self-signed certificate (its own CA, in the kubeconfigs as
   * certificate-authority-data), as every real API server does. kubectl only sends credentials
   * over TLS (clientcmd reads auth info for secure transports only), so with `false` the sandbox
   * serves plain http as the old insecure port did: a request without credentials is
   * system:unsecured, in system:masters; one with a bearer token is that token's user.
   * @defaultValue true */
  tls?: boolean;
  /**
   * kube-apiserver's --min-request-timeout: watches without timeoutSeconds are closed by the
   * server after a random time between this and twice this (real seconds); 0 never.
   * @defaultValue 1800 */
  minRequestTimeoutSeconds?: number;
  /**
   * How often etcd is compacted (real milliseconds), as kube-apiserver's
   * --etcd-compaction-interval: each time, history up to the previous compaction's revision is
   * dropped, so watches and continue tokens older than that get 410. 0 never (compact() still works).
   * @defaultValue 300000 */
  compactionIntervalMs?: number;
  /** Things that happen to nodes while the sandbox runs (reboots, kubelets stopping), timed in simulated seconds.
   * @defaultValue none */
  actions?: ScenarioAction[];
  logger?: Logger;
}

/** Who a kubeconfig from kubeconfigFor authenticates as. */
export interface SandboxIdentity {
  user: string;
  groups?: string[];
  /** The kubeconfig context's namespace. @defaultValue 'default' */
  namespace?: string;
}

export interface SandboxCredentials {
  /** The authenticated username (`system:serviceaccount:ns:name` for service accounts). */
  user: string;
  token: string;
  kubeconfigPath: string;
}

export interface Sandbox {
  /** `http://127.0.0.1:PORT`, or https with `tls`. */
  url: string;
  port: number;
  /** The admin kubeconfig: user kubernetes-admin in system:masters (cluster-admin). */
  kubeconfigPath: string;
  /** The admin's bearer token (what kubeconfigPath carries), for raw requests. */
  adminToken: string;
  /** PEM of the serving certificate, which is its own CA, when `tls` is on. */
  caCertificate?: string;
  store: Store;
  setNodeCondition(node: string, type: NodeConditionType, status: ConditionStatus): void;
  /**
   * A bearer token and kubeconfig for any user and groups; what they may do is whatever RBAC
   * objects in the cluster grant them (nothing but discovery and self-reviews by default).
   */
  kubeconfigFor(identity: SandboxIdentity): Promise<SandboxCredentials>;
  /**
   * Creates the namespace and ServiceAccount when missing and returns a token bound to the
   * account (it stops authenticating if the account is deleted) and a kubeconfig for it.
   */
  addServiceAccount(namespace: string, name: string): Promise<SandboxCredentials>;
  /**
   * One raw request as the admin (or as `options.token`'s user, or with `token: ''` anonymously),
   * trusting the sandbox's CA: for tests and tools that need the HTTP exchange itself.
   */
  request(method: string, path: string, options?: RawRequestOptions): Promise<RawResponse>;
  /** etcd compaction now: watches and continue tokens from before this moment get 410 Gone. */
  compact(): void;
  /**
   * Reboots a node: NotReady ("node is shutting down"), its kubelet down for `downMs` real
   * milliseconds (default: 30 simulated seconds), then back with a new status.nodeInfo.bootID,
   * Ready, its pods' containers restarted (restartCount + 1). Resolves when it is Ready again.
   */
  rebootNode(node: string, options?: { downMs?: number }): Promise<void>;
  /** The node's kubelet stops: its Lease is no longer renewed and after 50 simulated seconds the node is Unknown. */
  setNodeDown(node: string): void;
  /** The node's kubelet runs again: Lease renewed, Ready posted. */
  setNodeUp(node: string): void;
  requests(): RequestCounts;
  resetRequests(): void;
  /** Every eviction the API accepted (201, not a dry run), oldest first: count them by UID to see a pod evicted twice. */
  evictions(): AcceptedEviction[];
  /**
   * A Kubernetes API outage: starting now (or after `afterEvictions` more accepted Eviction
   * POSTs), for `durationMs` real milliseconds the API server resets the connections of incoming
   * requests and cuts open watches (`reset`, the default), refuses connections (`refuse`),
   * answers 503 or 429 with `Retry-After: 1` (`503`, `429`), serves writes but drops their answers
   * (`lost-answer`), or holds requests in its priority-and-fairness queue until the outage ends,
   * never serving one whose client gave up (`queued`; `requests().waiting` and `.withdrawn` count
   * them), as a real one does in each case (src/sandbox/http/api-outage.ts names the upstream
   * code). Also
   * `POST /debug/sandbox/faults/outage?durationMs=3000&afterEvictions=20&mode=reset` (cluster-admin),
   * for tools in other processes. Throws on options that are not whole numbers or a known mode.
   */
  apiOutage(options: ApiOutageOptions): void;
  /** Resolves when the controllers have no queued work (the cluster has settled). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the sandbox cluster: seeds the scenario into a fresh store, starts the controllers,
 * serves the API with authentication and RBAC (bootstrap roles, an admin bound to
 * cluster-admin), writes the admin kubeconfig and waits until the cluster has settled, so
 * callers see Running pods.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const now = Date.now;
  const store = new Store({ now, ...(options.historySize ? { historySize: options.historySize } : {}) });
  seedScenario(store, options.scenario ?? 'maintenance', options.params ?? {});
  const secure = options.tls ?? true;
  const auth = new ApiAuth(store, { insecurePort: !secure });
  const adminToken = auth.tokens.issue({ name: 'kubernetes-admin', groups: ['system:masters'] });
  const tls = secure ? selfSignedCertificate([host, ...(host === '127.0.0.1' || host === '::1' ? ['localhost'] : [])]) : undefined;
  const timeScale = options.timeScale ?? 1;
  const controllers = startControllers(store, { timeScale, ...(options.logger ? { logger: options.logger } : {}) });
  const nodeControls = {
    rebootNode: (node: string, o: { downMs?: number } = {}) => controllers.rebootNode(node, o.downMs ?? 30_000 * timeScale),
    setNodeDown: (node: string) => controllers.setNodeDown(node),
    setNodeUp: (node: string) => controllers.setNodeUp(node),
  };
  const api = createApiServer({
    store, now, auth,
    ...(tls ? { tls } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 10_000,
    minRequestTimeoutSeconds: options.minRequestTimeoutSeconds ?? 1800,
    admin: {
      rebootNode: (node, downMs) => {
        void controllers.rebootNode(node, downMs ?? 30_000 * timeScale).catch(() => {});
      },
      setNodeDown: nodeControls.setNodeDown,
      setNodeUp: nodeControls.setNodeUp,
    },
  });
  const compaction = startCompaction(store, options.compactionIntervalMs ?? 300_000);

  let tempDir: string | undefined;
  let port: number;
  let kubeconfigPath: string;
  try {
    port = await api.listen(options.port ?? 0, host);
    if (options.kubeconfigPath) {
      kubeconfigPath = options.kubeconfigPath;
    } else {
      tempDir = await mkdtemp(join(tmpdir(), 'sitrep-sandbox-'));
      kubeconfigPath = join(tempDir, 'kubeconfig');
    }
    const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const caPem = tls?.cert;
    await writeKubeconfig(kubeconfigPath, url, { token: adminToken, ...(caPem ? { caPem } : {}) });
    // Kubeconfigs for other users go next to the admin's, or in the temp folder close() removes.
    let extraDir: string | undefined;
    let written = 0;
    const credentials = async (user: string, token: string, namespace?: string): Promise<SandboxCredentials> => {
      extraDir ??= tempDir ?? await mkdtemp(join(dirname(kubeconfigPath), '.sitrep-sandbox-users-'));
      const path = join(extraDir, `kubeconfig-${user.replace(/[^a-zA-Z0-9._-]+/g, '_')}-${++written}`);
      await writeKubeconfig(path, url, { token, ...(caPem ? { caPem } : {}), ...(namespace ? { namespace } : {}) });
      return { user, token, kubeconfigPath: path };
    };
    await controllers.idle();
    const cancelActions = scheduleActions(nodeControls, options.actions ?? [], timeScale, (err) => options.logger?.warn({ err }, 'sandbox: scenario action failed'));
    options.logger?.debug({ url, kubeconfigPath, scenario: options.scenario ?? 'maintenance' }, 'sandbox started');
    let closed: Promise<void> | undefined;
    return {
      url,
      port,
      kubeconfigPath,
      adminToken,
      ...(caPem ? { caCertificate: caPem } : {}),
      store,
      setNodeCondition: (node, type, status) => setNodeCondition(store, node, type, status),
      kubeconfigFor(identity) {
        const token = auth.tokens.issue({ name: identity.user, groups: identity.groups ?? [] });
        return credentials(identity.user, token, identity.namespace);
      },
      addServiceAccount(namespace, name) {
        if (!store.get('namespaces', undefined, namespace)) store.create('namespaces', { metadata: { name: namespace } });
        const sa = store.get('serviceaccounts', namespace, name) ?? store.create('serviceaccounts', { metadata: { name, namespace } });
        return credentials(serviceAccountUsername(namespace, name), auth.tokens.issueForServiceAccount(sa), namespace);
      },
      request: (method, path, o = {}) => rawRequest(url, caPem, method, path, { ...o, token: o.token ?? adminToken }),
      compact: () => store.compact(),
      ...nodeControls,
      requests: () => api.requests(),
      resetRequests: () => api.resetRequests(),
      evictions: () => api.evictions(),
      apiOutage: (o) => api.apiOutage(o),
      idle: () => controllers.idle(),
      close() {
        closed ??= (async () => {
          cancelActions();
          compaction.stop();
          controllers.stop();
          await api.close();
          if (tempDir) await rm(tempDir, { recursive: true, force: true });
          else if (extraDir) await rm(extraDir, { recursive: true, force: true });
        })();
        return closed;
      },
    };
  } catch (err) {
    compaction.stop();
    controllers.stop();
    await api.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw err;
  }
}

/** Periodic compaction to the revision seen at the previous tick, as kube-apiserver's compactor does. */
function startCompaction(store: Store, intervalMs: number): { stop(): void } {
  if (!(intervalMs > 0)) return { stop() {} };
  let previous = Number(store.resourceVersion);
  const timer = setInterval(() => {
    store.compact(previous);
    previous = Number(store.resourceVersion);
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
