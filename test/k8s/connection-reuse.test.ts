import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeClients, loadKubeConfig } from '../../src/k8s/kube-clients.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let connects = 0;
// undici (client-node's HTTP client) reports every new connection on this channel.
const onConnected = () => void connects++;

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: 'maintenance', timeScale: 0.02 });
  subscribe('undici:client:connected', onConnected);
});
afterAll(async () => {
  unsubscribe('undici:client:connected', onConnected);
  await sandbox?.close();
});

describe('Kubernetes API connections', () => {
  it('many calls through every client of a cluster share one TLS connection, not one each', async () => {
    const kube = createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath: sandbox.kubeconfigPath }));
    const before = connects;
    for (let i = 0; i < 10; i++) {
      await kube.core.listNode();
      await kube.apps.listDeploymentForAllNamespaces();
      await kube.policy.listPodDisruptionBudgetForAllNamespaces();
    }
    // Thirty calls; undici may open a second connection while the first still finishes a response.
    expect(connects - before).toBeGreaterThanOrEqual(1);
    expect(connects - before).toBeLessThanOrEqual(2);
  });

  it('a changed TLS setup (here: verification turned off) gets a new connection, and calls go on working', async () => {
    const kc = loadKubeConfig({ kubeconfigPath: sandbox.kubeconfigPath });
    const kube = createKubeClients('sandbox', kc);
    for (let i = 0; i < 5; i++) await kube.core.listNode();
    const before = connects;
    (kc.getCurrentCluster() as { skipTLSVerify: boolean }).skipTLSVerify = true;
    const nodes = await kube.core.listNode();
    for (let i = 0; i < 5; i++) await kube.core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name)).toContain('node02');
    expect(connects - before).toBeGreaterThanOrEqual(1);
    expect(connects - before).toBeLessThanOrEqual(2);
  });
});
