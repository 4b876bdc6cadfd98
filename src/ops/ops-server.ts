import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A readiness check: resolves when the dependency answers, rejects with why not. */
export type ReadinessCheck = { name: string; check: () => Promise<void> };

export interface OpsRoute {
  path: string;
  method: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * `/healthz` (the process is up and doing its work) and `/readyz` (every dependency answers
 * within 2 s), as routes that either process mounts: the bot on Bolt's server, the worker on its
 * own small one.
 * @param notLive why the process, though up, no longer does its work (a worker whose fetch loop
 * is stuck, JobRunner.notTakingJobs): /healthz then answers 503 with it, so the kubelet's
 * liveness probe restarts the process. @defaultValue always live
 */
export function healthRoutes(checks: ReadinessCheck[], extra: OpsRoute[] = [], notLive: () => string | undefined = () => undefined): OpsRoute[] {
  return [
    {
      path: '/healthz',
      method: 'GET',
      handler: (_req, res) => {
        const why = notLive();
        if (why) res.writeHead(503, { 'content-type': 'text/plain' }).end(`not live: ${why}\n`);
        else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      },
    },
    {
      path: '/readyz',
      method: 'GET',
      handler: (_req, res) => {
        void Promise.all(
          checks.map(async (c) => {
            let timer: NodeJS.Timeout | undefined;
            try {
              await Promise.race([c.check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 2s')), 2000)))]);
              return { name: c.name, ok: true as const };
            } catch (err) {
              return { name: c.name, ok: false as const, error: err instanceof Error ? err.message : String(err) };
            } finally {
              clearTimeout(timer);
            }
          }),
        ).then((results) => {
          const ok = results.every((r) => r.ok);
          const body = results.map((r) => (r.ok ? `[+] ${r.name} ok` : `[-] ${r.name} failed: ${r.error}`)).join('\n');
          res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(`${body}\n${ok ? 'ready' : 'not ready'}\n`);
        });
      },
    },
    ...extra,
  ];
}

/** A tiny HTTP server for a process that has no other (the worker). */
export async function startOpsServer(routes: OpsRoute[], port: number, host = '0.0.0.0'): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes.find((r) => r.path === path && r.method === req.method);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    route.handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
