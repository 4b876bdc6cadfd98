import type { V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1VolumeAttachment } from '@kubernetes/client-node';
import type { ClusterView } from './cluster-view.js';

/** Where a pod keeps data that does not follow it to another node. */
export interface LocalData {
  /** Volume name as the pod spec has it. */
  volume: string;
  kind: 'emptyDir' | 'hostPath' | 'local PV';
  /** For claims: the PVC and PV; for hostPath: the path. */
  detail: string;
  /** Plan-style references of the objects concerned (PVC, PV). */
  objects: string[];
}

/** A ReadWriteOnce volume still attached to the pod's node. */
export interface RwoAttachment {
  volume: string;
  pvc: string;
  pv: string;
  attachment: string;
}

export interface PodClaim {
  volume: string;
  pvc?: V1PersistentVolumeClaim;
  pv?: V1PersistentVolume;
}

const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** The claims a pod mounts, with their PVCs and bound PVs when the view has them. */
export function podClaims(pod: V1Pod, view: Pick<ClusterView, 'pvcs' | 'pvs'>): PodClaim[] {
  const ns = pod.metadata?.namespace;
  const out: PodClaim[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const claimName = v.persistentVolumeClaim?.claimName;
    if (!claimName) continue;
    const pvc = view.pvcs.find((c) => c.metadata?.namespace === ns && c.metadata?.name === claimName);
    const pvName = pvc?.spec?.volumeName;
    const pv = pvName ? view.pvs.find((p) => p.metadata?.name === pvName) : undefined;
    out.push({ volume: v.name, ...(pvc ? { pvc } : {}), ...(pv ? { pv } : {}) });
  }
  return out;
}

/** True when the PV's required node affinity allows only `node` (a `local` PV is always pinned so). */
export function pvPinnedTo(pv: V1PersistentVolume, node: string): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return false;
  return terms.every((t) =>
    (t.matchExpressions ?? []).some((e) => e.key === HOSTNAME_LABEL && e.operator === 'In' && (e.values ?? []).length > 0 && (e.values ?? []).every((v) => v === node)),
  );
}

/**
 * Data that stays behind (or is lost) when the pod leaves `node`: emptyDir (deleted with the pod),
 * hostPath volumes, and PVs that are `local`, `hostPath` or pinned to the node by affinity (the
 * replacement cannot start anywhere else).
 */
export function localDataOf(pod: V1Pod, view: Pick<ClusterView, 'pvcs' | 'pvs'>, node: string): LocalData[] {
  const out: LocalData[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.emptyDir) out.push({ volume: v.name, kind: 'emptyDir', detail: `emptyDir ${v.name}`, objects: [] });
    else if (v.hostPath) out.push({ volume: v.name, kind: 'hostPath', detail: `hostPath ${v.hostPath.path}`, objects: [] });
  }
  for (const c of podClaims(pod, view)) {
    const pv = c.pv;
    if (!pv || !c.pvc) continue;
    const local = Boolean(pv.spec?.local) || Boolean(pv.spec?.hostPath) || pvPinnedTo(pv, node);
    if (!local) continue;
    const where = pv.spec?.local?.path ?? pv.spec?.hostPath?.path;
    out.push({
      volume: c.volume,
      kind: 'local PV',
      detail: `PVC ${c.pvc.metadata?.name} -> PV ${pv.metadata?.name}${where ? ` (${where} on ${node})` : ` (pinned to ${node})`}`,
      objects: [`persistentvolumeclaim/${c.pvc.metadata?.namespace}/${c.pvc.metadata?.name}`, `persistentvolume/${pv.metadata?.name}`],
    });
  }
  return out;
}

function isRwo(pvc: V1PersistentVolumeClaim, pv?: V1PersistentVolume): boolean {
  const modes = [...(pvc.spec?.accessModes ?? []), ...(pv?.spec?.accessModes ?? [])];
  return modes.includes('ReadWriteOnce') || modes.includes('ReadWriteOncePod');
}

/** ReadWriteOnce claims of the pod whose PV has a VolumeAttachment to `node`. */
export function rwoAttachmentsOf(pod: V1Pod, view: Pick<ClusterView, 'pvcs' | 'pvs' | 'attachments'>, node: string): RwoAttachment[] {
  const out: RwoAttachment[] = [];
  for (const c of podClaims(pod, view)) {
    if (!c.pvc || !isRwo(c.pvc, c.pv)) continue;
    const pvName = c.pvc.spec?.volumeName;
    if (!pvName) continue;
    const va: V1VolumeAttachment | undefined = view.attachments.find((a) => a.spec?.nodeName === node && a.spec?.source?.persistentVolumeName === pvName);
    if (!va) continue;
    out.push({ volume: c.volume, pvc: c.pvc.metadata?.name ?? '', pv: pvName, attachment: va.metadata?.name ?? '' });
  }
  return out;
}
