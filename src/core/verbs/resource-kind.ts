/** The object kinds chat verbs name, in kubectl's lowercase singular. */
export const ResourceKind = {
  Node: 'node',
  Pod: 'pod',
  Deployment: 'deployment',
  StatefulSet: 'statefulset',
  DaemonSet: 'daemonset',
  PodDisruptionBudget: 'poddisruptionbudget',
  Event: 'event',
} as const;
export type ResourceKind = (typeof ResourceKind)[keyof typeof ResourceKind];
