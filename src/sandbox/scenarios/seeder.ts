import { randomUUID } from 'node:crypto';
import { daemonPlacement } from '../controllers/daemonset.js';
import { runningStatus } from '../controllers/kubelet-status.js';
import { DAEMONSET_TOLERATIONS, podFromTemplate, templateHash, templateWithoutHash, withTolerations } from '../controllers/pod-template.js';
import { MIRROR_ANNOTATION, ownerRefTo, rfc3339 } from '../controllers/pod-util.js';
import { statefulSetRevision } from '../controllers/statefulset.js';
import { attachmentName } from '../controllers/volume-attachments.js';
import type { KObject, Store } from '../store.js';

export interface NodeSpec {
  name: string;
  /** InternalIP. */
  ip: string;
  /** Cores, e.g. "4". @defaultValue "4" */
  cpu?: string;
  /** @defaultValue "8Gi" */
  memory?: string;
  /** @defaultValue 110 */
  pods?: number;
  controlPlane?: boolean;
  /** Control planes carry node-role.kubernetes.io/control-plane:NoSchedule unless this is false. */
  controlPlaneTaint?: boolean;
  labels?: Record<string, string>;
}

export interface ContainerSpec {
  name: string;
  image: string;
  cpu?: string;
  memory?: string;
  ports?: { containerPort: number; hostPort?: number; name?: string; protocol?: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
  limits?: boolean;
}

export interface WorkloadSpec {
  namespace: string;
  name: string;
  containers: ContainerSpec[];
  /** Extra pod labels beyond `app: <name>`. */
  labels?: Record<string, string>;
  volumes?: Record<string, unknown>[];
  tolerations?: Record<string, unknown>[];
  nodeSelector?: Record<string, string>;
  priorityClassName?: string;
  hostNetwork?: boolean;
  terminationGracePeriodSeconds?: number;
}

/** Real-looking, deterministic ingredients for a container. */
export function container(c: ContainerSpec): Record<string, unknown> {
  const requests: Record<string, string> = {};
  if (c.cpu) requests.cpu = c.cpu;
  if (c.memory) requests.memory = c.memory;
  const resources = Object.keys(requests).length ? { requests, ...(c.limits ? { limits: { ...requests } } : {}) } : {};
  return {
    name: c.name,
    image: c.image,
    resources,
    ...(c.ports ? { ports: c.ports.map((p) => ({ protocol: 'TCP', ...p })) } : {}),
    ...(c.volumeMounts ? { volumeMounts: c.volumeMounts } : {}),
  };
}

/**
 * Builds scenario objects in a store as a cluster that has been running for a while would hold
 * them: nodes with status, workloads with their ReplicaSets and pods already placed and Running
 * (owned exactly as the controllers would own them, so the controllers take over seamlessly).
 * Placement is explicit, which keeps every scenario deterministic.
 */
export class Seeder {
  private readonly nodes = new Map<string, KObject>();
  private readonly ipCounters = new Map<string, number>();
  private nodeCount = 0;

  constructor(readonly store: Store) {}

  namespace(name: string, labels: Record<string, string> = {}): void {
    if (this.store.get('namespaces', undefined, name)) return;
    this.store.create('namespaces', {
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  /** default, kube-system, kube-public, kube-node-lease: every cluster has them. */
  baseNamespaces(): void {
    for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) this.namespace(ns);
  }

  node(spec: NodeSpec): KObject {
    const index = this.nodeCount++;
    const since = rfc3339(Date.now() - 30 * 24 * 3600_000);
    const now = rfc3339();
    const cpu = spec.cpu ?? '4';
    const memory = spec.memory ?? '8Gi';
    const pods = String(spec.pods ?? 110);
    const labels: Record<string, string> = {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': spec.name,
      'kubernetes.io/os': 'linux',
      ...(spec.controlPlane ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
      ...(spec.labels ?? {}),
    };
    const taints = spec.controlPlane && spec.controlPlaneTaint !== false ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : undefined;
    const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: now, lastTransitionTime: since, reason, message });
    const node = this.store.create('nodes', {
      metadata: {
        name: spec.name,
        labels,
        annotations: {
          'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/containerd/containerd.sock',
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        },
      },
      spec: { podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`], ...(taints ? { taints } : {}) },
      status: {
        capacity: { cpu, memory, pods, 'ephemeral-storage': '102626232Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' },
        allocatable: { cpu, memory, pods, 'ephemeral-storage': '94580335255', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' },
        conditions: [
          cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
          cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
          cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
          cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
        ],
        addresses: [{ type: 'InternalIP', address: spec.ip }, { type: 'Hostname', address: spec.name }],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: hex(spec.name, 32),
          systemUUID: randomUUID(),
          bootID: randomUUID(),
          kernelVersion: '5.15.0-119-generic',
          osImage: 'Ubuntu 22.04.4 LTS',
          containerRuntimeVersion: 'containerd://1.7.27',
          kubeletVersion: 'v1.33.1',
          kubeProxyVersion: 'v1.33.1',
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    });
    this.nodes.set(spec.name, node);
    return node;
  }

  private mustNode(name: string): KObject {
    const n = this.nodes.get(name) ?? this.store.get('nodes', undefined, name);
    if (!n) throw new Error(`seed: node ${name} not seeded yet`);
    return n;
  }

  private podIP(node: KObject): string {
    const n = (this.ipCounters.get(node.metadata.name) ?? 1) + 1;
    this.ipCounters.set(node.metadata.name, n);
    const prefix = String(node.spec?.podCIDR ?? '10.244.0.0/24').split('.').slice(0, 3).join('.');
    // .2 to .254, then wrap into the next /24 (large scenarios run more pods than a /24 holds).
    return `${prefix}.${((n - 2) % 253) + 2}`;
  }

  /** Stores a pod bound to a node and Running, exactly once. */
  private runPod(pod: KObject, nodeName: string): KObject {
    const node = this.mustNode(nodeName);
    pod.spec.nodeName = nodeName;
    pod.status = runningStatus(pod, node, pod.spec.hostNetwork ? String(node.status.addresses[0].address) : this.podIP(node));
    return this.store.create('pods', pod);
  }

  private template(w: WorkloadSpec, selector: Record<string, string>): KObject {
    return {
      metadata: { name: '', labels: { ...selector, ...(w.labels ?? {}) } },
      spec: {
        containers: w.containers.map(container),
        ...(w.volumes ? { volumes: w.volumes } : {}),
        ...(w.tolerations ? { tolerations: w.tolerations } : {}),
        ...(w.nodeSelector ? { nodeSelector: w.nodeSelector } : {}),
        ...(w.priorityClassName ? { priorityClassName: w.priorityClassName } : {}),
        ...(w.hostNetwork ? { hostNetwork: true } : {}),
        ...(w.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: w.terminationGracePeriodSeconds } : {}),
      },
    };
  }

  /**
   * A Deployment with its current ReplicaSet and one Running pod per entry of `nodes` (so the
   * replica count is `nodes.length` unless `replicas` says otherwise).
   */
  deployment(w: WorkloadSpec & { nodes: string[]; replicas?: number; strategy?: Record<string, unknown> }): { deployment: KObject; replicaSet: KObject; pods: KObject[] } {
    const selector = { app: w.name };
    const template = this.template(w, selector);
    const replicas = w.replicas ?? w.nodes.length;
    const deployment = this.store.create('apps/deployments', {
      metadata: { name: w.name, namespace: w.namespace, labels: { app: w.name }, annotations: { 'deployment.kubernetes.io/revision': '1' } },
      spec: {
        replicas,
        selector: { matchLabels: selector },
        template,
        strategy: w.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    });
    const hash = templateHash(templateWithoutHash(deployment.spec.template));
    const rsTemplate = structuredClone(deployment.spec.template);
    rsTemplate.metadata.labels = { ...rsTemplate.metadata.labels, 'pod-template-hash': hash };
    const replicaSet = this.store.create('apps/replicasets', {
      metadata: {
        name: `${w.name}-${hash}`,
        namespace: w.namespace,
        labels: { ...template.metadata.labels, 'pod-template-hash': hash },
        annotations: { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas / 4)) },
        ownerReferences: [ownerRefTo(deployment, 'apps/v1', 'Deployment')],
      },
      spec: { replicas, minReadySeconds: 0, selector: { matchLabels: { ...selector, 'pod-template-hash': hash } }, template: rsTemplate },
    });
    const used = new Set<string>();
    const pods = w.nodes.map((n, i) => {
      let name = `${replicaSet.metadata.name}-${suffix(`${replicaSet.metadata.name}/${i}`)}`;
      for (let salt = 0; used.has(name); salt++) name = `${replicaSet.metadata.name}-${suffix(`${replicaSet.metadata.name}/${i}/${salt}`)}`;
      used.add(name);
      return this.runPod(podFromTemplate({
        template: replicaSet.spec.template,
        owner: ownerRefTo(replicaSet, 'apps/v1', 'ReplicaSet'),
        namespace: w.namespace,
        name,
      }), n);
    });
    return { deployment, replicaSet, pods };
  }

  /** A StatefulSet whose pod `<name>-<i>` runs on `nodes[i]`; claims must be seeded separately (see `claim`). */
  statefulSet(w: WorkloadSpec & { nodes: string[]; serviceName?: string; volumeClaimTemplates?: Record<string, unknown>[] }): { statefulSet: KObject; pods: KObject[] } {
    const selector = { app: w.name };
    const template = this.template(w, selector);
    const sts = this.store.create('apps/statefulsets', {
      metadata: { name: w.name, namespace: w.namespace, labels: { app: w.name } },
      spec: {
        replicas: w.nodes.length,
        selector: { matchLabels: selector },
        serviceName: w.serviceName ?? w.name,
        template,
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        revisionHistoryLimit: 10,
        ...(w.volumeClaimTemplates ? { volumeClaimTemplates: w.volumeClaimTemplates } : {}),
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      },
    });
    const revision = statefulSetRevision(sts);
    const pods = w.nodes.map((n, i) => {
      const name = `${w.name}-${i}`;
      const pod = podFromTemplate({
        template: sts.spec.template,
        owner: ownerRefTo(sts, 'apps/v1', 'StatefulSet'),
        namespace: w.namespace,
        name,
        labels: { 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(i) },
        patchSpec: (spec) => {
          spec.hostname = name;
          spec.subdomain = sts.spec.serviceName;
          const volumes = spec.volumes ?? [];
          for (const t of (w.volumeClaimTemplates ?? []) as { metadata: { name: string } }[]) volumes.push({ name: t.metadata.name, persistentVolumeClaim: { claimName: `${t.metadata.name}-${name}` } });
          if (volumes.length) spec.volumes = volumes;
        },
      });
      return this.runPod(pod, n);
    });
    return { statefulSet: sts, pods };
  }

  /** A DaemonSet with a Running pod on every node it should run on (evaluated now). */
  daemonSet(w: WorkloadSpec): { daemonSet: KObject; pods: KObject[] } {
    const selector = { 'k8s-app': w.name };
    const template = this.template(w, selector);
    const ds = this.store.create('apps/daemonsets', {
      metadata: { name: w.name, namespace: w.namespace, labels: { 'k8s-app': w.name } },
      spec: { selector: { matchLabels: selector }, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 },
    });
    const revision = templateHash(ds.spec.template);
    const pods: KObject[] = [];
    for (const node of [...this.nodes.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
      if (!daemonPlacement(ds, node).shouldRun) continue;
      const pod = podFromTemplate({
        template: ds.spec.template,
        owner: ownerRefTo(ds, 'apps/v1', 'DaemonSet'),
        namespace: w.namespace,
        name: `${w.name}-${suffix(`${w.name}/${node.metadata.name}`)}`,
        labels: { 'controller-revision-hash': revision, 'pod-template-generation': '1' },
        patchSpec: (spec) => {
          spec.tolerations = withTolerations(spec.tolerations, DAEMONSET_TOLERATIONS);
          spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node.metadata.name] }] }] } } };
        },
      });
      pods.push(this.runPod(pod, node.metadata.name));
    }
    return { daemonSet: ds, pods };
  }

  /** A pod without a controller ("bare"), Running on a node. */
  barePod(w: WorkloadSpec & { node: string }): KObject {
    const pod = podFromTemplate({ template: this.template(w, { run: w.name }), namespace: w.namespace, name: w.name });
    return this.runPod(pod, w.node);
  }

  /** A static control-plane pod's mirror: owned by its Node, annotated as a mirror. */
  staticPod(component: 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler', nodeName: string): KObject {
    const node = this.mustNode(nodeName);
    const ip = String(node.status.addresses[0].address);
    const spec: Record<string, { image: string; cpu: string; memory?: string; command: string[] }> = {
      etcd: { image: 'registry.k8s.io/etcd:3.5.21-0', cpu: '100m', memory: '100Mi', command: ['etcd', `--advertise-client-urls=https://${ip}:2379`, '--data-dir=/var/lib/etcd'] },
      'kube-apiserver': { image: 'registry.k8s.io/kube-apiserver:v1.33.1', cpu: '250m', command: ['kube-apiserver', `--advertise-address=${ip}`, '--secure-port=6443'] },
      'kube-controller-manager': { image: 'registry.k8s.io/kube-controller-manager:v1.33.1', cpu: '200m', command: ['kube-controller-manager', '--leader-elect=true'] },
      'kube-scheduler': { image: 'registry.k8s.io/kube-scheduler:v1.33.1', cpu: '100m', command: ['kube-scheduler', '--leader-elect=true'] },
    };
    const s = spec[component];
    const hash = hex(`${component}/${nodeName}`, 32);
    const pod: KObject = {
      metadata: {
        name: `${component}-${nodeName}`,
        namespace: 'kube-system',
        labels: { component, tier: 'control-plane' },
        annotations: {
          'kubernetes.io/config.hash': hash,
          [MIRROR_ANNOTATION]: hash,
          'kubernetes.io/config.seen': rfc3339(Date.now() - 30 * 24 * 3600_000),
          'kubernetes.io/config.source': 'file',
          ...(component === 'etcd' ? { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': `https://${ip}:2379` } : {}),
        },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid!, controller: true }],
      },
      spec: {
        containers: [{
          name: component,
          image: s.image,
          command: s.command,
          imagePullPolicy: 'IfNotPresent',
          resources: { requests: { cpu: s.cpu, ...(s.memory ? { memory: s.memory } : {}) } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        }],
        hostNetwork: true,
        dnsPolicy: 'ClusterFirst',
        enableServiceLinks: true,
        nodeName,
        preemptionPolicy: 'PreemptLowerPriority',
        priority: 2000001000,
        priorityClassName: 'system-node-critical',
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        terminationGracePeriodSeconds: 30,
        tolerations: [{ effect: 'NoExecute', operator: 'Exists' }],
        ...(component === 'etcd' ? { volumes: [{ name: 'etcd-data', hostPath: { path: '/var/lib/etcd', type: 'DirectoryOrCreate' } }] } : {}),
      },
    };
    pod.status = runningStatus(pod, node, ip);
    return this.store.create('pods', pod);
  }

  /** The four kubeadm control-plane static pods on a node. */
  controlPlane(nodeName: string): void {
    for (const c of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const) this.staticPod(c, nodeName);
  }

  pdb(namespace: string, name: string, selector: Record<string, string>, budget: { minAvailable?: number | string; maxUnavailable?: number | string }): KObject {
    return this.store.create('policy/poddisruptionbudgets', {
      metadata: { name, namespace },
      spec: { selector: { matchLabels: selector }, ...budget },
    });
  }

  /** A Ceph RBD CSI volume (ReadWriteOnce) bound to a new claim. */
  rbdClaim(namespace: string, name: string, size = '10Gi', labels?: Record<string, string>): { pvc: KObject; pv: KObject } {
    const pvc = this.store.create('persistentvolumeclaims', {
      metadata: { name, namespace, ...(labels ? { labels } : {}), annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes', 'volume.beta.kubernetes.io/storage-provisioner': 'rbd.csi.ceph.com', 'volume.kubernetes.io/storage-provisioner': 'rbd.csi.ceph.com' }, finalizers: ['kubernetes.io/pvc-protection'] },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, storageClassName: 'ceph-rbd', volumeMode: 'Filesystem' },
    });
    const pvName = `pvc-${pvc.metadata.uid}`;
    const pv = this.store.create('persistentvolumes', {
      metadata: { name: pvName, annotations: { 'pv.kubernetes.io/provisioned-by': 'rbd.csi.ceph.com' }, finalizers: ['kubernetes.io/pv-protection'] },
      spec: {
        accessModes: ['ReadWriteOnce'],
        capacity: { storage: size },
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion },
        csi: { driver: 'rbd.csi.ceph.com', fsType: 'ext4', volumeHandle: `0001-0009-rook-ceph-0000000000000002-${pvc.metadata.uid}`, volumeAttributes: { clusterID: 'rook-ceph', imageName: `csi-vol-${pvc.metadata.uid}`, pool: 'replicapool' } },
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'ceph-rbd',
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound' },
    });
    const bound = this.bindStatus(pvc, pv);
    return { pvc: bound, pv };
  }

  /** A local PV on a node (spec.local + node affinity), optionally bound to a new claim. */
  localVolume(pvName: string, nodeName: string, path: string, size: string, claim?: { namespace: string; name: string; labels?: Record<string, string> }): { pv: KObject; pvc?: KObject } {
    let pvc: KObject | undefined;
    if (claim) {
      pvc = this.store.create('persistentvolumeclaims', {
        metadata: { name: claim.name, namespace: claim.namespace, ...(claim.labels ? { labels: claim.labels } : {}), annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes', 'volume.kubernetes.io/selected-node': nodeName }, finalizers: ['kubernetes.io/pvc-protection'] },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, storageClassName: 'local-storage', volumeMode: 'Filesystem' },
      });
    }
    const pv = this.store.create('persistentvolumes', {
      metadata: { name: pvName, labels: { 'storage.kubernetes.io/node': nodeName }, finalizers: ['kubernetes.io/pv-protection'] },
      spec: {
        accessModes: ['ReadWriteOnce'],
        capacity: { storage: size },
        local: { path },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [nodeName] }] }] } },
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: 'local-storage',
        volumeMode: 'Filesystem',
        ...(pvc ? { claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid } } : {}),
      },
      status: { phase: pvc ? 'Bound' : 'Available' },
    });
    return { pv, pvc: pvc ? this.bindStatus(pvc, pv) : undefined };
  }

  private bindStatus(pvc: KObject, pv: KObject): KObject {
    return this.store.mutate('persistentvolumeclaims', pvc.metadata.namespace, pvc.metadata.name, (c) => {
      c.spec.volumeName = pv.metadata.name;
      c.status = { phase: 'Bound', accessModes: pv.spec.accessModes, capacity: { storage: pv.spec.capacity.storage } };
    });
  }

  /** The VolumeAttachment the CSI attacher made when a pod on `nodeName` started with this volume. */
  attachment(pv: KObject, nodeName: string): KObject {
    const driver = pv.spec.csi.driver as string;
    return this.store.create('storage.k8s.io/volumeattachments', {
      metadata: { name: attachmentName(pv.metadata.name, driver, nodeName), annotations: { 'csi.alpha.kubernetes.io/node-id': nodeName }, finalizers: [`external-attacher/${driver.replaceAll('.', '-')}`] },
      spec: { attacher: driver, nodeName, source: { persistentVolumeName: pv.metadata.name } },
      status: { attached: true },
    });
  }

  /** Marks a pod Terminating, as a DELETE (or the node lifecycle's eviction) did `agoSeconds` ago. */
  terminating(pod: KObject, agoSeconds = 600, grace = 30): KObject {
    const current = this.store.mustGet('pods', pod.metadata.namespace, pod.metadata.name);
    current.metadata.deletionTimestamp = rfc3339(Date.now() - agoSeconds * 1000 + grace * 1000);
    current.metadata.deletionGracePeriodSeconds = grace;
    current.metadata.resourceVersion = '';
    return this.store.update('pods', current);
  }
}

/** Five characters from the generateName alphabet, stable for a given seed string. */
export function suffix(seed: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
  let s = '';
  for (let i = 0; i < 5; i++) {
    s += alphabet[h % alphabet.length];
    h = Math.floor(h / alphabet.length) + (i + 1) * 7919;
  }
  return s;
}

function hex(seed: string, length: number): string {
  let out = '';
  let h = 2166136261;
  while (out.length < length) {
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}
