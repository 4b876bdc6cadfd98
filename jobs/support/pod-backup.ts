import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterView } from '../../src/k8s/cluster-view.js';
import { toManifest } from '../../src/k8s/manifest.js';
import { podClaims } from '../../src/k8s/storage-facts.js';

/**
 * Manifests a job saves before its first destructive step (incident 003: back up the PV and PVC
 * before touching anything): `first` (the node, say), then each pod with the PVCs it mounts and
 * their PVs, each object once.
 */
export class PodBackup {
  private readonly objects: unknown[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly view: Pick<ClusterView, 'pvcs' | 'pvs'>) {}

  /** Adds one object under `uid` (skipped when already there), as a manifest of `kind`. */
  add(uid: string | undefined, object: unknown, kind: string, apiVersion: string): this {
    if (uid && this.seen.has(uid)) return this;
    if (uid) this.seen.add(uid);
    this.objects.push(toManifest(object, kind, apiVersion));
    return this;
  }

  /** Adds each pod, then its claims and their volumes. */
  pods(pods: readonly V1Pod[]): this {
    for (const p of pods) {
      this.add(p.metadata?.uid, p, 'Pod', 'v1');
      for (const c of podClaims(p, this.view)) {
        if (c.pvc) this.add(c.pvc.metadata?.uid, c.pvc, 'PersistentVolumeClaim', 'v1');
        if (c.pv) this.add(c.pv.metadata?.uid, c.pv, 'PersistentVolume', 'v1');
      }
    }
    return this;
  }

  manifests(): unknown[] {
    return this.objects;
  }
}
