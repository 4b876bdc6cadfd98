import type { Store } from '../store.js';
import type { PolicyRule } from './policy-rule.js';
import { Identity } from './user-info.js';

// What kube-apiserver creates at start-up (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/
// policy.go and controller_policy.go): the roles every cluster has, bound as every cluster binds
// them. `view` and `edit` are given as their aggregated rules over the resources the sandbox serves.

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

const VIEWABLE: PolicyRule[] = [
  { apiGroups: [''], resources: ['pods', 'pods/log', 'pods/status', 'events', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'serviceaccounts', 'namespaces', 'namespaces/status'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status', 'daemonsets', 'daemonsets/status'], verbs: READ },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'], verbs: READ },
];

const EDITABLE: PolicyRule[] = [
  { apiGroups: [''], resources: ['pods', 'persistentvolumeclaims', 'serviceaccounts'], verbs: WRITE },
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale', 'daemonsets'], verbs: WRITE },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: WRITE },
];

export const BOOTSTRAP_CLUSTER_ROLES: Record<string, PolicyRule[]> = {
  'cluster-admin': [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }],
  'system:discovery': [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }],
  'system:public-info-viewer': [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }],
  'system:basic-user': [
    { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  ],
  view: VIEWABLE,
  edit: [...VIEWABLE, ...EDITABLE],
};

const BOOTSTRAP_BINDINGS: { name: string; role: string; groups: string[] }[] = [
  { name: 'cluster-admin', role: 'cluster-admin', groups: [Identity.Masters] },
  { name: 'system:discovery', role: 'system:discovery', groups: [Identity.AllAuthenticated] },
  { name: 'system:basic-user', role: 'system:basic-user', groups: [Identity.AllAuthenticated] },
  { name: 'system:public-info-viewer', role: 'system:public-info-viewer', groups: [Identity.AllAuthenticated, Identity.AllUnauthenticated] },
];

const LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const ANNOTATIONS = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

/** Creates the bootstrap ClusterRoles and ClusterRoleBindings that are missing. */
export function seedBootstrapPolicy(store: Store): void {
  for (const [name, rules] of Object.entries(BOOTSTRAP_CLUSTER_ROLES)) {
    if (store.get('rbac.authorization.k8s.io/clusterroles', undefined, name)) continue;
    store.create('rbac.authorization.k8s.io/clusterroles', { metadata: { name, labels: LABELS, annotations: ANNOTATIONS }, rules });
  }
  for (const b of BOOTSTRAP_BINDINGS) {
    if (store.get('rbac.authorization.k8s.io/clusterrolebindings', undefined, b.name)) continue;
    store.create('rbac.authorization.k8s.io/clusterrolebindings', {
      metadata: { name: b.name, labels: LABELS, annotations: ANNOTATIONS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: b.role },
      subjects: b.groups.map((g) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g })),
    });
  }
}
