import { ApiError } from '../api-error.js';
import { decodeEnvelope } from './protobuf.js';

/**
 * Decodes the protobuf bodies client-go's typed clients send for built-in kinds (kubectl create
 * namespace / deployment / pdb, kubectl run) into the JSON the rest of the sandbox reads. Field
 * numbers come from the kinds' generated.proto; only the fields kubectl's generators and common
 * manifests set are listed, the rest are skipped. Like Go's JSON encoding with omitempty, zero
 * scalars are left out unless the Go field is a pointer (replicas: 0 is kept, minReadySeconds: 0
 * is not).
 */

type Scalar = 'string' | 'int' | 'int?' | 'bool' | 'bool?' | 'strings' | 'stringMap' | 'quantity' | 'quantityMap' | 'intOrString';
interface Message {
  [field: number]: [name: string, type: Scalar | Message | [Message], inline?: boolean];
}

const QUANTITY: Message = { 1: ['string', 'string'] };
const INT_OR_STRING: Message = { 1: ['type', 'int'], 2: ['intVal', 'int'], 3: ['strVal', 'string'] };

const OWNER_REFERENCE: Message = {
  5: ['apiVersion', 'string'], 1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'],
  6: ['controller', 'bool?'], 7: ['blockOwnerDeletion', 'bool?'],
};
const OBJECT_META: Message = {
  1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'], 5: ['uid', 'string'],
  6: ['resourceVersion', 'string'], 7: ['generation', 'int'], 11: ['labels', 'stringMap'], 12: ['annotations', 'stringMap'],
  13: ['ownerReferences', [OWNER_REFERENCE]], 14: ['finalizers', 'strings'],
};
const LABEL_SELECTOR: Message = {
  1: ['matchLabels', 'stringMap'],
  2: ['matchExpressions', [{ 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'strings'] }]],
};
const CONTAINER: Message = {
  1: ['name', 'string'], 2: ['image', 'string'], 3: ['command', 'strings'], 4: ['args', 'strings'], 5: ['workingDir', 'string'],
  6: ['ports', [{ 1: ['name', 'string'], 2: ['hostPort', 'int'], 3: ['containerPort', 'int'], 4: ['protocol', 'string'], 5: ['hostIP', 'string'] }]],
  7: ['env', [{ 1: ['name', 'string'], 2: ['value', 'string'] }]],
  8: ['resources', { 1: ['limits', 'quantityMap'], 2: ['requests', 'quantityMap'] }],
  9: ['volumeMounts', [{ 1: ['name', 'string'], 2: ['readOnly', 'bool'], 3: ['mountPath', 'string'], 4: ['subPath', 'string'] }]],
  13: ['terminationMessagePath', 'string'], 14: ['imagePullPolicy', 'string'], 16: ['stdin', 'bool'], 18: ['tty', 'bool'],
  20: ['terminationMessagePolicy', 'string'],
};
const VOLUME: Message = {
  1: ['name', 'string'],
  // VolumeSource is inlined in the JSON form of a Volume.
  2: ['volumeSource', {
    1: ['hostPath', { 1: ['path', 'string'], 2: ['type', 'string'] }],
    2: ['emptyDir', { 1: ['medium', 'string'], 2: ['sizeLimit', 'quantity'] }],
    6: ['secret', { 1: ['secretName', 'string'], 3: ['defaultMode', 'int?'] }],
    10: ['persistentVolumeClaim', { 1: ['claimName', 'string'], 2: ['readOnly', 'bool'] }],
    19: ['configMap', { 1: ['localObjectReference', { 1: ['name', 'string'] }, true], 3: ['defaultMode', 'int?'] }],
  }, true],
};
const POD_SPEC: Message = {
  1: ['volumes', [VOLUME]], 20: ['initContainers', [CONTAINER]], 2: ['containers', [CONTAINER]], 3: ['restartPolicy', 'string'],
  4: ['terminationGracePeriodSeconds', 'int?'], 5: ['activeDeadlineSeconds', 'int?'], 6: ['dnsPolicy', 'string'], 7: ['nodeSelector', 'stringMap'],
  8: ['serviceAccountName', 'string'], 10: ['nodeName', 'string'], 11: ['hostNetwork', 'bool'], 19: ['schedulerName', 'string'],
  22: ['tolerations', [{ 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['value', 'string'], 4: ['effect', 'string'], 5: ['tolerationSeconds', 'int?'] }]],
  24: ['priorityClassName', 'string'], 25: ['priority', 'int?'],
};
const POD_TEMPLATE: Message = { 1: ['metadata', OBJECT_META], 2: ['spec', POD_SPEC] };

// rbac/v1 generated.proto: what `kubectl create role|clusterrole|rolebinding|clusterrolebinding` send.
const POLICY_RULE: Message = { 1: ['verbs', 'strings'], 2: ['apiGroups', 'strings'], 3: ['resources', 'strings'], 4: ['resourceNames', 'strings'], 5: ['nonResourceURLs', 'strings'] };
const ROLE: Message = { 1: ['metadata', OBJECT_META], 2: ['rules', [POLICY_RULE]] };
const BINDING: Message = {
  1: ['metadata', OBJECT_META],
  2: ['subjects', [{ 1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string'] }]],
  3: ['roleRef', { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] }],
};

// authorization/v1 and authentication/v1 generated.proto: what `kubectl auth can-i|whoami` send.
const RESOURCE_ATTRIBUTES: Message = { 1: ['namespace', 'string'], 2: ['verb', 'string'], 3: ['group', 'string'], 4: ['version', 'string'], 5: ['resource', 'string'], 6: ['subresource', 'string'], 7: ['name', 'string'] };
const NON_RESOURCE_ATTRIBUTES: Message = { 1: ['path', 'string'], 2: ['verb', 'string'] };

const KINDS: Record<string, Message> = {
  SelfSubjectAccessReview: { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['resourceAttributes', RESOURCE_ATTRIBUTES], 2: ['nonResourceAttributes', NON_RESOURCE_ATTRIBUTES] }] },
  SubjectAccessReview: { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['resourceAttributes', RESOURCE_ATTRIBUTES], 2: ['nonResourceAttributes', NON_RESOURCE_ATTRIBUTES], 3: ['user', 'string'], 4: ['groups', 'strings'], 6: ['uid', 'string'] }] },
  SelfSubjectRulesReview: { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['namespace', 'string'] }] },
  SelfSubjectReview: { 1: ['metadata', OBJECT_META] },
  Role: ROLE,
  ClusterRole: ROLE,
  RoleBinding: BINDING,
  ClusterRoleBinding: BINDING,
  ServiceAccount: { 1: ['metadata', OBJECT_META], 4: ['automountServiceAccountToken', 'bool?'] },
  Namespace: { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['finalizers', 'strings'] }] },
  Pod: { 1: ['metadata', OBJECT_META], 2: ['spec', POD_SPEC] },
  Deployment: {
    1: ['metadata', OBJECT_META],
    2: ['spec', {
      1: ['replicas', 'int?'], 2: ['selector', LABEL_SELECTOR], 3: ['template', POD_TEMPLATE],
      4: ['strategy', { 1: ['type', 'string'], 2: ['rollingUpdate', { 1: ['maxUnavailable', 'intOrString'], 2: ['maxSurge', 'intOrString'] }] }],
      5: ['minReadySeconds', 'int'], 6: ['revisionHistoryLimit', 'int?'], 7: ['paused', 'bool'], 9: ['progressDeadlineSeconds', 'int?'],
    }],
  },
  PodDisruptionBudget: {
    1: ['metadata', OBJECT_META],
    2: ['spec', { 1: ['minAvailable', 'intOrString'], 2: ['selector', LABEL_SELECTOR], 3: ['maxUnavailable', 'intOrString'], 4: ['unhealthyPodEvictionPolicy', 'string'] }],
  },
};

class Cursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw bad('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw bad('varint too long');
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw bad('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw bad(`unsupported wire type ${wire}`);
    if (this.pos > this.buf.length) throw bad('truncated field');
  }
}

function bad(why: string): ApiError {
  return ApiError.badRequest(`unable to decode protobuf body: ${why}`);
}

function mapEntry(buf: Buffer, valueIsQuantity: boolean): [string, string] {
  const c = new Cursor(buf);
  let key = '';
  let value = '';
  while (c.pos < buf.length) {
    const tag = Number(c.varint());
    const field = tag >> 3;
    if (field === 1 && (tag & 7) === 2) key = c.bytes().toString('utf8');
    else if (field === 2 && (tag & 7) === 2) {
      const v = c.bytes();
      value = valueIsQuantity ? String(decodeMessage(v, QUANTITY).string ?? '') : v.toString('utf8');
    } else c.skip(tag & 7);
  }
  return [key, value];
}

function decodeMessage(buf: Buffer, schema: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const c = new Cursor(buf);
  while (c.pos < buf.length) {
    const tag = Number(c.varint());
    const field = tag >> 3;
    const wire = tag & 7;
    const spec = schema[field];
    if (!spec) {
      c.skip(wire);
      continue;
    }
    const [name, type, inline] = spec;
    if (typeof type === 'string') {
      readScalar(c, wire, name, type, out);
    } else if (wire !== 2) {
      c.skip(wire);
    } else if (Array.isArray(type)) {
      ((out[name] ??= []) as unknown[]).push(decodeMessage(c.bytes(), type[0]));
    } else {
      const v = decodeMessage(c.bytes(), type);
      if (inline) Object.assign(out, v);
      else out[name] = v;
    }
  }
  return out;
}

function readScalar(c: Cursor, wire: number, name: string, type: Scalar, out: Record<string, unknown>): void {
  switch (type) {
    case 'string': {
      if (wire !== 2) return c.skip(wire);
      const s = c.bytes().toString('utf8');
      if (s !== '') out[name] = s;
      return;
    }
    case 'int':
    case 'int?': {
      if (wire !== 0) return c.skip(wire);
      const n = Number(BigInt.asIntN(64, c.varint()));
      if (n !== 0 || type === 'int?') out[name] = n;
      return;
    }
    case 'bool':
    case 'bool?': {
      if (wire !== 0) return c.skip(wire);
      const b = c.varint() !== 0n;
      if (b || type === 'bool?') out[name] = b;
      return;
    }
    case 'strings':
      if (wire !== 2) return c.skip(wire);
      ((out[name] ??= []) as string[]).push(c.bytes().toString('utf8'));
      return;
    case 'stringMap':
    case 'quantityMap': {
      if (wire !== 2) return c.skip(wire);
      const [k, v] = mapEntry(c.bytes(), type === 'quantityMap');
      (out[name] ??= {} as Record<string, string>);
      (out[name] as Record<string, string>)[k] = v;
      return;
    }
    case 'quantity':
      if (wire !== 2) return c.skip(wire);
      out[name] = String(decodeMessage(c.bytes(), QUANTITY).string ?? '');
      return;
    case 'intOrString': {
      if (wire !== 2) return c.skip(wire);
      const v = decodeMessage(c.bytes(), INT_OR_STRING);
      out[name] = v.type === 1 ? String(v.strVal ?? '') : Number(v.intVal ?? 0);
      return;
    }
  }
}

/** A protobuf-encoded object body as JSON, with apiVersion and kind from its envelope; 415 for kinds it cannot read. */
export function decodeObject(body: Buffer): Record<string, unknown> {
  const env = decodeEnvelope(body);
  const schema = KINDS[env.kind];
  if (!schema) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json`, {
      causes: [{ message: `the sandbox cannot decode ${env.kind || 'this kind'} from protobuf; send JSON` }],
    });
  }
  return { apiVersion: env.apiVersion, kind: env.kind, ...decodeMessage(env.raw, schema) };
}
