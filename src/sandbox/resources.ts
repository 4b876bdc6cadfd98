/**
 * The resource types the sandbox serves, as discovery describes them. One table drives discovery,
 * URL routing and the store's keys, so they cannot disagree.
 */
export interface Subresource {
  name: string;
  kind: string;
  /** Set when the subresource's kind lives in another group (pods/eviction is policy/v1 Eviction). */
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural, lowercase: `pods`, `deployments`. */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: Subresource[];
  /** Whether metadata.generation is kept and bumped on spec changes. */
  hasGeneration: boolean;
  /** A review (SelfSubjectAccessReview & co.): created, answered, never stored. */
  review?: boolean;
  /** Names are path segments (ValidateRBACName), not DNS subdomains: `system:discovery` is fine. */
  pathSegmentNames?: boolean;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function rt(t: Omit<ResourceType, 'listKind' | 'verbs' | 'categories' | 'subresources' | 'shortNames' | 'hasGeneration'> & Partial<ResourceType>): ResourceType {
  return {
    listKind: `${t.kind}List`,
    verbs: ALL_VERBS,
    categories: [],
    subresources: [],
    shortNames: [],
    hasGeneration: false,
    ...t,
  };
}

/** An apps/v1 workload with `scale` and `status` subresources (Deployment, ReplicaSet, StatefulSet). */
function scalable(resource: string, singular: string, kind: string, shortName: string): ResourceType {
  return rt({
    group: 'apps', version: 'v1', resource, singular, kind, namespaced: true, shortNames: [shortName], categories: ['all'], hasGeneration: true,
    subresources: [
      { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
      { name: 'status', kind, verbs: ['get', 'patch', 'update'] },
    ],
  });
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  rt({ group: '', version: 'v1', resource: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
  rt({ group: '', version: 'v1', resource: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], subresources: [{ name: 'status', kind: 'Node', verbs: ['get', 'patch', 'update'] }] }),
  rt({
    group: '', version: 'v1', resource: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'], hasGeneration: true,
    subresources: [
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    ],
  }),
  rt({ group: '', version: 'v1', resource: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'] }),
  rt({ group: '', version: 'v1', resource: 'persistentvolumes', singular: 'persistentvolume', kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'] }),
  rt({ group: '', version: 'v1', resource: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', kind: 'PersistentVolumeClaim', namespaced: true, shortNames: ['pvc'] }),
  scalable('deployments', 'deployment', 'Deployment', 'deploy'),
  scalable('replicasets', 'replicaset', 'ReplicaSet', 'rs'),
  scalable('statefulsets', 'statefulset', 'StatefulSet', 'sts'),
  rt({
    group: 'apps', version: 'v1', resource: 'daemonsets', singular: 'daemonset', kind: 'DaemonSet', namespaced: true, shortNames: ['ds'], categories: ['all'], hasGeneration: true,
    subresources: [{ name: 'status', kind: 'DaemonSet', verbs: ['get', 'patch', 'update'] }],
  }),
  rt({
    group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', singular: 'poddisruptionbudget', kind: 'PodDisruptionBudget', namespaced: true, shortNames: ['pdb'], hasGeneration: true,
    subresources: [{ name: 'status', kind: 'PodDisruptionBudget', verbs: ['get', 'patch', 'update'] }],
  }),
  rt({ group: 'storage.k8s.io', version: 'v1', resource: 'volumeattachments', singular: 'volumeattachment', kind: 'VolumeAttachment', namespaced: false }),
  rt({ group: '', version: 'v1', resource: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'] }),
  rt({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', singular: 'lease', kind: 'Lease', namespaced: true }),
  rt({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', pathSegmentNames: true, singular: 'clusterrole', kind: 'ClusterRole', namespaced: false }),
  rt({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', pathSegmentNames: true, singular: 'clusterrolebinding', kind: 'ClusterRoleBinding', namespaced: false }),
  rt({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', pathSegmentNames: true, singular: 'role', kind: 'Role', namespaced: true }),
  rt({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', pathSegmentNames: true, singular: 'rolebinding', kind: 'RoleBinding', namespaced: true }),
  // Reviews are created and answered, never stored.
  rt({ group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview', kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'], review: true }),
  rt({ group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectrulesreviews', singular: 'selfsubjectrulesreview', kind: 'SelfSubjectRulesReview', namespaced: false, verbs: ['create'], review: true }),
  rt({ group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', singular: 'subjectaccessreview', kind: 'SubjectAccessReview', namespaced: false, verbs: ['create'], review: true }),
  rt({ group: 'authentication.k8s.io', version: 'v1', resource: 'selfsubjectreviews', singular: 'selfsubjectreview', kind: 'SelfSubjectReview', namespaced: false, verbs: ['create'], review: true }),
];

/** The key a resource type is stored under: `pods`, `apps/deployments`. */
export function resourceKey(t: Pick<ResourceType, 'group' | 'resource'>): string {
  return t.group ? `${t.group}/${t.resource}` : t.resource;
}

const BY_KEY = new Map(RESOURCE_TYPES.map((t) => [resourceKey(t), t]));

export function resourceType(key: string): ResourceType | undefined {
  return BY_KEY.get(key);
}

/** `apps/v1` or `v1`. */
export function apiVersionOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** The groups the sandbox serves with their versions, in the order discovery lists them. */
export function apiGroups(): { group: string; version: string }[] {
  const seen = new Map<string, string>();
  for (const t of RESOURCE_TYPES) if (t.group && !seen.has(t.group)) seen.set(t.group, t.version);
  return [...seen].map(([group, version]) => ({ group, version }));
}
