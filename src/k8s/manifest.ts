import { redactManifest } from '../core/text/manifest-redact.js';

/**
 * Objects as they are saved in a job's backup: plain JSON with kind and apiVersion, without
 * managedFields (noise) and without secret values (invariant 7: a Secret's data, the
 * last-applied annotation, secret-looking env values and annotations; see
 * core/text/manifest-redact.ts, which lists what it removed in the object). client-node 1.x
 * models hold a few fields under a leading underscore (`_continue`, `_from`); those get their API
 * names back.
 */
export function toManifest(obj: unknown, kind: string, apiVersion: string): Record<string, unknown> {
  const plain = rename(JSON.parse(JSON.stringify(obj ?? {}))) as Record<string, unknown>;
  const meta = (plain.metadata ?? {}) as Record<string, unknown>;
  delete meta.managedFields;
  const out: Record<string, unknown> = { apiVersion, kind, ...plain, metadata: meta };
  out.apiVersion = apiVersion;
  out.kind = kind;
  return redactManifest(out) as Record<string, unknown>;
}

function rename(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rename);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[/^_[a-z]/.test(k) ? k.slice(1) : k] = rename(v);
  return out;
}
