import type { Store } from '../store.js';
import { clusterAddons } from './common.js';
import { Seeder } from './seeder.js';

/**
 * A single-node cluster (modelled on one whose container runtime data was moved to another disk
 * without draining first, wiping its local volumes): `master01` is the control plane with its
 * NoSchedule taint removed, so it also runs the workloads. MySQL (a StatefulSet) and MinIO keep
 * their data on `local` PersistentVolumes pinned to master01; ingress-nginx binds hostPort 80/443.
 * Nothing can move anywhere else, and the control plane's static pods are not drain's to evict.
 */
export function seedLocalStorage(store: Store): void {
  const s = new Seeder(store);
  s.baseNamespaces();
  for (const ns of ['data', 'ingress-nginx']) s.namespace(ns);
  s.node({ name: 'master01', ip: '192.168.10.21', cpu: '8', memory: '32Gi', controlPlane: true, controlPlaneTaint: false });

  s.controlPlane('master01');
  clusterAddons(s, ['master01', 'master01']);

  s.localVolume('local-pv-mysql', 'master01', '/data/local-pv/mysql', '50Gi', { namespace: 'data', name: 'data-mysql-0', labels: { app: 'mysql' } });
  s.statefulSet({
    namespace: 'data',
    name: 'mysql',
    nodes: ['master01'],
    containers: [{ name: 'mysql', image: 'mysql:8.0.39', cpu: '500m', memory: '2Gi', ports: [{ containerPort: 3306, name: 'mysql' }], volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }],
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-storage', resources: { requests: { storage: '50Gi' } } } }],
  });

  s.localVolume('local-pv-minio', 'master01', '/data/local-pv/minio', '200Gi', { namespace: 'data', name: 'minio-data', labels: { app: 'minio' } });
  s.deployment({
    namespace: 'data',
    name: 'minio',
    nodes: ['master01'],
    strategy: { type: 'Recreate' },
    containers: [{ name: 'minio', image: 'quay.io/minio/minio:RELEASE.2024-10-13T13-34-11Z', cpu: '250m', memory: '1Gi', ports: [{ containerPort: 9000, name: 'api' }], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'minio-data' } }],
  });
  // A spare local volume, as provisioned by hand for the next workload.
  s.localVolume('local-pv-spare', 'master01', '/data/local-pv/spare', '50Gi');

  s.deployment({
    namespace: 'ingress-nginx',
    name: 'ingress-nginx-controller',
    nodes: ['master01'],
    labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
    containers: [{
      name: 'controller',
      image: 'registry.k8s.io/ingress-nginx/controller:v1.12.1',
      cpu: '100m',
      memory: '90Mi',
      ports: [{ containerPort: 80, hostPort: 80, name: 'http' }, { containerPort: 443, hostPort: 443, name: 'https' }],
    }],
  });
}
