import type { Store } from '../store.js';
import { clusterAddons, TOLERATE_ALL } from './common.js';
import { Seeder } from './seeder.js';

/**
 * Routine node maintenance (modelled on a node whose kernel leaked cgroups and had to be
 * cordoned, drained and rebooted): a kubeadm control plane `cp01` and three workers. `node02`,
 * the one to drain, hosts a bit of everything drain has to think about: DaemonSet pods, the only
 * replica of `checkout`, one of three PDB-protected `web` pods, `cache` with an emptyDir, and the
 * bare pod `debug-shell`. node01 and node03 have room for all of it.
 */
export function seedMaintenance(store: Store): void {
  const s = new Seeder(store);
  s.baseNamespaces();
  s.namespace('shop');
  s.namespace('monitoring');
  s.node({ name: 'cp01', ip: '10.0.0.10', cpu: '4', memory: '8Gi', controlPlane: true });
  for (const [i, name] of ['node01', 'node02', 'node03'].entries()) s.node({ name, ip: `10.0.0.${11 + i}`, cpu: '4', memory: '16Gi' });

  s.controlPlane('cp01');
  clusterAddons(s, ['node01', 'node03']);
  s.daemonSet({
    namespace: 'monitoring',
    name: 'node-exporter',
    containers: [{ name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.9.1', cpu: '50m', memory: '64Mi', ports: [{ containerPort: 9100, hostPort: 9100, name: 'metrics' }] }],
    tolerations: TOLERATE_ALL,
    hostNetwork: true,
  });

  s.deployment({
    namespace: 'shop',
    name: 'web',
    nodes: ['node01', 'node02', 'node03'],
    containers: [{ name: 'nginx', image: 'nginx:1.27.4', cpu: '100m', memory: '128Mi', ports: [{ containerPort: 80, name: 'http' }] }],
  });
  s.pdb('shop', 'web', { app: 'web' }, { minAvailable: 2 });
  s.deployment({
    namespace: 'shop',
    name: 'checkout',
    nodes: ['node02'],
    containers: [{ name: 'checkout', image: 'ghcr.io/example-shop/checkout:2.14.1', cpu: '250m', memory: '512Mi', ports: [{ containerPort: 8080, name: 'http' }] }],
  });
  s.deployment({
    namespace: 'shop',
    name: 'cache',
    nodes: ['node02'],
    containers: [{ name: 'redis', image: 'redis:7.2.5', cpu: '100m', memory: '256Mi', ports: [{ containerPort: 6379, name: 'redis' }], volumeMounts: [{ name: 'cache-data', mountPath: '/data' }] }],
    volumes: [{ name: 'cache-data', emptyDir: {} }],
  });
  s.deployment({
    namespace: 'shop',
    name: 'cart',
    nodes: ['node01', 'node03'],
    containers: [{ name: 'cart', image: 'ghcr.io/example-shop/cart:1.8.0', cpu: '100m', memory: '256Mi' }],
  });
  s.pdb('shop', 'cart', { app: 'cart' }, { maxUnavailable: 1 });
  s.deployment({
    namespace: 'shop',
    name: 'catalog',
    nodes: ['node01', 'node03'],
    containers: [{ name: 'catalog', image: 'ghcr.io/example-shop/catalog:3.2.0', cpu: '200m', memory: '384Mi' }],
  });
  const { pv } = s.rbdClaim('shop', 'data-postgres-0', '20Gi', { app: 'postgres' });
  s.statefulSet({
    namespace: 'shop',
    name: 'postgres',
    nodes: ['node03'],
    containers: [{ name: 'postgres', image: 'postgres:16.4', cpu: '500m', memory: '1Gi', ports: [{ containerPort: 5432, name: 'postgres' }], volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }] }],
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'ceph-rbd', resources: { requests: { storage: '20Gi' } } } }],
  });
  s.attachment(pv, 'node03');
  s.barePod({
    namespace: 'shop',
    name: 'debug-shell',
    node: 'node02',
    containers: [{ name: 'shell', image: 'busybox:1.36' }],
    terminationGracePeriodSeconds: 5,
  });
}
