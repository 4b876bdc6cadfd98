import { describe, expect, it } from 'vitest';
import { runSandboxCli } from '../../src/sandbox/cli.js';
import { rawRequest } from '../../src/sandbox/http-client.js';
import type { Sandbox } from '../../src/sandbox/start-sandbox.js';
import type { KObject } from '../../src/sandbox/store.js';
import { waitFor } from './api-fixture.js';
import { condition, kubectl, raw, sandboxPerTest } from './fidelity-support.js';

// Node reboots, heartbeats and the events around them, as a real cluster shows them:
// the kubelet's node lease (pkg/kubelet/nodelease, 40 s leases renewed every 10 s) and node
// status events (pkg/kubelet/kubelet_node_status.go: NodeReady, NodeNotSchedulable, Rebooted,
// Starting), the node lifecycle controller marking a silent node Unknown after
// node-monitor-grace-period (pkg/controller/nodelifecycle), graceful node shutdown's NotReady
// (pkg/kubelet/nodeshutdown), and controller events (SuccessfulCreate/SuccessfulDelete).

let sandbox: Sandbox;
const k = sandboxPerTest('maintenance', (s) => { sandbox = s; });

const node = (name: string) => sandbox.store.mustGet('nodes', undefined, name);
const lease = (name: string) => sandbox.store.get('coordination.k8s.io/leases', 'kube-node-lease', name);
const nodeEvents = (name: string, reason: string) => sandbox.store.list('events').items.filter((e) => e.reason === reason && (e.involvedObject as { kind: string; name: string }).kind === 'Node' && (e.involvedObject as { name: string }).name === name);
const renewTime = (name: string) => Date.parse(lease(name)?.spec?.renewTime ?? '0');

describe('node leases', () => {
  it('nodelease: every node has a Lease in kube-node-lease, held by itself and renewed while its kubelet runs', async () => {
    const l = await waitFor('node02 lease', () => lease('node02'));
    expect(l.spec).toMatchObject({ holderIdentity: 'node02', leaseDurationSeconds: 40 });
    expect(l.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(l.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Node', name: 'node02' })]);
    const first = renewTime('node02');
    await waitFor('a renewal', () => renewTime('node02') > first);
  });

  it.skipIf(!kubectl)('kubectl describe node shows the Lease and its renew time', async () => {
    await waitFor('node02 lease', () => lease('node02'));
    const out = await k.ok('describe', 'node', 'node02');
    expect(out).toMatch(/Lease:\s*\n\s+HolderIdentity:\s+node02\n\s+AcquireTime:\s+<unset>\n\s+RenewTime:\s+\S+/);
  }, 60_000);

  it('node_lifecycle_controller.go: a node whose kubelet stops is Unknown after the grace period; its Lease stops', async () => {
    await waitFor('node03 lease', () => lease('node03'));
    sandbox.setNodeDown('node03');
    const stoppedAt = renewTime('node03');
    await waitFor('node03 Unknown', () => condition(node('node03'), 'Ready')?.status === 'Unknown', 20_000);
    expect(condition(node('node03'), 'Ready')).toMatchObject({ reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(renewTime('node03')).toBe(stoppedAt);
    // The controller records the Event after the status it reports: wait for it, then count it.
    await waitFor('the NodeNotReady event', () => nodeEvents('node03', 'NodeNotReady').length > 0);
    expect(nodeEvents('node03', 'NodeNotReady')).toHaveLength(1);

    sandbox.setNodeUp('node03');
    await waitFor('node03 Ready again', () => condition(node('node03'), 'Ready')?.status === 'True');
    await waitFor('renewed again', () => renewTime('node03') > stoppedAt);
    expect(nodeEvents('node03', 'NodeReady')[0]).toMatchObject({ type: 'Normal', message: 'Node node03 status is now: NodeReady', source: { component: 'kubelet', host: 'node03' } });
  }, 60_000);
});

describe('reboots', () => {
  it('kubelet_node_status.go: a reboot goes NotReady, comes back Ready with a new bootID, Rebooted and Starting events, and containers restarted', async () => {
    const bootBefore = node('node02').status.nodeInfo.bootID;
    const web = sandbox.store.list('pods', 'shop').items.find((p) => p.metadata.labels?.app === 'web' && p.spec.nodeName === 'node02')!;
    const readiness: string[] = [];
    const unsubscribe = sandbox.store.subscribe((e) => { if (e.key === 'nodes' && e.object.metadata.name === 'node02') readiness.push(condition(e.object, 'Ready')?.status ?? '?'); });
    await sandbox.rebootNode('node02', { downMs: 200 });
    unsubscribe();
    expect(readiness).toContain('False');
    expect(readiness.at(-1)).toBe('True');
    const after = node('node02');
    expect(after.status.nodeInfo.bootID).not.toBe(bootBefore);
    const rebooted = nodeEvents('node02', 'Rebooted');
    expect(rebooted[0]).toMatchObject({ type: 'Warning', message: `Node node02 has been rebooted, boot id: ${after.status.nodeInfo.bootID}` });
    expect((rebooted[0].involvedObject as { uid: string }).uid).toBe('node02');
    expect(nodeEvents('node02', 'Starting')[0]).toMatchObject({ message: 'Starting kubelet.' });
    const restarted = await waitFor('web restarted in the new boot', () => {
      const p = sandbox.store.get('pods', 'shop', web.metadata.name);
      return p?.status?.containerStatuses?.[0]?.restartCount === 1 ? p : undefined;
    });
    expect(restarted.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 255, reason: 'Unknown' });
    expect(condition(restarted, 'Ready')?.status).toBe('True');
    expect(sandbox.store.list('events', 'shop').items.some((e) => e.reason === 'SandboxChanged' && (e.involvedObject as { name: string }).name === web.metadata.name)).toBe(true);
  }, 60_000);

  it('the admin endpoint reboots a node; it is cluster-admin only', async () => {
    const bootBefore = node('node01').status.nodeInfo.bootID;
    const r = await raw(sandbox, 'POST', '/debug/sandbox/nodes/node01/reboot?downMs=100');
    expect(r.status).toBe(202);
    await waitFor('node01 in a new boot and Ready', () => node('node01').status.nodeInfo.bootID !== bootBefore && condition(node('node01'), 'Ready')?.status === 'True');
    const someone = await sandbox.kubeconfigFor({ user: 'eve' });
    const denied = await raw(sandbox, 'POST', '/debug/sandbox/nodes/node01/reboot', undefined, {}, someone.token);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe('forbidden: User "eve" cannot post path "/debug/sandbox/nodes/node01/reboot"');
  }, 60_000);

  it('sitrep sandbox --action reboot:node02@0/1 reboots node02 once it serves', async () => {
    const out: string[] = [];
    const ctl = new AbortController();
    const kubeconfig = `${k.cacheDir}/cli.kubeconfig`;
    const done = runSandboxCli(['--scenario', 'maintenance', '--time-scale', '0.02', '--kubeconfig', kubeconfig, '--action', 'reboot:node02@0/1'], { out: (l) => out.push(l), err: (l) => out.push(l), signal: ctl.signal });
    const url = await waitFor('serving', () => out.join('\n').match(/serving on (https:\/\/\S+)/)?.[1]);
    expect(out.join('\n')).toContain('action: reboot node02 after 0 s, down 1 s (simulated)');
    const text = (await import('node:fs')).readFileSync(kubeconfig, 'utf8');
    const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(text)![1], 'base64').toString();
    const token = /token: (\S+)/.exec(text)![1];
    await waitFor('a Rebooted event', async () => {
      const r = await rawRequest(url, ca, 'GET', '/api/v1/events?fieldSelector=reason%3DRebooted', { token });
      return (JSON.parse(r.text) as { items: KObject[] }).items.length > 0;
    }, 20_000);
    ctl.abort();
    expect(await done).toBe(0);
  }, 60_000);
});

describe.skipIf(!kubectl)('events on these paths', () => {
  it('kubelet_node_status.go: cordon and uncordon record NodeNotSchedulable and NodeSchedulable', async () => {
    await k.ok('cordon', 'node01');
    await k.ok('uncordon', 'node01');
    await sandbox.idle();
    expect(nodeEvents('node01', 'NodeNotSchedulable')[0]).toMatchObject({ message: 'Node node01 status is now: NodeNotSchedulable', source: { component: 'kubelet', host: 'node01' } });
    expect(nodeEvents('node01', 'NodeSchedulable')).toHaveLength(1);
    const out = await k.ok('get', 'events', '-A', '--field-selector', 'involvedObject.name=node01');
    expect(out).toMatch(/NodeNotSchedulable/);
  }, 60_000);

  it('replica_set.go: scaling records SuccessfulCreate and SuccessfulDelete on the ReplicaSet', async () => {
    await k.ok('scale', 'deployment/cart', '-n', 'shop', '--replicas=3');
    await waitFor('3 cart pods', () => sandbox.store.list('pods', 'shop').items.filter((p) => p.metadata.labels?.app === 'cart' && !p.metadata.deletionTimestamp).length === 3);
    await k.ok('scale', 'deployment/cart', '-n', 'shop', '--replicas=1');
    await sandbox.idle();
    const rsEvents = sandbox.store.list('events', 'shop').items.filter((e) => (e.involvedObject as { kind: string }).kind === 'ReplicaSet' && (e.involvedObject as { name: string }).name.startsWith('cart-'));
    expect(rsEvents.map((e) => e.reason)).toEqual(expect.arrayContaining(['SuccessfulCreate', 'SuccessfulDelete']));
    expect(rsEvents.find((e) => e.reason === 'SuccessfulCreate')?.message).toMatch(/^Created pod: cart-/);
  }, 60_000);
});
