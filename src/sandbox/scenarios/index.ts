import type { Store } from '../store.js';
import { seedDrain } from './drain.js';
import { seedEmpty } from './empty.js';
import { seedLarge } from './large.js';
import { seedLocalStorage } from './local-storage.js';
import { seedMaintenance } from './maintenance.js';
import { seedMemoryPressure } from './memory-pressure.js';
import { seedNotReadyRwo } from './notready-rwo.js';

export interface Scenario {
  name: string;
  description: string;
  seed(store: Store, params: Record<string, string | number>): void;
}

/** Every scenario the sandbox can start with; adding one is one file and one entry here. */
export const SCENARIOS: Record<string, Scenario> = {
  maintenance: {
    name: 'maintenance',
    description: 'Control plane cp01 and workers node01-03; node02 needs a drain: DaemonSet pods, a single-replica deployment, a PDB-protected web pod, an emptyDir pod and a bare pod.',
    seed: (store) => seedMaintenance(store),
  },
  'local-storage': {
    name: 'local-storage',
    description: 'Single node master01 (control plane, untainted) running MySQL and MinIO on local PersistentVolumes and ingress-nginx on hostPort 80.',
    seed: (store) => seedLocalStorage(store),
  },
  'memory-pressure': {
    name: 'memory-pressure',
    description: 'Four workers about 85% memory-requested; worker02 has MemoryPressure=True and its pods do not fit elsewhere.',
    seed: (store) => seedMemoryPressure(store),
  },
  'notready-rwo': {
    name: 'notready-rwo',
    description: 'node03 is NotReady (Unknown); its pods are stuck Terminating and a Ceph RBD ReadWriteOnce volume is still attached to it (Multi-Attach).',
    seed: (store) => seedNotReadyRwo(store),
  },
  large: {
    name: 'large',
    description: 'Many nodes with many Running pods for load tests. Params: nodes (default 20), podsPerNode (default 100).',
    seed: (store, params) => seedLarge(store, params),
  },
  drain: {
    name: 'drain',
    description: 'node-001 carries `pods` pods (default 200) of Deployments half on it, every fifth with a PDB that lets 2 go at a time; spare nodes take them all. What bench:drain drains.',
    seed: (store, params) => seedDrain(store, params),
  },
  empty: {
    name: 'empty',
    description: 'One Ready node and nothing else.',
    seed: (store) => seedEmpty(store),
  },
};

/** Seeds a scenario by name; throws naming the known ones when the name is not one of them. */
export function seedScenario(store: Store, name: string, params: Record<string, string | number> = {}): void {
  const scenario = Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name] : undefined;
  if (!scenario) throw new Error(`unknown sandbox scenario "${name}": use one of ${Object.keys(SCENARIOS).join(', ')}`);
  scenario.seed(store, params);
}
