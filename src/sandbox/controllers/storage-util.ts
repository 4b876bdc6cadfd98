import { parseBytes } from '../../core/quantity.js';
import type { KObject } from '../store.js';
import type { Cache } from './cache.js';
import { matchesNodeSelector } from './selectors.js';

/**
 * The storage classes the sandbox knows. StorageClass objects are not served, so this table is
 * their stand-in: `local-storage` is static and bound when the first pod is scheduled (as the
 * incident's local PVs were); everything else is provisioned at once by Ceph RBD's CSI driver.
 */
export const STORAGE_CLASSES: Record<string, { provisioner: string; volumeBindingMode: 'Immediate' | 'WaitForFirstConsumer' }> = {
  'local-storage': { provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' },
  'ceph-rbd': { provisioner: 'rbd.csi.ceph.com', volumeBindingMode: 'Immediate' },
};

export const DEFAULT_STORAGE_CLASS = 'ceph-rbd';

export function storageClassOf(pvc: KObject): string {
  return pvc.spec?.storageClassName ?? DEFAULT_STORAGE_CLASS;
}

export function isWaitForFirstConsumer(pvc: KObject): boolean {
  return STORAGE_CLASSES[storageClassOf(pvc)]?.volumeBindingMode === 'WaitForFirstConsumer';
}

/** Names of the PVCs a pod mounts. */
export function podClaimNames(pod: KObject): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
  return out;
}

/** The PV bound to a claim, if the claim is bound. */
export function boundVolume(cache: Cache, pvc: KObject | undefined): KObject | undefined {
  const name = pvc?.spec?.volumeName;
  return name ? cache.get('persistentvolumes', name) : undefined;
}

/** Whether the PV may be used from this node (its required node affinity, e.g. a local PV's). */
export function volumeFitsNode(pv: KObject, node: KObject): boolean {
  const required = pv.spec?.nodeAffinity?.required;
  return required ? matchesNodeSelector(required, node) : true;
}

/** A PV that is free and fits the claim (class, access modes, size). */
export function volumeMatchesClaim(pv: KObject, pvc: KObject): boolean {
  if (pv.spec?.claimRef && pv.spec.claimRef.uid !== pvc.metadata.uid) return false;
  if (pv.status?.phase && pv.status.phase !== 'Available' && !pv.spec?.claimRef) return false;
  if ((pv.spec?.storageClassName ?? '') !== (pvc.spec?.storageClassName ?? DEFAULT_STORAGE_CLASS)) return false;
  const modes: string[] = pv.spec?.accessModes ?? [];
  if (!(pvc.spec?.accessModes ?? []).every((m: string) => modes.includes(m))) return false;
  return parseBytes(pv.spec?.capacity?.storage) >= parseBytes(pvc.spec?.resources?.requests?.storage);
}

/**
 * A PV the attach/detach controller must attach to a node before the pod can start, exclusively:
 * a CSI (network block) volume with ReadWriteOnce. Local and hostPath volumes need no attach.
 */
export function isExclusiveAttachable(pv: KObject | undefined): boolean {
  if (!pv?.spec?.csi?.driver) return false;
  const modes: string[] = pv.spec.accessModes ?? [];
  return modes.includes('ReadWriteOnce') || modes.includes('ReadWriteOncePod');
}
