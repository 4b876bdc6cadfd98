import type { Sandbox } from '../../src/sandbox/index.js';

/**
 * Changes made to the sandbox by hand, as an operator with kubectl would, through its API as
 * admin: what a test does to the cluster behind sitrep's back.
 */

const MERGE = { 'content-type': 'application/merge-patch+json' };

/** `kubectl scale deployment/NAME --replicas N -n NS`: a merge patch of the scale subresource. */
export async function setReplicas(sandbox: Sandbox, namespace: string, name: string, replicas: number): Promise<void> {
  await sandbox.request('PATCH', `/apis/apps/v1/namespaces/${namespace}/deployments/${name}/scale`, { body: { spec: { replicas } }, headers: MERGE });
}

/** The deployment's desired replicas. */
export async function replicasOf(sandbox: Sandbox, namespace: string, name: string): Promise<number> {
  return (JSON.parse((await sandbox.request('GET', `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`)).text) as { spec: { replicas: number } }).spec.replicas;
}

/** Sets a PodDisruptionBudget's minAvailable: as high as the pods it covers, it blocks every eviction. */
export async function setMinAvailable(sandbox: Sandbox, namespace: string, name: string, minAvailable: number): Promise<void> {
  const r = await sandbox.request('PATCH', `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets/${name}`, { body: { spec: { minAvailable } }, headers: MERGE });
  if (r.status !== 200) throw new Error(`patching PDB ${namespace}/${name}: ${r.status} ${r.text}`);
}
