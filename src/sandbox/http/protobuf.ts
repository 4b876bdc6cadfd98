import { ApiError } from '../api-error.js';
import type { DeleteOptions } from '../registry/delete-options.js';

export type { DeleteOptions };

/**
 * Just enough protobuf to read what client-go sends as `application/vnd.kubernetes.protobuf`:
 * kubectl >= 1.32 encodes DELETE bodies (DeleteOptions) and eviction POSTs that way. The envelope is
 * the magic `k8s\0` followed by a runtime.Unknown message (1: typeMeta, 2: raw, 3: contentEncoding,
 * 4: contentType); `raw` is the object's own message.
 */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const Wire = { Varint: 0, Fixed64: 1, Bytes: 2, Fixed32: 5 } as const;

class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): number {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw malformed('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return Number(BigInt.asIntN(64, result)); // int64 negatives are 10-byte two's complement
      shift += 7n;
    }
    throw malformed('varint too long');
  }

  bytes(): Buffer {
    const len = this.varint();
    if (len < 0 || this.pos + len > this.buf.length) throw malformed('truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  tag(): { field: number; wire: number } {
    const t = this.varint();
    return { field: Math.floor(t / 8), wire: t & 7 };
  }

  skip(wire: number): void {
    if (wire === Wire.Varint) this.varint();
    else if (wire === Wire.Bytes) this.bytes();
    else if (wire === Wire.Fixed64) this.advance(8);
    else if (wire === Wire.Fixed32) this.advance(4);
    else throw malformed(`unsupported wire type ${wire}`);
  }

  private advance(n: number): void {
    if (this.pos + n > this.buf.length) throw malformed('truncated fixed field');
    this.pos += n;
  }
}

function malformed(why: string): ApiError {
  return ApiError.badRequest(`unable to decode protobuf body: ${why}`);
}

/** Calls `onField` for each field; it returns false for fields it does not read, which are skipped. */
function eachField(buf: Buffer, onField: (field: number, wire: number, r: Reader) => boolean): void {
  const r = new Reader(buf);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (!onField(field, wire, r)) r.skip(wire);
  }
}

export interface ProtoUnknown {
  apiVersion: string;
  kind: string;
  raw: Buffer;
}

export function isProtobufBody(contentType: string | undefined): boolean {
  return (contentType ?? '').toLowerCase().startsWith('application/vnd.kubernetes.protobuf');
}

/** Unwraps `k8s\0` + runtime.Unknown. */
export function decodeEnvelope(body: Buffer): ProtoUnknown {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw malformed('missing k8s protobuf prefix');
  const out: ProtoUnknown = { apiVersion: '', kind: '', raw: Buffer.alloc(0) };
  eachField(body.subarray(4), (field, wire, r) => {
    if (field === 1 && wire === Wire.Bytes) {
      eachField(r.bytes(), (f, w, tr) => {
        if (f === 1 && w === Wire.Bytes) out.apiVersion = tr.bytes().toString('utf8');
        else if (f === 2 && w === Wire.Bytes) out.kind = tr.bytes().toString('utf8');
        else return false;
        return true;
      });
      return true;
    }
    if (field === 2 && wire === Wire.Bytes) {
      out.raw = r.bytes();
      return true;
    }
    return false;
  });
  return out;
}


/** DeleteOptions message: 1 gracePeriodSeconds, 2 preconditions{1 uid, 2 resourceVersion}, 3 orphanDependents, 4 propagationPolicy, 5 dryRun. */
export function decodeDeleteOptions(raw: Buffer): DeleteOptions {
  const o: DeleteOptions = {};
  eachField(raw, (field, wire, r) => {
    if (field === 1 && wire === Wire.Varint) o.gracePeriodSeconds = r.varint();
    else if (field === 2 && wire === Wire.Bytes) {
      const p: { uid?: string; resourceVersion?: string } = {};
      eachField(r.bytes(), (f, w, pr) => {
        if (f === 1 && w === Wire.Bytes) p.uid = pr.bytes().toString('utf8');
        else if (f === 2 && w === Wire.Bytes) p.resourceVersion = pr.bytes().toString('utf8');
        else return false;
        return true;
      });
      o.preconditions = p;
    } else if (field === 3 && wire === Wire.Varint) o.orphanDependents = r.varint() !== 0;
    else if (field === 4 && wire === Wire.Bytes) o.propagationPolicy = r.bytes().toString('utf8');
    else if (field === 5 && wire === Wire.Bytes) (o.dryRun ??= []).push(r.bytes().toString('utf8'));
    else return false;
    return true;
  });
  return o;
}

/** policy/v1 Eviction: 1 metadata (ObjectMeta: 1 name, 3 namespace), 2 deleteOptions. */
export function decodeEviction(raw: Buffer): { metadata: { name?: string; namespace?: string }; deleteOptions?: DeleteOptions } {
  const out: { metadata: { name?: string; namespace?: string }; deleteOptions?: DeleteOptions } = { metadata: {} };
  eachField(raw, (field, wire, r) => {
    if (field === 1 && wire === Wire.Bytes) {
      eachField(r.bytes(), (f, w, mr) => {
        if (f === 1 && w === Wire.Bytes) out.metadata.name = mr.bytes().toString('utf8');
        else if (f === 3 && w === Wire.Bytes) out.metadata.namespace = mr.bytes().toString('utf8');
        else return false;
        return true;
      });
      return true;
    }
    if (field === 2 && wire === Wire.Bytes) {
      out.deleteOptions = decodeDeleteOptions(r.bytes());
      return true;
    }
    return false;
  });
  return out;
}

// A tiny writer, for tests and tools that need to send what kubectl sends.
function varintBytes(n: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

function lenField(field: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(varintBytes(field * 8 + Wire.Bytes)), Buffer.from(varintBytes(data.length)), data]);
}

/** Encodes DeleteOptions inside the `k8s\0` envelope, as client-go does. */
export function encodeDeleteOptions(o: DeleteOptions): Buffer {
  const parts: Buffer[] = [];
  if (o.gracePeriodSeconds !== undefined) parts.push(Buffer.from([...varintBytes(1 * 8 + Wire.Varint), ...varintBytes(o.gracePeriodSeconds)]));
  if (o.preconditions) {
    const p: Buffer[] = [];
    if (o.preconditions.uid !== undefined) p.push(lenField(1, Buffer.from(o.preconditions.uid)));
    if (o.preconditions.resourceVersion !== undefined) p.push(lenField(2, Buffer.from(o.preconditions.resourceVersion)));
    parts.push(lenField(2, Buffer.concat(p)));
  }
  if (o.propagationPolicy !== undefined) parts.push(lenField(4, Buffer.from(o.propagationPolicy)));
  for (const d of o.dryRun ?? []) parts.push(lenField(5, Buffer.from(d)));
  const typeMeta = Buffer.concat([lenField(1, Buffer.from('v1')), lenField(2, Buffer.from('DeleteOptions'))]);
  return Buffer.concat([MAGIC, lenField(1, typeMeta), lenField(2, Buffer.concat(parts)), lenField(3, Buffer.alloc(0)), lenField(4, Buffer.alloc(0))]);
}
