import type { Store } from '../store.js';
import { Seeder } from './seeder.js';

/** One Ready worker and the base namespaces: a blank cluster for tests. */
export function seedEmpty(store: Store): void {
  const s = new Seeder(store);
  s.baseNamespaces();
  s.node({ name: 'node01', ip: '10.0.0.11', cpu: '4', memory: '16Gi' });
}
