import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKubeconfig } from '../../src/sandbox/kubeconfig.js';

/**
 * A loopback proxy in front of the sandbox that answers `GET …/pods/NAME/log` for chosen pods with
 * a chosen text, and passes everything else through untouched. For log output the sandbox does
 * not generate (very long lines), seen by a real worker through client-node.
 */
export async function startLogProxy(kubeconfigPath: string, logs: Readonly<Record<string, string>>): Promise<{ kubeconfigPath: string; close(): Promise<void> }> {
  // The sandbox serves https with its own CA; the proxy speaks http to the worker and passes the
  // worker's own token on, so RBAC still applies to everything but the canned logs.
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const cluster = kc.getCurrentCluster()!;
  const token = kc.getCurrentUser()!.token!;
  const ca = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString() : undefined;
  const upstream = new URL(cluster.server);
  const server: Server = createServer((req, res) => {
    const m = /^\/api\/v1\/namespaces\/[^/]+\/pods\/([^/]+)\/log(?:\?|$)/.exec(req.url ?? '');
    const text = m ? logs[decodeURIComponent(m[1]!)] : undefined;
    if (text !== undefined) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(text);
      return;
    }
    const out = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host }, ...(ca ? { ca } : {}) }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = await mkdtemp(join(tmpdir(), 'sitrep-log-proxy-'));
  const proxyKubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(proxyKubeconfig, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, { token });
  return {
    kubeconfigPath: proxyKubeconfig,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
