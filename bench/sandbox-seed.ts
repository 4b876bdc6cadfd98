/**
 * Seed + settle time of the `large` sandbox scenario (default 20 nodes x 100 pods = 2,000 pods):
 * the time `startSandbox` spends before it can hand out a URL. Prints the median of 5 runs.
 *
 *   npx tsx bench/sandbox-seed.ts [nodes] [podsPerNode]
 */
import { startControllers } from '../src/sandbox/controllers/index.js';
import { seedScenario } from '../src/sandbox/scenarios/index.js';
import { Store } from '../src/sandbox/store.js';

const nodes = Number(process.argv[2] ?? 20);
const podsPerNode = Number(process.argv[3] ?? 100);
const RUNS = 5;

async function once(): Promise<{ seed: number; settle: number; pods: number }> {
  const store = new Store();
  const t0 = performance.now();
  seedScenario(store, 'large', { nodes, podsPerNode });
  const t1 = performance.now();
  const controllers = startControllers(store, { timeScale: 0.02 });
  await controllers.idle();
  const t2 = performance.now();
  controllers.stop();
  return { seed: t1 - t0, settle: t2 - t1, pods: store.count('pods') };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (let i = 0; i < RUNS; i++) {
  const r = await once();
  results.push(r);
  console.log(`run ${i + 1}: ${r.pods} pods, seed ${r.seed.toFixed(0)} ms, settle ${r.settle.toFixed(0)} ms, total ${(r.seed + r.settle).toFixed(0)} ms`);
}
console.log(`median over ${RUNS} runs (${nodes} nodes x ${podsPerNode} pods): seed ${median(results.map((r) => r.seed)).toFixed(0)} ms, settle ${median(results.map((r) => r.settle)).toFixed(0)} ms, total ${median(results.map((r) => r.seed + r.settle)).toFixed(0)} ms`);
