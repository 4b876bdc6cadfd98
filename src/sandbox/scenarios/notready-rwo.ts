import { LEASE_DURATION_SECONDS } from '../controllers/kubelet-node-status.js';
import { rfc3339 } from '../controllers/pod-util.js';
import { setNodeCondition } from '../node-conditions.js';
import type { Store } from '../store.js';
import { clusterAddons } from './common.js';
import { Seeder } from './seeder.js';

/**
 * A node that stopped reporting (modelled on a NotReady node whose Ceph RBD volume stayed mapped):
 * node03 is Ready=Unknown. Its pods were evicted ten minutes ago and are stuck Terminating, since
 * no kubelet is left to confirm. `postgres-0` (StatefulSet, ReadWriteOnce RBD claim) cannot come
 * back until its old object is gone; `sleep`'s replacement pod is stuck ContainerCreating on a
 * Multi-Attach error because the volume is still attached to node03.
 */
export function seedNotReadyRwo(store: Store): void {
  const s = new Seeder(store);
  s.baseNamespaces();
  for (const ns of ['db', 'shop']) s.namespace(ns);
  s.node({ name: 'cp01', ip: '10.10.11.10', cpu: '4', memory: '8Gi', controlPlane: true });
  for (const [i, name] of ['node01', 'node02', 'node03'].entries()) s.node({ name, ip: `10.10.11.${21 + i}`, cpu: '4', memory: '16Gi' });
  s.controlPlane('cp01');
  clusterAddons(s, ['node01', 'node02']);

  const pg = s.rbdClaim('db', 'data-postgres-0', '50Gi', { app: 'postgres' });
  const { pods: [postgres0] } = s.statefulSet({
    namespace: 'db',
    name: 'postgres',
    nodes: ['node03'],
    containers: [{ name: 'postgres', image: 'postgres:16.4', cpu: '500m', memory: '2Gi', ports: [{ containerPort: 5432, name: 'postgres' }], volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }] }],
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'ceph-rbd', resources: { requests: { storage: '50Gi' } } } }],
  });
  s.attachment(pg.pv, 'node03');

  const sleepClaim = s.rbdClaim('default', 'sleep-data', '10Gi');
  const { pods: [sleepOld] } = s.deployment({
    namespace: 'default',
    name: 'sleep',
    nodes: ['node03'],
    containers: [{ name: 'sleep', image: 'busybox:1.36', cpu: '10m', memory: '16Mi', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'sleep-data' } }],
  });
  s.attachment(sleepClaim.pv, 'node03');

  const { pods: webPods } = s.deployment({
    namespace: 'shop',
    name: 'web',
    nodes: ['node01', 'node02', 'node03'],
    containers: [{ name: 'nginx', image: 'nginx:1.27.4', cpu: '100m', memory: '128Mi' }],
  });
  s.pdb('shop', 'web', { app: 'web' }, { minAvailable: 2 });

  // The node went silent 15 minutes ago; the taint manager evicted its pods after 5.
  setNodeCondition(store, 'node03', 'Ready', 'Unknown');
  lastHeardFrom(store, 'node03', 15 * 60);
  for (const pod of [postgres0, sleepOld, webPods[2]]) s.terminating(pod, 600);
}

/**
 * What a node silent for `agoSeconds` shows: its kubelet's last status post (every condition's
 * lastHeartbeatTime, pkg/kubelet/kubelet_node_status.go) and last Lease renewal in kube-node-lease
 * (pkg/kubelet/nodelease) both that old, and the node lifecycle controller's Unknown since
 * --node-monitor-grace-period (50 s) later (pkg/controller/nodelifecycle).
 */
function lastHeardFrom(store: Store, node: string, agoSeconds: number): void {
  const heard = Date.now() - agoSeconds * 1000;
  store.mutate('nodes', undefined, node, (n) => {
    for (const c of n.status.conditions) {
      c.lastHeartbeatTime = rfc3339(heard);
      if (c.status === 'Unknown') c.lastTransitionTime = rfc3339(heard + 50_000);
    }
  });
  const owner = store.mustGet('nodes', undefined, node);
  store.create('coordination.k8s.io/leases', {
    metadata: { name: node, namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: owner.metadata.uid! }] },
    // metav1.MicroTime: microseconds.
    spec: { holderIdentity: node, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: new Date(heard).toISOString().replace(/Z$/, '000Z') },
  });
}
