import type { Seeder } from './seeder.js';

/** Tolerates every taint: what kube-proxy and CNI DaemonSets ship with. */
export const TOLERATE_ALL = [{ operator: 'Exists' }];

/**
 * What a kubeadm cluster runs besides the control plane: kube-proxy and the CNI (Calico) on every
 * node, and CoreDNS (two replicas on the given nodes).
 */
export function clusterAddons(s: Seeder, corednsNodes: string[]): void {
  s.daemonSet({
    namespace: 'kube-system',
    name: 'kube-proxy',
    containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.33.1' }],
    tolerations: TOLERATE_ALL,
    hostNetwork: true,
    priorityClassName: 'system-node-critical',
  });
  s.daemonSet({
    namespace: 'kube-system',
    name: 'calico-node',
    containers: [{ name: 'calico-node', image: 'docker.io/calico/node:v3.29.3', cpu: '250m' }],
    tolerations: TOLERATE_ALL,
    hostNetwork: true,
    priorityClassName: 'system-node-critical',
  });
  if (corednsNodes.length) {
    s.deployment({
      namespace: 'kube-system',
      name: 'coredns',
      nodes: corednsNodes,
      labels: { 'k8s-app': 'kube-dns' },
      containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.12.0', cpu: '100m', memory: '70Mi', ports: [{ containerPort: 53, name: 'dns', protocol: 'UDP' }] }],
      tolerations: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
      priorityClassName: 'system-cluster-critical',
    });
  }
}
