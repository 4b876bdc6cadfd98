import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { selectDrainPods, type DrainFilterOptions } from '../../src/k8s/drain-filters.js';
import { toManifest } from '../../src/k8s/manifest.js';

/** kubectl's filter semantics on hand-made pods: the cases a scenario does not happen to hold. */

const NOW = Date.parse('2026-01-01T12:00:00Z');
const base: DrainFilterOptions = { ignoreDaemonsets: true, deleteEmptyDirData: false, force: false, skipWaitForDeleteTimeoutSeconds: 0, now: NOW };

function pod(name: string, extra: { owner?: string; emptyDir?: boolean; phase?: string; deletedSecondsAgo?: number; mirror?: boolean } = {}): V1Pod {
  const [kind, owner] = extra.owner?.split('/') ?? [];
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: kind!, name: owner!, uid: `uid-${owner}`, controller: true }] } : {}),
      ...(extra.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'abc' } } : {}),
      ...(extra.deletedSecondsAgo !== undefined ? { deletionTimestamp: new Date(NOW - extra.deletedSecondsAgo * 1000) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'i' }], volumes: extra.emptyDir ? [{ name: 'scratch', emptyDir: {} }] : [] },
    status: { phase: extra.phase ?? 'Running' },
  };
}

const names = (pods: V1Pod[]) => pods.map((p) => p.metadata?.name);

describe('selectDrainPods', () => {
  it('finished pods go without --force or --delete-emptydir-data, as in kubectl', () => {
    const r = selectDrainPods([pod('done', { phase: 'Succeeded', emptyDir: true }), pod('failed-bare', { phase: 'Failed' })], base, { daemonSetExists: () => true });
    expect(names(r.targets)).toEqual(['done', 'failed-bare']);
    expect(r.errors).toEqual([]);
  });

  it('an orphaned DaemonSet pod is an error without --force and a target with it', () => {
    const orphan = pod('ds-orphan', { owner: 'DaemonSet/gone' });
    const without = selectDrainPods([orphan], base, { daemonSetExists: () => false });
    expect(without.errors).toEqual([{ message: 'cannot delete daemonsets.apps "gone" not found: ns/ds-orphan', flag: '--force', pods: ['ns/ds-orphan'] }]);
    const withForce = selectDrainPods([orphan], { ...base, force: true }, { daemonSetExists: () => false });
    expect(names(withForce.targets)).toEqual(['ds-orphan']);
  });

  it('skips pods terminating longer than --skip-wait-for-delete-timeout, before any other filter', () => {
    const old = pod('old', { deletedSecondsAgo: 120, emptyDir: true });
    const recent = pod('recent', { deletedSecondsAgo: 5, owner: 'ReplicaSet/x' });
    const r = selectDrainPods([old, recent], { ...base, skipWaitForDeleteTimeoutSeconds: 60 }, { daemonSetExists: () => true });
    expect(names(r.targets)).toEqual(['recent']);
    expect(r.skipped.map((s) => [s.pod.metadata?.name, s.reason])).toEqual([['old', 'terminating for more than 60s (--skip-wait-for-delete-timeout)']]);
    expect(r.errors).toEqual([]);
  });

  it('mirror pods are skipped quietly; emptyDir is checked before the controller', () => {
    const r = selectDrainPods([pod('etcd-cp', { mirror: true }), pod('bare-scratch', { emptyDir: true })], base, { daemonSetExists: () => true });
    expect(r.targets).toEqual([]);
    expect(r.skipped[0]!.reason).toMatch(/^static \(mirror\) pod/);
    // First failing filter decides: local storage, not "no controller".
    expect(r.errors.map((e) => e.flag)).toEqual(['--delete-emptydir-data']);
  });
});

describe('toManifest', () => {
  it('drops managedFields and never keeps a Secret\'s data', () => {
    const m = toManifest({ metadata: { name: 's', managedFields: [{ manager: 'kubectl' }] }, data: { password: 'aHVudGVyMg==' }, stringData: { x: 'y' }, type: 'Opaque' }, 'Secret', 'v1');
    expect(m).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', annotations: { 'sitrep.dev/backup-removed': 'data: password\nstringData: x' } }, type: 'Opaque' });
  });
});
