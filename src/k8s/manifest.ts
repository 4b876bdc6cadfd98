/**
 * Objects as they are saved in a job's backup: plain JSON with kind and apiVersion, without
 * managedFields (noise) and never with a Secret's data (invariant 7). client-node 1.x models hold
 * a few fields under a leading underscore (`_continue`, `_from`); those get their API names back.
 */
export function toManifest(obj: unknown, kind: string, apiVersion: string): Record<string, unknown> {
  const plain = rename(JSON.parse(JSON.stringify(obj ?? {}))) as Record<string, unknown>;
  const meta = (plain.metadata ?? {}) as Record<string, unknown>;
  delete meta.managedFields;
  const out: Record<string, unknown> = { apiVersion, kind, ...plain, metadata: meta };
  out.apiVersion = apiVersion;
  out.kind = kind;
  if (kind === 'Secret') {
    delete out.data;
    delete out.stringData;
  }
  return out;
}

function rename(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rename);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[/^_[a-z]/.test(k) ? k.slice(1) : k] = rename(v);
  return out;
}
