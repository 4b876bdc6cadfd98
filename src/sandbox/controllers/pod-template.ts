import type { KObject, OwnerReference } from '../store.js';
import { DEFAULT_TOLERATIONS } from '../registry/admission.js';
import type { Toleration } from './selectors.js';


// apimachinery's rand.SafeEncodeString alphabet: no vowels, so hashes never spell words.
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** Keys sorted, so equal templates hash equally however their JSON was written. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** fnv32a of the template, encoded as the controllers encode pod-template-hash ("5d4b8c7f9"). */
export function templateHash(template: unknown): string {
  let h = 0x811c9dc5;
  const s = canonicalJson(template);
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return [...String(h)].map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join('');
}

/** Template without the label the controller adds, for "is this RS's template the deployment's?". */
export function templateWithoutHash(template: KObject | undefined): unknown {
  const t = structuredClone(template ?? { metadata: { name: '' } }) as { metadata?: { labels?: Record<string, string> } };
  if (t.metadata?.labels) {
    delete t.metadata.labels['pod-template-hash'];
    if (!Object.keys(t.metadata.labels).length) delete t.metadata.labels;
  }
  return t;
}


/** The tolerations the DaemonSet controller adds so its pods run on every node. */
export const DAEMONSET_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** Adds tolerations not already present (same key and effect). */
export function withTolerations(existing: Toleration[] | undefined, extra: Toleration[]): Toleration[] {
  const out = [...(existing ?? [])];
  for (const t of extra) if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push(t);
  return out;
}

/** The API server's defaults for a pod spec, so controller-made pods read like real ones. */
export function defaultPodSpec(spec: Record<string, unknown> & { containers?: Record<string, unknown>[] }): KObject['spec'] {
  const s = structuredClone(spec) as Record<string, unknown> & { containers: Record<string, unknown>[]; tolerations?: Toleration[] };
  s.containers = (s.containers ?? []).map((c) => {
    const image = String(c.image ?? '');
    const tag = image.includes('@') ? 'digest' : /:[^/:]+$/.exec(image)?.[0].slice(1);
    return {
      imagePullPolicy: !tag || tag === 'latest' ? 'Always' : 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
      ...c,
    };
  });
  s.restartPolicy ??= 'Always';
  s.terminationGracePeriodSeconds ??= 30;
  s.dnsPolicy ??= 'ClusterFirst';
  s.securityContext ??= {};
  s.schedulerName ??= 'default-scheduler';
  s.serviceAccountName ??= s.serviceAccount ?? 'default';
  s.serviceAccount ??= s.serviceAccountName;
  s.enableServiceLinks ??= true;
  s.preemptionPolicy ??= 'PreemptLowerPriority';
  s.priority ??= 0;
  s.tolerations = withTolerations(s.tolerations, DEFAULT_TOLERATIONS.map((t) => ({ ...t })));
  return s;
}

export interface PodFromTemplate {
  template: KObject | undefined;
  /** The controller; absent for a bare pod. */
  owner?: OwnerReference;
  namespace: string;
  name?: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Applied to the pod spec after defaulting (DaemonSet affinity and tolerations, STS hostname). */
  patchSpec?: (spec: KObject['spec']) => void;
}

/** A pod as a workload controller creates it from its template. */
export function podFromTemplate(o: PodFromTemplate): KObject {
  const t = o.template ?? { metadata: { name: '' } };
  const spec = defaultPodSpec(t.spec ?? { containers: [] });
  o.patchSpec?.(spec);
  const annotations = { ...(t.metadata?.annotations ?? {}), ...(o.annotations ?? {}) };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.name ?? '',
      ...(o.generateName ? { generateName: o.generateName } : {}),
      namespace: o.namespace,
      labels: { ...(t.metadata?.labels ?? {}), ...(o.labels ?? {}) },
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(o.owner ? { ownerReferences: [o.owner] } : {}),
    },
    spec,
    status: { phase: 'Pending' },
  };
}
