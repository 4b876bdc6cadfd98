import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/start-sandbox.js';
import type { KObject } from '../../src/sandbox/store.js';
import { waitFor } from './api-fixture.js';
import { boundPod, condition, kubectl, sandboxPerTest } from './fidelity-support.js';

// Taints as kubectl edits them (a strategic merge patch: NodeSpec.Taints has no patch merge key
// in k8s.io/api/core/v1/types.go, so the list is replaced), the taint eviction controller
// (kubernetes/kubernetes pkg/controller/tainteviction/taint_eviction.go) and the node lifecycle
// controller's NotReady handling (pkg/controller/nodelifecycle/node_lifecycle_controller.go).

let sandbox: Sandbox;
const k = sandboxPerTest('maintenance', (s) => { sandbox = s; });

const taints = (node: string) => ((sandbox.store.mustGet('nodes', undefined, node).spec.taints ?? []) as { key: string; value?: string; effect: string }[]).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
const events = (reason: string, name?: string) => sandbox.store.list('events').items.filter((e) => e.reason === reason && (!name || (e.involvedObject as { name: string }).name === name));
const isDaemon = (p: KObject) => p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet') ?? false;
const onNode = (node: string) => sandbox.store.list('pods').items.filter((p) => p.spec?.nodeName === node);

describe.skipIf(!kubectl)('kubectl taint', () => {
  it('types.go (no patchMergeKey on spec.taints): kubectl taint node X key- really removes the taint', async () => {
    await k.ok('taint', 'node', 'node02', 'dedicated=db:NoSchedule');
    await k.ok('taint', 'node', 'node02', 'team=a:PreferNoSchedule');
    expect(taints('node02').sort()).toEqual(['dedicated=db:NoSchedule', 'team=a:PreferNoSchedule']);
    expect(await k.ok('taint', 'node', 'node02', 'dedicated-')).toContain('node/node02 untainted');
    expect(taints('node02')).toEqual(['team=a:PreferNoSchedule']);
    await k.ok('taint', 'node', 'node02', 'team:PreferNoSchedule-');
    expect(sandbox.store.mustGet('nodes', undefined, 'node02').spec.taints).toBeUndefined();
  }, 60_000);
});

describe.skipIf(!kubectl)('taint_eviction.go', () => {
  it('taint_eviction.go: a NoExecute taint evicts the pods that do not tolerate it at once, with TaintManagerEviction and DisruptionTarget', async () => {
    const victims = onNode('node02').filter((p) => !isDaemon(p) && !p.metadata.annotations?.['kubernetes.io/config.mirror']);
    expect(victims.length).toBeGreaterThan(0);
    await k.ok('taint', 'node', 'node02', 'maintenance=now:NoExecute');
    await sandbox.idle();
    for (const v of victims) {
      const e = events('TaintManagerEviction', v.metadata.name);
      expect(e.map((x) => x.message)).toContain(`Marking for deletion Pod ${v.metadata.namespace}/${v.metadata.name}`);
      expect((e[0].source as { component: string }).component).toBe('taint-eviction-controller');
    }
    // DaemonSet pods tolerate every taint and stay.
    expect(onNode('node02').filter(isDaemon).length).toBeGreaterThan(0);
    await waitFor('victims gone from node02', () => victims.every((v) => sandbox.store.get('pods', v.metadata.namespace, v.metadata.name)?.metadata.uid !== v.metadata.uid));
  }, 60_000);

  it('taint_eviction.go: tolerationSeconds delays the eviction, a toleration without it keeps the pod, and ordering follows the seconds', async () => {
    const tol = (seconds?: number) => [{ key: 'drain', operator: 'Exists', effect: 'NoExecute', ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}) }];
    sandbox.store.create('pods', boundPod('forever', 'shop', 'node01', { spec: { tolerations: tol() } }));
    sandbox.store.create('pods', boundPod('patient', 'shop', 'node01', { spec: { tolerations: tol(120) } }));
    sandbox.store.create('pods', boundPod('impatient', 'shop', 'node01', { spec: { tolerations: tol(0) } }));
    await sandbox.idle();
    await k.ok('taint', 'node', 'node01', 'drain=yes:NoExecute');
    await waitFor('impatient deleted', () => sandbox.store.get('pods', 'shop', 'impatient')?.metadata.deletionTimestamp || !sandbox.store.get('pods', 'shop', 'impatient'));
    expect(sandbox.store.mustGet('pods', 'shop', 'patient').metadata.deletionTimestamp).toBeUndefined();
    await waitFor('patient deleted after its 120 s', () => sandbox.store.get('pods', 'shop', 'patient')?.metadata.deletionTimestamp || !sandbox.store.get('pods', 'shop', 'patient'), 20_000);
    expect(sandbox.store.mustGet('pods', 'shop', 'forever').metadata.deletionTimestamp).toBeUndefined();
  }, 60_000);

  it('taint_eviction.go cancelWorkWithEvent: removing the taint in time cancels the eviction', async () => {
    sandbox.store.create('pods', boundPod('spared', 'shop', 'node01', { spec: { tolerations: [{ key: 'flaky', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 3000 }] } }));
    await sandbox.idle();
    await k.ok('taint', 'node', 'node01', 'flaky=1:NoExecute');
    await k.ok('taint', 'node', 'node01', 'flaky:NoExecute-');
    await sandbox.idle();
    expect(events('TaintManagerEviction', 'spared').map((e) => e.message)).toEqual(['Cancelling deletion of Pod shop/spared']);
    expect(sandbox.store.mustGet('pods', 'shop', 'spared').metadata.deletionTimestamp).toBeUndefined();
  }, 60_000);
});

describe('node_lifecycle_controller.go + taint_eviction.go: a NotReady node', () => {
  it('node_lifecycle_controller.go: NodeNotReady on the node, pods marked not Ready with a NodeNotReady warning, then evicted after the 300 s default toleration', async () => {
    const victims = onNode('node03').filter((p) => !isDaemon(p));
    sandbox.setNodeCondition('node03', 'Ready', 'False');
    await sandbox.idle();
    expect(taints('node03')).toEqual(['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);
    expect(events('NodeNotReady', 'node03')[0]).toMatchObject({ type: 'Normal', message: 'Node node03 status is now: NodeNotReady', source: { component: 'node-controller' } });
    const web = victims.find((p) => p.metadata.labels?.app === 'web')!;
    expect(events('NodeNotReady', web.metadata.name)[0]).toMatchObject({ type: 'Warning', message: 'Node is not ready' });
    expect(condition(sandbox.store.mustGet('pods', 'shop', web.metadata.name), 'Ready')?.status).toBe('False');
    // DefaultTolerationSeconds gave every pod 300 s (6 s at this time scale); then the taint manager deletes them.
    const evicted = await waitFor('pods on node03 marked for deletion', () => {
      const now = victims.map((v) => sandbox.store.get('pods', v.metadata.namespace, v.metadata.name));
      return now.every((p) => p?.metadata.deletionTimestamp) ? now : undefined;
    }, 30_000);
    // No kubelet runs there to finish: they stay Terminating, marked as the taint manager's doing.
    expect(condition(evicted[0], 'DisruptionTarget')).toMatchObject({ reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' });
    expect(onNode('node03').filter(isDaemon).every((p) => !p.metadata.deletionTimestamp)).toBe(true);
  }, 60_000);
});
