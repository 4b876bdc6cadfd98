import type { KObject } from '../store.js';
import { age } from './human-duration.js';
import { selectorString } from './selectors.js';

/** meta.k8s.io TableColumnDefinition. */
interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean;

interface Printer {
  columns: Column[];
  cells(obj: KObject, now: number): Cell[];
}

export const IncludeObject = { None: 'None', Metadata: 'Metadata', Object: 'Object' } as const;
export type IncludeObject = (typeof IncludeObject)[keyof typeof IncludeObject];

function col(name: string, description: string, priority = 0, type: Column['type'] = 'string', format = ''): Column {
  return { name, type, format, description, priority };
}

const NAME = col('Name', 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.', 0, 'string', 'name');
const AGE = col('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created. Clients may not set this value. It is represented in RFC3339 form and is in UTC.');

const none = (v: unknown): string => (v === undefined || v === null || v === '' ? '<none>' : String(v));

// ---------------------------------------------------------------------------------------------
// Pods (printPod in kubernetes/pkg/printers/internalversion)

interface ContainerStatus {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; running?: unknown; terminated?: { reason?: string; exitCode?: number; signal?: number } };
  lastState?: { terminated?: { finishedAt?: string } };
}

function podCells(pod: KObject, now: number): Cell[] {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const total = Array.isArray(spec.containers) ? spec.containers.length : 0;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let reason: string = status.reason || status.phase || 'Pending';

  const initStatuses: ContainerStatus[] = status.initContainerStatuses ?? [];
  let initializing = false;
  const initTotal = Array.isArray(spec.initContainers) ? spec.initContainers.length : 0;
  initStatuses.forEach((c, i) => {
    restarts += c.restartCount ?? 0;
    const term = c.state?.terminated;
    if (term && term.exitCode === 0) return;
    if (term) {
      reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode ?? 0}`;
      initializing = true;
    } else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${c.state.waiting.reason}`;
      initializing = true;
    } else if (!c.state?.running || !c.ready) {
      reason = `Init:${i}/${initTotal}`;
      initializing = true;
    }
  });

  if (!initializing) {
    restarts = 0;
    let hasRunning = false;
    const statuses: ContainerStatus[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      const finished = c.lastState?.terminated?.finishedAt ? Date.parse(c.lastState.terminated.finishedAt) : 0;
      if (finished > lastRestart) lastRestart = finished;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode ?? 0}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const readyCond = (status.conditions ?? []).find((c: { type?: string }) => c.type === 'Ready');
      reason = readyCond?.status === 'True' ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp) reason = 'Terminating';

  const restartText = restarts > 0 && lastRestart > 0 ? `${restarts} (${age(new Date(lastRestart).toISOString(), now)} ago)` : String(restarts);
  const gates: { conditionType: string }[] = spec.readinessGates ?? [];
  let gatesText = '<none>';
  if (gates.length) {
    const conds: { type?: string; status?: string }[] = status.conditions ?? [];
    const passed = gates.filter((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True')).length;
    gatesText = `${passed}/${gates.length}`;
  }
  return [
    pod.metadata.name,
    `${ready}/${total}`,
    reason,
    restartText,
    age(pod.metadata.creationTimestamp, now),
    none(status.podIP),
    none(spec.nodeName),
    none(status.nominatedNodeName),
    gatesText,
  ];
}

const POD_PRINTER: Printer = {
  columns: [
    NAME,
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE,
    col('IP', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
    col('Node', 'NodeName is a request to schedule this pod onto a specific node.', 1),
    col('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', 1),
    col('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
  ],
  cells: podCells,
};

// ---------------------------------------------------------------------------------------------
// Nodes

function nodeCells(node: KObject, now: number): Cell[] {
  const status = node.status ?? {};
  const conds: { type?: string; status?: string }[] = status.conditions ?? [];
  const ready = conds.find((c) => c.type === 'Ready');
  const states: string[] = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) states.push('SchedulingDisabled');
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  const addresses: { type?: string; address?: string }[] = status.addresses ?? [];
  const addr = (type: string) => none(addresses.find((a) => a.type === type)?.address);
  const info = status.nodeInfo ?? {};
  return [
    node.metadata.name,
    states.join(','),
    roles.size ? [...roles].sort().join(',') : '<none>',
    age(node.metadata.creationTimestamp, now),
    info.kubeletVersion ?? '',
    addr('InternalIP'),
    addr('ExternalIP'),
    info.osImage ?? '<unknown>',
    info.kernelVersion ?? '<unknown>',
    info.containerRuntimeVersion ?? '<unknown>',
  ];
}

const NODE_PRINTER: Printer = {
  columns: [
    NAME,
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    AGE,
    col('Version', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
    col('External-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
    col('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', 'Kernel Version reported by the node from \'uname -r\' (e.g. 3.16.0-0.bpo.4-amd64).', 1),
    col('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  cells: nodeCells,
};

// ---------------------------------------------------------------------------------------------
// Workloads and the rest

function containersAndImages(template: { spec?: { containers?: { name?: string; image?: string }[] } } | undefined): [string, string] {
  const cs = template?.spec?.containers ?? [];
  return [cs.map((c) => c.name ?? '').join(','), cs.map((c) => c.image ?? '').join(',')];
}

const CONTAINERS = col('Containers', 'Names of each container in the template.', 1);
const IMAGES = col('Images', 'Images referenced by each container in the template.', 1);
const SELECTOR = col('Selector', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1);

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

const PRINTERS: Record<string, Printer> = {
  pods: POD_PRINTER,
  nodes: NODE_PRINTER,
  namespaces: {
    columns: [NAME, col('Status', 'The status of the namespace'), AGE],
    cells: (o, now) => [o.metadata.name, o.status?.phase ?? 'Active', age(o.metadata.creationTimestamp, now)],
  },
  'apps/deployments': {
    columns: [
      NAME,
      col('Ready', 'Number of the pod with ready state'),
      col('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', 0, 'integer'),
      col('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', 0, 'integer'),
      AGE, CONTAINERS, IMAGES, SELECTOR,
    ],
    cells: (o, now) => [
      o.metadata.name,
      `${num(o.status?.readyReplicas)}/${o.spec?.replicas ?? 1}`,
      num(o.status?.updatedReplicas),
      num(o.status?.availableReplicas),
      age(o.metadata.creationTimestamp, now),
      ...containersAndImages(o.spec?.template),
      selectorString(o.spec?.selector) || '<none>',
    ],
  },
  'apps/replicasets': {
    columns: [
      NAME,
      col('Desired', 'Replicas is the number of desired replicas.', 0, 'integer'),
      col('Current', 'Replicas is the most recently observed number of replicas.', 0, 'integer'),
      col('Ready', 'The number of ready replicas for this replica set.', 0, 'integer'),
      AGE, CONTAINERS, IMAGES, SELECTOR,
    ],
    cells: (o, now) => [
      o.metadata.name, o.spec?.replicas ?? 1, num(o.status?.replicas), num(o.status?.readyReplicas),
      age(o.metadata.creationTimestamp, now), ...containersAndImages(o.spec?.template), selectorString(o.spec?.selector) || '<none>',
    ],
  },
  'apps/statefulsets': {
    columns: [NAME, col('Ready', 'Number of the pod with ready state'), AGE, CONTAINERS, IMAGES],
    cells: (o, now) => [o.metadata.name, `${num(o.status?.readyReplicas)}/${o.spec?.replicas ?? 1}`, age(o.metadata.creationTimestamp, now), ...containersAndImages(o.spec?.template)],
  },
  'apps/daemonsets': {
    columns: [
      NAME,
      col('Desired', 'The total number of nodes that should be running the daemon pod.', 0, 'integer'),
      col('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', 0, 'integer'),
      col('Ready', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.', 0, 'integer'),
      col('Up-to-date', 'The total number of nodes that are running updated daemon pod', 0, 'integer'),
      col('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', 0, 'integer'),
      col('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node\'s labels for the pod to be scheduled on that node.'),
      AGE, CONTAINERS, IMAGES, SELECTOR,
    ],
    cells: (o, now) => {
      const ns = Object.entries(o.spec?.template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(',');
      return [
        o.metadata.name, num(o.status?.desiredNumberScheduled), num(o.status?.currentNumberScheduled), num(o.status?.numberReady),
        num(o.status?.updatedNumberScheduled), num(o.status?.numberAvailable), ns || '<none>', age(o.metadata.creationTimestamp, now),
        ...containersAndImages(o.spec?.template), selectorString(o.spec?.selector) || '<none>',
      ];
    },
  },
  'policy/poddisruptionbudgets': {
    columns: [
      NAME,
      col('Min Available', 'The minimum number of pods that must be available simultaneously. This can be either an integer or a string specifying a percentage, e.g. "28%".'),
      col('Max Unavailable', 'The maximum number of pods that may be unavailable simultaneously. This can be either an integer or a string specifying a percentage, e.g. "28%".'),
      col('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', 0, 'integer'),
      AGE,
    ],
    cells: (o, now) => [o.metadata.name, o.spec?.minAvailable ?? 'N/A', o.spec?.maxUnavailable ?? 'N/A', num(o.status?.disruptionsAllowed), age(o.metadata.creationTimestamp, now)],
  },
  persistentvolumes: {
    columns: [
      NAME, col('Capacity', 'capacity is the description of the persistent volume\'s resources and capacity.'),
      col('Access Modes', 'accessModes contains all ways the volume can be mounted.'), col('Reclaim Policy', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
      col('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'), col('Claim', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
      col('StorageClass', 'storageClassName is the name of StorageClass to which this persistent volume belongs.'), col('VolumeAttributesClass', 'Name of VolumeAttributesClass to which this persistent volume belongs.'),
      col('Reason', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'), AGE,
      col('VolumeMode', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', 1),
    ],
    cells: (o, now) => [
      o.metadata.name, o.spec?.capacity?.storage ?? '', accessModes(o.spec?.accessModes), o.spec?.persistentVolumeReclaimPolicy ?? 'Retain',
      phaseOrTerminating(o), o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : '', o.spec?.storageClassName ?? '',
      '<unset>', o.status?.reason ?? '', age(o.metadata.creationTimestamp, now), o.spec?.volumeMode ?? 'Filesystem',
    ],
  },
  persistentvolumeclaims: {
    columns: [
      NAME, col('Status', 'phase represents the current phase of PersistentVolumeClaim.'), col('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
      col('Capacity', 'capacity represents the actual resources of the underlying volume.'), col('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has.'),
      col('StorageClass', 'storageClassName is the name of the StorageClass required by the claim.'), col('VolumeAttributesClass', 'volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.'), AGE,
      col('VolumeMode', 'volumeMode defines what type of volume is required by the claim.', 1),
    ],
    cells: (o, now) => [
      o.metadata.name, phaseOrTerminating(o), o.spec?.volumeName ?? '', o.status?.capacity?.storage ?? '', accessModes(o.status?.accessModes),
      o.spec?.storageClassName ?? '', '<unset>', age(o.metadata.creationTimestamp, now), o.spec?.volumeMode ?? 'Filesystem',
    ],
  },
  events: {
    columns: [
      col('Last Seen', 'Time when this Event was last seen'), col('Type', 'Type of this event (Normal, Warning), new types could be added in the future.'),
      col('Reason', 'Reason why the action was taken. It is human-readable.'), col('Object', 'The object this Event is about.'),
      col('Subobject', 'The subobject this Event is about.', 1), col('Source', 'The component reporting this event.', 1),
      col('Message', 'A human-readable description of the status of this operation.'), col('First Seen', 'Time when this Event was first seen', 1),
      col('Count', 'The number of times this event has occurred.', 1, 'integer'), col('Name', 'Name must be unique within a namespace.', 1, 'string', 'name'),
    ],
    cells: (o, now) => {
      const inv = (o.involvedObject ?? {}) as { kind?: string; name?: string; fieldPath?: string };
      const src = (o.source ?? {}) as { component?: string; host?: string };
      // printEvent: a series (events.k8s.io recorder) carries the last time and the count.
      const series = o.series as { count?: number; lastObservedTime?: string } | null | undefined;
      const last = series?.lastObservedTime ?? (o.lastTimestamp as string | undefined) ?? (o.eventTime as string | undefined) ?? o.metadata.creationTimestamp;
      const first = (o.firstTimestamp as string | undefined) ?? (o.eventTime as string | undefined) ?? o.metadata.creationTimestamp;
      return [
        age(last, now), String(o.type ?? ''), String(o.reason ?? ''), `${String(inv.kind ?? '').toLowerCase()}/${inv.name ?? ''}`,
        inv.fieldPath ?? '', [src.component, src.host].filter(Boolean).join(', '), String(o.message ?? ''), age(first, now),
        series?.count ?? (typeof o.count === 'number' && o.count > 0 ? o.count : 1), o.metadata.name,
      ];
    },
  },
  'coordination.k8s.io/leases': {
    columns: [NAME, col('Holder', 'holderIdentity contains the identity of the holder of a current lease.'), AGE],
    cells: (o, now) => [o.metadata.name, o.spec?.holderIdentity ?? '', age(o.metadata.creationTimestamp, now)],
  },
  'storage.k8s.io/volumeattachments': {
    columns: [
      NAME, col('Attacher', 'Attacher indicates the name of the volume driver that MUST handle this request.'),
      col('PV', 'Name of the persistent volume to attach.'), col('Node', 'The node that the volume should be attached to.'),
      col('Attached', 'Indicates the volume is successfully attached.', 0, 'boolean'), AGE,
    ],
    cells: (o, now) => [o.metadata.name, o.spec?.attacher ?? '', o.spec?.source?.persistentVolumeName ?? '', o.spec?.nodeName ?? '', Boolean(o.status?.attached), age(o.metadata.creationTimestamp, now)],
  },
};

/** printPersistentVolume(Claim): a volume or claim being deleted shows Terminating. */
function phaseOrTerminating(o: KObject): string {
  return o.metadata.deletionTimestamp ? 'Terminating' : o.status?.phase ?? 'Pending';
}

function accessModes(modes: string[] | undefined): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return (modes ?? []).map((m) => short[m] ?? m).join(',');
}

const GENERIC: Printer = { columns: [NAME, AGE], cells: (o, now) => [o.metadata.name, age(o.metadata.creationTimestamp, now)] };

export interface TableOptions {
  includeObject: IncludeObject;
  now: number;
  /** meta.k8s.io version the client asked for (`v1` or `v1beta1`). */
  version: string;
  listMeta?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  /** Column definitions are sent once per watch stream, as the real server does after the first event. */
  omitColumns?: boolean;
}

/** Renders objects as a meta.k8s.io Table, with the columns `kubectl get` prints for the resource. */
export function toTable(key: string, items: readonly KObject[], options: TableOptions): Record<string, unknown> {
  const printer = PRINTERS[key] ?? GENERIC;
  const rows = items.map((o) => {
    const row: Record<string, unknown> = { cells: printer.cells(o, options.now) };
    if (options.includeObject === IncludeObject.Object) row.object = o;
    else if (options.includeObject === IncludeObject.Metadata) {
      row.object = { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${options.version}`, metadata: o.metadata };
    }
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata: options.listMeta ?? {},
    columnDefinitions: options.omitColumns ? null : printer.columns,
    rows,
  };
}
