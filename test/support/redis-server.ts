import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

export interface TestRedis {
  url: string;
  port: number;
  /** A fresh client; closed by stop(). */
  client(): Redis;
  /** Stop the server (SIGKILL with `crash`) and keep the data dir, to restart with `restart()`. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start the server again on the same port and data dir (for AOF persistence tests). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Spawns a private redis-server on a free port for one test file, so tests never share state
 * and never touch the machine's Redis on 6379. `aof: true` turns on append-only persistence.
 */
export async function startTestRedis(options: { aof?: boolean } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sitrep-redis-'));
  const clients: Redis[] = [];
  let proc: ChildProcess | undefined;

  const launch = async () => {
    const args = [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
      '--appendonly', options.aof ? 'yes' : 'no', '--appendfsync', 'always',
      '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--logfile', '',
    ];
    proc = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    // A test process that dies without its afterAll must not leave a redis-server behind.
    const child = proc;
    process.once('exit', () => child.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      proc!.once('error', (err) => reject(new Error(`cannot start redis-server (is it installed?): ${err.message}`)));
      const deadline = Date.now() + 10_000;
      const probe = () => {
        const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        c.on('error', () => {});
        c.connect()
          .then(() => c.ping())
          .then(() => { c.disconnect(); resolve(); })
          .catch(() => {
            c.disconnect();
            if (Date.now() > deadline) reject(new Error(`redis-server on port ${port} did not start`));
            else setTimeout(probe, 25);
          });
      };
      probe();
    });
  };

  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => { p.once('exit', () => resolve()); p.kill(signal); });
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    client() {
      const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null });
      c.on('error', () => {});
      clients.push(c);
      return c;
    },
    kill,
    restart: launch,
    async stop() {
      for (const c of clients) c.disconnect();
      await kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
