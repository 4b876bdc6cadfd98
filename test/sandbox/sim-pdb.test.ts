import { afterEach, describe, expect, it } from 'vitest';
import { pdbNumbers } from '../../src/sandbox/controllers/disruption.js';
import { apiDeletePod, pods, runningReady, startSim, waitFor, type Sim } from './sim-support.js';

let sim: Sim | undefined;
afterEach(() => sim?.stop());

describe('PDB arithmetic', () => {
  // [spec, matching pods, controllers' scale, healthy] -> [expectedPods, desiredHealthy, disruptionsAllowed]
  const cases: [string, { minAvailable?: number | string; maxUnavailable?: number | string }, number, number, number, [number, number, number]][] = [
    ['minAvailable int counts matching pods', { minAvailable: 2 }, 3, 3, 3, [3, 2, 1]],
    ['minAvailable int with terminating pods still matching', { minAvailable: 2 }, 4, 3, 3, [4, 2, 1]],
    ['minAvailable above healthy allows none', { minAvailable: 5 }, 3, 3, 3, [3, 5, 0]],
    ['minAvailable percent rounds up (50% of 3 = 2)', { minAvailable: '50%' }, 3, 3, 3, [3, 2, 1]],
    ['minAvailable percent rounds up (10% of 5 = 1)', { minAvailable: '10%' }, 5, 5, 5, [5, 1, 4]],
    ['minAvailable 100% allows none', { minAvailable: '100%' }, 3, 3, 3, [3, 3, 0]],
    ['maxUnavailable int', { maxUnavailable: 1 }, 3, 3, 3, [3, 2, 1]],
    ['maxUnavailable uses the controller scale, not the pod count', { maxUnavailable: 1 }, 2, 3, 2, [3, 2, 0]],
    ['maxUnavailable percent rounds up (30% of 3 = 1)', { maxUnavailable: '30%' }, 3, 3, 3, [3, 2, 1]],
    ['maxUnavailable percent rounds up (50% of 5 = 3)', { maxUnavailable: '50%' }, 5, 5, 5, [5, 2, 3]],
    ['maxUnavailable 10% of 20 = 2', { maxUnavailable: '10%' }, 20, 20, 20, [20, 18, 2]],
    ['maxUnavailable 0 allows none', { maxUnavailable: 0 }, 3, 3, 3, [3, 3, 0]],
    ['maxUnavailable above scale floors desired at 0', { maxUnavailable: 5 }, 3, 3, 3, [3, 0, 3]],
    ['no pods: nothing expected, nothing allowed', { minAvailable: 0 }, 0, 0, 0, [0, 0, 0]],
    ['unhealthy pods reduce what is allowed', { minAvailable: 2 }, 3, 3, 2, [3, 2, 0]],
  ];
  it.each(cases)('%s', (_name, spec, matchingPods, controllerScale, currentHealthy, [expectedPods, desiredHealthy, disruptionsAllowed]) => {
    expect(pdbNumbers(spec, { matchingPods, controllerScale, currentHealthy })).toEqual({ expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed });
  });

  it('rejects a string that is not a percentage', () => {
    expect(() => pdbNumbers({ maxUnavailable: 'one' }, { matchingPods: 1, controllerScale: 1, currentHealthy: 1 })).toThrow(/not a percentage/);
  });
});

describe('disruption controller', () => {
  it('keeps status in step with pods and drops disruptedPods entries once the pod terminates', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    const pdb = store.mustGet('policy/poddisruptionbudgets', 'shop', 'web');
    expect(pdb.status).toMatchObject({ observedGeneration: 1, expectedPods: 3, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 });
    expect(pdb.status.conditions[0]).toMatchObject({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' });
    expect(store.mustGet('policy/poddisruptionbudgets', 'shop', 'cart').status).toMatchObject({ expectedPods: 2, desiredHealthy: 1, disruptionsAllowed: 1 });

    // An eviction in flight, as the API records it: the pod no longer counts as healthy.
    const [victim, other] = pods(store, 'shop', (p) => p.metadata.name.startsWith('web-'));
    store.mutate('policy/poddisruptionbudgets', 'shop', 'web', (x) => {
      x.status.disruptionsAllowed = 0;
      x.status.disruptedPods = { [victim.metadata.name]: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
    });
    await sim.controllers.idle();
    expect(store.mustGet('policy/poddisruptionbudgets', 'shop', 'web').status).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 0, disruptedPods: { [victim.metadata.name]: expect.any(String) } });

    apiDeletePod(store, 'shop', victim.metadata.name, 30);
    await waitFor(sim, 'disruptedPods entry dropped', () => !store.mustGet('policy/poddisruptionbudgets', 'shop', 'web').status.disruptedPods);
    apiDeletePod(store, 'shop', other.metadata.name, 30);
    await waitFor(sim, 'budget exhausted while replacements start', () => store.mustGet('policy/poddisruptionbudgets', 'shop', 'web').status.disruptionsAllowed === 0);
    await waitFor(sim, 'budget restored', () => {
      const s = store.mustGet('policy/poddisruptionbudgets', 'shop', 'web').status;
      return s.currentHealthy === 3 && s.disruptionsAllowed === 1 && pods(store, 'shop', (p) => p.metadata.name.startsWith('web-')).every(runningReady);
    });
  });

  it('fails safe for pods whose controller has no scale, leaving observedGeneration behind', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    store.create('policy/poddisruptionbudgets', { metadata: { name: 'exporter', namespace: 'monitoring' }, spec: { maxUnavailable: 1, selector: { matchLabels: { 'k8s-app': 'node-exporter' } } } });
    await sim.controllers.idle();
    const pdb = store.mustGet('policy/poddisruptionbudgets', 'monitoring', 'exporter');
    expect(pdb.status.disruptionsAllowed).toBe(0);
    expect(pdb.status.observedGeneration).toBeUndefined();
    expect(pdb.status.conditions[0]).toMatchObject({ type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: expect.stringMatching(/^found no controllers for pod "node-exporter-/) });
  });

  it('follows spec changes with a new observedGeneration', async () => {
    sim = await startSim('maintenance');
    const { store } = sim;
    const updated = store.mutate('policy/poddisruptionbudgets', 'shop', 'web', (x) => {
      x.spec.minAvailable = '100%';
    });
    expect(updated.metadata.generation).toBe(2);
    await waitFor(sim, 'pdb observed', () => store.mustGet('policy/poddisruptionbudgets', 'shop', 'web').status.observedGeneration === 2);
    expect(store.mustGet('policy/poddisruptionbudgets', 'shop', 'web').status).toMatchObject({ desiredHealthy: 3, disruptionsAllowed: 0 });
  });
});
