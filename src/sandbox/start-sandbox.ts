import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startControllers } from './controllers/index.js';
import { createApiServer } from './http/server.js';
import type { RequestCounts } from './http/request-counter.js';
import { writeKubeconfig } from './kubeconfig.js';
import { setNodeCondition, type ConditionStatus, type NodeConditionType } from './node-conditions.js';
import { seedScenario } from './scenarios/index.js';
import { Store } from './store.js';

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
  /** Where to write the kubeconfig.
   * @defaultValue a file in a fresh temp folder, removed by close() */
  kubeconfigPath?: string;
  /** How often watches that allow bookmarks receive one.
   * @defaultValue 10000 */
  bookmarkIntervalMs?: number;
  /** Store events kept for watch resumption; older resourceVersions get 410 Expired.
   * @defaultValue 20000 */
  historySize?: number;
  logger?: Logger;
}

export interface Sandbox {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  kubeconfigPath: string;
  store: Store;
  setNodeCondition(node: string, type: NodeConditionType, status: ConditionStatus): void;
  requests(): RequestCounts;
  resetRequests(): void;
  /** Resolves when the controllers have no queued work (the cluster has settled). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the sandbox cluster: seeds the scenario into a fresh store, starts the controllers, serves
 * the API, writes a kubeconfig and waits until the cluster has settled, so callers see Running pods.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const now = Date.now;
  const store = new Store({ now, ...(options.historySize ? { historySize: options.historySize } : {}) });
  seedScenario(store, options.scenario ?? 'maintenance', options.params ?? {});
  const controllers = startControllers(store, { timeScale: options.timeScale ?? 1, ...(options.logger ? { logger: options.logger } : {}) });
  const api = createApiServer({ store, now, ...(options.logger ? { logger: options.logger } : {}), bookmarkIntervalMs: options.bookmarkIntervalMs ?? 10_000 });

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
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    await writeKubeconfig(kubeconfigPath, url);
    await controllers.idle();
    options.logger?.debug({ url, kubeconfigPath, scenario: options.scenario ?? 'maintenance' }, 'sandbox started');
    let closed: Promise<void> | undefined;
    return {
      url,
      port,
      kubeconfigPath,
      store,
      setNodeCondition: (node, type, status) => setNodeCondition(store, node, type, status),
      requests: () => api.requests(),
      resetRequests: () => api.resetRequests(),
      idle: () => controllers.idle(),
      close() {
        closed ??= (async () => {
          controllers.stop();
          await api.close();
          if (tempDir) await rm(tempDir, { recursive: true, force: true });
        })();
        return closed;
      },
    };
  } catch (err) {
    controllers.stop();
    await api.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw err;
  }
}
