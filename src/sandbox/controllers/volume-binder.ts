import type { KObject, StoreEvent } from '../store.js';
import { idOf } from './cache.js';
import { deleteAs, type Controller, type ControllerContext } from './context.js';
import { EventType } from './events.js';
import { bindClaim } from './scheduler.js';
import { isWaitForFirstConsumer, STORAGE_CLASSES, storageClassOf, volumeMatchesClaim } from './storage-util.js';

const COMPONENT = 'persistentvolume-controller';

/**
 * The PV controller: binds Immediate claims to a matching free volume or provisions one through
 * the class's CSI driver (Ceph RBD), releases volumes whose claim is deleted (Retain) or deletes
 * them (Delete). WaitForFirstConsumer claims (local-storage) are left for the scheduler.
 */
export function createVolumeBinder(ctx: ControllerContext): Controller {
  const self: Controller = {
    name: 'volume-binder',
    resync() {
      for (const c of ctx.cache.all('persistentvolumeclaims')) ctx.loop.enqueue(self, `pvc:${idOf(c)}`);
      for (const v of ctx.cache.all('persistentvolumes')) ctx.loop.enqueue(self, `pv:${v.metadata.name}`);
    },
    onEvent(e: StoreEvent) {
      if (e.key === 'persistentvolumeclaims') {
        if (e.type !== 'DELETED') ctx.loop.enqueue(self, `pvc:${idOf(e.object)}`);
        else if (e.object.spec?.volumeName) ctx.loop.enqueue(self, `pv:${e.object.spec.volumeName}`);
      } else if (e.key === 'persistentvolumes' && e.type !== 'DELETED') {
        ctx.loop.enqueue(self, `pv:${e.object.metadata.name}`);
      }
    },
    sync(ids: string[]) {
      for (const id of ids) {
        if (id.startsWith('pvc:')) syncClaim(id.slice(4));
        else syncVolume(id.slice(3));
      }
    },
  };

  function syncClaim(id: string): void {
    const pvc = ctx.cache.get('persistentvolumeclaims', id);
    if (!pvc || pvc.spec?.volumeName || pvc.metadata.deletionTimestamp || isWaitForFirstConsumer(pvc)) return;
    let pv = [...ctx.cache.all('persistentvolumes')].find((v) => !v.spec?.claimRef && volumeMatchesClaim(v, pvc));
    if (!pv) pv = provision(pvc);
    if (pv) bindClaim(ctx, pvc, pv);
  }

  function provision(pvc: KObject): KObject | undefined {
    const cls = storageClassOf(pvc);
    const provisioner = STORAGE_CLASSES[cls]?.provisioner;
    if (!provisioner || provisioner === 'kubernetes.io/no-provisioner') {
      ctx.events.record(COMPONENT, pvc, EventType.Normal, 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return undefined;
    }
    const name = `pvc-${pvc.metadata.uid}`;
    ctx.events.record(COMPONENT, pvc, EventType.Normal, 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
    const pv = ctx.store.create('persistentvolumes', {
      metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': provisioner, 'volume.kubernetes.io/provisioner-deletion-secret-namespace': 'ceph-csi' }, finalizers: ['kubernetes.io/pv-protection'] },
      spec: {
        accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
        capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
        csi: { driver: provisioner, fsType: 'ext4', volumeHandle: `0001-0009-rook-ceph-0000000000000002-${pvc.metadata.uid}`, volumeAttributes: { clusterID: 'rook-ceph', imageName: `csi-vol-${pvc.metadata.uid}`, pool: 'replicapool' } },
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: cls,
        volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      },
      status: { phase: 'Available' },
    });
    ctx.events.record(COMPONENT, pvc, EventType.Normal, 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
    return pv;
  }

  function syncVolume(name: string): void {
    const pv = ctx.cache.get('persistentvolumes', name);
    const ref = pv?.spec?.claimRef;
    if (!pv || !ref?.name) return;
    const pvc = ctx.cache.getNs('persistentvolumeclaims', ref.namespace, ref.name);
    if (pvc && (!ref.uid || pvc.metadata.uid === ref.uid)) return;
    if (pv.status?.phase === 'Released' || pv.metadata.deletionTimestamp) return;
    // Released first, as the PV controller does; the pv-protection finalizer holds a Bound volume.
    const released = ctx.store.mutate('persistentvolumes', undefined, name, (v) => {
      v.status = { ...v.status, phase: 'Released' };
    });
    if (pv.spec.persistentVolumeReclaimPolicy === 'Delete') deleteAs(ctx, 'persistentvolumes', released);
  }

  return self;
}
