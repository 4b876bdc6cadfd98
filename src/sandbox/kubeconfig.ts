import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The dummy bearer token the sandbox's kubeconfig carries; the sandbox accepts any credentials. */
export const SANDBOX_TOKEN = 'sandbox-token-not-a-secret';

/**
 * A kubeconfig for the sandbox that kubectl and client-node accept as is: one cluster, one user
 * with a dummy token, one context, all named `sandbox`, plain http on loopback.
 */
export function kubeconfigYaml(serverUrl: string, name = 'sandbox'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${serverUrl}`,
    // client-node 1.x refuses plain http unless this is set; kubectl ignores it for http.
    '    insecure-skip-tls-verify: true',
    'users:',
    `- name: ${name}`,
    '  user:',
    `    token: ${SANDBOX_TOKEN}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    '    namespace: default',
    `current-context: ${name}`,
    'preferences: {}',
    '',
  ].join('\n');
}

/** Writes the kubeconfig (mode 0600, as kubectl warns about group-readable ones), creating the folder. */
export async function writeKubeconfig(path: string, serverUrl: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, kubeconfigYaml(serverUrl), { mode: 0o600 });
}
