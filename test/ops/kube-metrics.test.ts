import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentKubeConfig } from '../../src/ops/kube-metrics.js';
import type { KubeCall } from '../../src/ops/metrics.js';

let server: Server;
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const missing = req.url?.startsWith('/api/v1/namespaces/default/pods/');
    res.writeHead(missing ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(missing ? { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 } : { kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  const server_ = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: server_, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't0ken' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

describe('instrumentKubeConfig', () => {
  it('counts every request by verb, resource and code, and sends what an uninstrumented client sends', async () => {
    const calls: KubeCall[] = [];
    const counted = instrumentKubeConfig(kubeConfig(), (c) => calls.push(c)).makeApiClient(CoreV1Api);
    const plain = kubeConfig().makeApiClient(CoreV1Api);

    await plain.listNode();
    await counted.listNode();
    await expect(counted.readNamespacedPod({ name: 'gone', namespace: 'default' })).rejects.toMatchObject({ code: 404 });

    expect(calls.map(({ verb, group, resource, code }) => ({ verb, group, resource, code }))).toEqual([
      { verb: 'list', group: '', resource: 'nodes', code: '200' },
      { verb: 'get', group: '', resource: 'pods', code: '404' },
    ]);
    expect(calls.every((c) => c.seconds >= 0)).toBe(true);
    const [fromPlain, fromCounted] = seen;
    expect(fromCounted.headers['user-agent']).toMatch(/^kubernetes-client-javascript\/\d/);
    expect(fromCounted.headers['user-agent']).toBe(fromPlain.headers['user-agent']);
    expect(fromCounted.headers.authorization).toBe('Bearer t0ken');
  });
});
