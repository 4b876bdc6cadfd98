// Public entry of the sandbox cluster: what the CLI, the demo, tests and benchmarks use.
export { startSandbox, type Sandbox, type SandboxCredentials, type SandboxIdentity, type SandboxOptions } from './start-sandbox.js';
export type { RawRequestOptions, RawResponse } from './http-client.js';
export { runSandboxCli, type SandboxCliIo } from './cli.js';
export { kubeconfigYaml, writeKubeconfig } from './kubeconfig.js';
export type { RequestCounts } from './http/request-counter.js';
export type { AcceptedEviction } from './http/eviction-log.js';
export { OutageMode, type ApiOutageOptions } from './http/api-outage.js';
export { createApiServer, type ApiServer, type ApiServerOptions } from './http/server.js';
export { Store, type KObject, type StoreEvent } from './store.js';
export { ApiError } from './api-error.js';
export { SCENARIOS, type Scenario } from './scenarios/index.js';
export { parseAction, type ScenarioAction } from './scenarios/actions.js';
export { SHUTDOWN_ANNOTATION } from './controllers/kubelet.js';
