import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { RESOURCE_TYPES } from '../../src/sandbox/resources.js';
import type { KObject, Sandbox } from '../../src/sandbox/index.js';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy', 'kubernetes');

/** The API path a manifest's object is created at, from its apiVersion and kind. */
function collectionPath(o: KObject): string {
  const t = RESOURCE_TYPES.find((r) => (r.group ? `${r.group}/${r.version}` : r.version) === o.apiVersion && r.kind === o.kind);
  if (!t) throw new Error(`the sandbox does not serve ${o.apiVersion} ${o.kind}`);
  const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  return t.namespaced ? `${base}/namespaces/${o.metadata.namespace ?? 'default'}/${t.resource}` : `${base}/${t.resource}`;
}

/**
 * The worker as it runs in production: deploy/kubernetes/namespace.yaml and rbac.yaml created
 * through the sandbox's API by its admin, then a kubeconfig for the sitrep-worker
 * ServiceAccount. A job that calls the API for something the ClusterRole does not grant fails
 * with the real 403, in the test, instead of in a production drain. `edit` may change each object
 * first (an older ClusterRole, as a cluster not yet upgraded has it).
 */
export async function leastPrivilegeKubeconfig(sandbox: Sandbox, edit: (o: KObject) => KObject = (o) => o): Promise<string> {
  for (const file of ['namespace.yaml', 'rbac.yaml']) {
    for (const doc of parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8'))) {
      const o = edit(doc.toJS() as KObject);
      const r = await sandbox.request('POST', collectionPath(o), { body: o });
      if (r.status !== 201 && r.status !== 409) throw new Error(`creating ${o.kind} ${o.metadata.name} from ${file}: ${r.status} ${r.text}`);
    }
  }
  const sa = (parseAllDocuments(readFileSync(join(DEPLOY, 'rbac.yaml'), 'utf8')).map((d) => d.toJS() as KObject)).find((o) => o.kind === 'ServiceAccount')!;
  return (await sandbox.addServiceAccount(sa.metadata.namespace!, sa.metadata.name)).kubeconfigPath;
}
