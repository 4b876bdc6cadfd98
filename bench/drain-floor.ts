import { scaledMs } from '../src/sandbox/controllers/context.js';
import { SHUTDOWN_ANNOTATION, START_SECONDS } from '../src/sandbox/controllers/kubelet.js';
import { isMirrorPod } from '../src/sandbox/controllers/pod-util.js';
import { matchesSelector } from '../src/sandbox/controllers/selectors.js';
import type { KObject, Store } from '../src/sandbox/store.js';

/** The lower bound of a drain, and what sets it. */
export interface DrainFloor {
  /** Real milliseconds. */
  ms: number;
  /** The longest time one removed pod takes to terminate, real ms. */
  graceMs: number;
  /** The longest PDB-gated chain: its budget, its pods on the node, and how many go at a time. */
  chain?: { pdb: string; pods: number; perBatch: number; batches: number; ms: number };
  /** Pods a drain removes (not DaemonSet pods, not mirror pods). */
  pods: number;
}

/** Seconds a pod takes to stop after SIGTERM in the sandbox: its grace period, or less when its containers exit early. */
function stopSeconds(pod: KObject): number {
  const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
  const early = Number(pod.metadata.annotations?.[SHUTDOWN_ANNOTATION]);
  return Number.isFinite(early) && early >= 0 && early < grace ? early : grace;
}

/**
 * The least time any drain of `node` can take in the sandbox as its scenario and time scale make
 * it (controllers/kubelet.ts): every pod the drain removes stops after its grace period, and the
 * pods under a PodDisruptionBudget leave in batches of its allowed disruptions, each batch only
 * once the replacements of the batch before are Ready (the kubelet's start-up delay after they
 * are bound; scheduling is taken as free). So the floor is the longest of: the longest grace
 * period, and for each budget, (batches − 1) start-ups plus the longest grace period of its pods.
 * Request latency, the API server's and the drainer's own work all come on top.
 * @throws Error when a budget allows no disruption at all: such a drain never finishes.
 */
export function drainFloor(store: Store, node: string, timeScale: number): DrainFloor {
  const ms = (seconds: number) => scaledMs({ timeScale }, seconds);
  const removed = store.list('pods').items.filter((p) => p.spec?.nodeName === node && !isMirrorPod(p) && !p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet'));
  const graceMs = Math.max(0, ...removed.map((p) => ms(stopSeconds(p))));
  let chain: DrainFloor['chain'];
  for (const pdb of store.list('policy/poddisruptionbudgets').items) {
    const gated = removed.filter((p) => p.metadata.namespace === pdb.metadata.namespace && matchesSelector(pdb.spec?.selector, p.metadata.labels));
    if (!gated.length) continue;
    const perBatch = Number(pdb.status?.disruptionsAllowed ?? 0);
    if (perBatch < 1) throw new Error(`PodDisruptionBudget ${pdb.metadata.namespace}/${pdb.metadata.name} allows no disruption: a drain of ${node} cannot finish`);
    const batches = Math.ceil(gated.length / perBatch);
    const total = (batches - 1) * ms(START_SECONDS) + Math.max(...gated.map((p) => ms(stopSeconds(p))));
    if (!chain || total > chain.ms) chain = { pdb: `${pdb.metadata.namespace}/${pdb.metadata.name}`, pods: gated.length, perBatch, batches, ms: total };
  }
  return { ms: Math.max(graceMs, chain?.ms ?? 0), graceMs, pods: removed.length, ...(chain ? { chain } : {}) };
}
