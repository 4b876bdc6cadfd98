import { startControllers, type Controllers } from '../../src/sandbox/controllers/index.js';
import { seedScenario } from '../../src/sandbox/scenarios/index.js';
import { Store, type KObject } from '../../src/sandbox/store.js';

export interface Sim {
  store: Store;
  controllers: Controllers;
  stop(): void;
}

/** A store seeded with a scenario, controllers running 50x faster than real time, settled. */
export async function startSim(scenario = 'empty', timeScale = 0.02, params: Record<string, string | number> = {}): Promise<Sim> {
  const store = new Store();
  seedScenario(store, scenario, params);
  const controllers = startControllers(store, { timeScale });
  await controllers.idle();
  return { store, controllers, stop: () => controllers.stop() };
}

/**
 * Waits until `check` returns a truthy value: re-checked after every store change and whenever
 * the controllers go idle, failing with `what` after the deadline.
 */
export async function waitFor<T>(sim: Sim, what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, 25);
      const unsubscribe = sim.store.subscribe(() => done());
      function done() {
        clearTimeout(t);
        unsubscribe();
        resolve();
      }
    });
  }
}

export function pods(store: Store, namespace?: string, filter: (p: KObject) => boolean = () => true): KObject[] {
  return store.list('pods', namespace).items.filter(filter);
}

export function isReady(p: KObject): boolean {
  return p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function runningReady(p: KObject): boolean {
  return p.status?.phase === 'Running' && isReady(p) && !p.metadata.deletionTimestamp;
}

/** What the API server does for DELETE of a scheduled, running pod: mark it Terminating. */
export function apiDeletePod(store: Store, namespace: string, name: string, grace?: number): void {
  const pod = store.mustGet('pods', namespace, name);
  const g = grace ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  if (g === 0 || !pod.spec?.nodeName) {
    store.remove('pods', namespace, name);
    return;
  }
  pod.metadata.deletionTimestamp = new Date(Date.now() + g * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  pod.metadata.deletionGracePeriodSeconds = g;
  store.update('pods', pod);
}

export function events(store: Store, reason: string, involvedName?: string): KObject[] {
  return store.list('events').items.filter((e) => e.reason === reason && (!involvedName || (e.involvedObject as { name: string }).name === involvedName));
}

/** A Ready worker like the scenarios' ones, for tests that need more nodes. */
export function addNode(store: Store, name: string, opts: { cpu?: string; memory?: string; labels?: Record<string, string>; taints?: unknown[]; unschedulable?: boolean; ip?: string } = {}): KObject {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return store.create('nodes', {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(opts.labels ?? {}) } },
    spec: { podCIDR: `10.244.${50 + store.count('nodes')}.0/24`, ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: '110' },
      allocatable: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }],
      addresses: [{ type: 'InternalIP', address: opts.ip ?? `10.9.0.${store.count('nodes') + 1}` }],
    },
  });
}

/** A bare pod as `kubectl run` would create it. */
export function podSpec(namespace: string, name: string, opts: { cpu?: string; memory?: string; nodeSelector?: Record<string, string>; tolerations?: unknown[]; claim?: string; labels?: Record<string, string> } = {}): KObject {
  const requests: Record<string, string> = {};
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  return {
    metadata: { name, namespace, labels: opts.labels ?? { run: name } },
    spec: {
      containers: [{ name, image: 'busybox:1.36', resources: { requests }, ...(opts.claim ? { volumeMounts: [{ name: 'data', mountPath: '/data' }] } : {}) }],
      ...(opts.nodeSelector ? { nodeSelector: opts.nodeSelector } : {}),
      ...(opts.tolerations ? { tolerations: opts.tolerations } : {}),
      ...(opts.claim ? { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: opts.claim } }] } : {}),
      terminationGracePeriodSeconds: 30,
    },
    status: { phase: 'Pending' },
  };
}
