import { isSecretKey, redactText, REDACTED } from './redact.js';

/**
 * A Kubernetes object made safe to keep as a backup (DESIGN.md invariant 7): what restoring needs
 * stays, secret values go. Applied by jobs before a backup reaches Redis, and again by the backup
 * store, so a backup never holds:
 * - a Secret's `data` and `stringData`;
 * - the `kubectl.kubernetes.io/last-applied-configuration` annotation (a copy of the whole object
 *   as last applied, env values included);
 * - an annotation whose name or value looks secret (a JWT, a token);
 * - a container's env `value` whose name (`DB_PASSWORD`, `STRIPE_KEY`) or value (a token, a
 *   URL with a password) looks secret. `valueFrom` references (secretKeyRef, …) are kept: they
 *   name where the value lives, not the value.
 * Any other string is scrubbed as text (redact.ts). What was removed is listed in the backup
 * itself, in the annotation `REMOVED_ANNOTATION`, so whoever restores knows what to supply.
 */

/** Lists what a backup left out, one item per line. Idempotent: a second pass adds nothing new. */
export const REMOVED_ANNOTATION = 'sitrep.dev/backup-removed';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
/** Env names that hold secrets by convention: a `KEY`, `SECRET`, `TOKEN`, `PASSWORD`… word in the name. */
const SECRET_ENV_NAME = /(?:^|[_.-])(?:KEY|SECRET|TOKEN|PASS|PASSWD|PASSWORD|PWD|CREDENTIALS?|AUTH|SIGNING|PRIVATE|DSN|SALT)(?:$|[_.-])/i;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The pod specs inside an object: a Pod's own, a workload's template, a CronJob's job template. */
function podSpecs(obj: Obj): Obj[] {
  const spec = obj.spec;
  if (!isObj(spec)) return [];
  const out: Obj[] = [];
  if (CONTAINER_LISTS.some((k) => Array.isArray(spec[k]))) out.push(spec);
  const template = spec.template;
  if (isObj(template)) out.push(...podSpecs(template));
  const jobTemplate = spec.jobTemplate;
  if (isObj(jobTemplate)) out.push(...podSpecs(jobTemplate));
  return out;
}

function scrubEnv(spec: Obj, removed: string[], where: string): void {
  for (const list of CONTAINER_LISTS) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    for (const c of containers) {
      if (!isObj(c) || !Array.isArray(c.env)) continue;
      for (const e of c.env) {
        if (!isObj(e) || typeof e.value !== 'string' || typeof e.name !== 'string') continue;
        if (SECRET_ENV_NAME.test(e.name) || isSecretKey(e.name) || redactText(e.value) !== e.value) {
          delete e.value;
          removed.push(`${where}container ${String(c.name)} env ${e.name} value`);
        }
      }
    }
  }
}

function scrubAnnotations(meta: Obj, removed: string[], where: string): void {
  const annotations = meta.annotations;
  if (!isObj(annotations)) return;
  for (const [key, value] of Object.entries(annotations)) {
    if (key === REMOVED_ANNOTATION) continue;
    if (key === LAST_APPLIED || isSecretKey(key) || (typeof value === 'string' && redactText(value) !== value)) {
      delete annotations[key];
      removed.push(`${where}annotation ${key}`);
    }
  }
}

/** Every other string, scrubbed as text; `path` names where for the list of what was removed. */
function scrubStrings(value: unknown, path: string, removed: string[], depth = 0): unknown {
  if (typeof value === 'string') {
    const clean = redactText(value);
    if (clean !== value) removed.push(`secret text in ${path}`);
    return clean;
  }
  if (depth > 30) return REDACTED;
  if (Array.isArray(value)) return value.map((v, i) => scrubStrings(v, `${path}[${i}]`, removed, depth + 1));
  if (!isObj(value)) return value;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'annotations' && path.endsWith('metadata')) continue;
    value[k] = scrubStrings(v, path ? `${path}.${k}` : k, removed, depth + 1);
  }
  return value;
}

/**
 * A deep copy of a manifest (plain JSON) with its secrets removed, as described above. Objects
 * that are not Kubernetes-shaped are scrubbed as text only.
 */
export function redactManifest(manifest: unknown): unknown {
  if (!isObj(manifest)) return typeof manifest === 'string' ? redactText(manifest) : manifest;
  const obj = structuredClone(manifest) as Obj;
  const removed: string[] = [];
  if (obj.kind === 'Secret' || (typeof obj.type === 'string' && obj.type.startsWith('kubernetes.io/') && ('data' in obj || 'stringData' in obj))) {
    for (const k of ['data', 'stringData']) {
      if (isObj(obj[k])) {
        removed.push(`${k}: ${Object.keys(obj[k] as Obj).join(', ') || 'empty'}`);
        delete obj[k];
      }
    }
  }
  const meta = isObj(obj.metadata) ? obj.metadata : undefined;
  if (meta) scrubAnnotations(meta, removed, '');
  for (const spec of podSpecs(obj)) scrubEnv(spec, removed, spec === obj.spec ? '' : 'template ');
  const template = isObj(obj.spec) && isObj(obj.spec.template) && isObj(obj.spec.template.metadata) ? obj.spec.template.metadata : undefined;
  if (template) scrubAnnotations(template, removed, 'template ');
  scrubStrings(obj, '', removed);
  if (removed.length && meta) {
    const annotations = (isObj(meta.annotations) ? meta.annotations : (meta.annotations = {})) as Obj;
    const before = typeof annotations[REMOVED_ANNOTATION] === 'string' ? (annotations[REMOVED_ANNOTATION] as string).split('\n') : [];
    annotations[REMOVED_ANNOTATION] = [...new Set([...before, ...removed])].join('\n');
  }
  return obj;
}
