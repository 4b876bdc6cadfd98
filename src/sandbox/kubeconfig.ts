import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface KubeconfigOptions {
  /** Bearer token of the user. */
  token: string;
  /** Name of the cluster, user and context.
   * @defaultValue 'sandbox' */
  name?: string;
  /** PEM of the CA that signed the server's certificate (https servers). */
  caPem?: string;
  /** The context's default namespace.
   * @defaultValue 'default' */
  namespace?: string;
}

/**
 * A kubeconfig for the sandbox that kubectl and client-node accept as is: one cluster, one user
 * with a bearer token, one context, all named alike. Plain http on loopback, or https with the
 * sandbox's own CA as certificate-authority-data.
 */
export function kubeconfigYaml(serverUrl: string, options: KubeconfigOptions): string {
  const name = options.name ?? 'sandbox';
  const cluster = options.caPem
    ? [`    certificate-authority-data: ${Buffer.from(options.caPem).toString('base64')}`]
    // client-node 1.x refuses plain http unless this is set; kubectl ignores it for http.
    : ['    insecure-skip-tls-verify: true'];
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${serverUrl}`,
    ...cluster,
    'users:',
    `- name: ${name}`,
    '  user:',
    `    token: ${options.token}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    `    namespace: ${options.namespace ?? 'default'}`,
    `current-context: ${name}`,
    'preferences: {}',
    '',
  ].join('\n');
}

/** Writes the kubeconfig (mode 0600, as kubectl warns about group-readable ones), creating the folder. */
export async function writeKubeconfig(path: string, serverUrl: string, options: KubeconfigOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, kubeconfigYaml(serverUrl, options), { mode: 0o600 });
}
