import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ConfigError, ErrorCode, SitrepError } from './core/errors.js';

/** A redis-server that lives exactly as long as the demo: no persistence, its own temp dir. */
export interface ThrowawayRedis {
  url: string;
  port: number;
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after `timeoutMs`) and removes its folder. */
  stop(timeoutMs?: number): Promise<void>;
}

export const REDIS_MISSING_HINT = [
  'Install it:  sudo apt-get install redis-server   (Debian/Ubuntu)',
  '             brew install redis                  (macOS)',
  'or point the demo at a running Redis:  REDIS_URL=redis://127.0.0.1:6379 npm start',
].join('\n');

/** The first executable `name` on PATH, like `command -v`. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; keep looking.
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts a private redis-server from PATH on a free loopback port, with persistence off.
 * Throws ConfigError (with install instructions as the hint) when there is none.
 */
export async function startThrowawayRedis(options: { binary?: string; signal?: AbortSignal } = {}): Promise<ThrowawayRedis> {
  const binary = options.binary ?? findOnPath('redis-server');
  if (!binary) throw new ConfigError('redis-server is not installed, and REDIS_URL is not set.', { hint: REDIS_MISSING_HINT });
  const dir = await mkdtemp(join(tmpdir(), 'sitrep-demo-redis-'));
  // Another process can take the port between our probe and redis binding it; try again then.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      const child = await launch(binary, port, dir, options.signal);
      return handle(child, port, dir);
    } catch (err) {
      lastError = err;
      if (options.signal?.aborted) break;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw new SitrepError(ErrorCode.RedisUnavailable, `redis-server did not start: ${(lastError as Error)?.message ?? lastError}`, { cause: lastError, hint: REDIS_MISSING_HINT });
}

function launch(binary: string, port: number, dir: string, signal?: AbortSignal): Promise<ChildProcess> {
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes',
    '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--logfile', '',
    '--maxmemory-policy', 'noeviction',
  ];
  // Its own process group: Ctrl-C in a terminal signals the whole foreground group, and Redis
  // would quit at once, under the bot and worker that are still shutting down. We stop it last.
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  return new Promise((resolve, reject) => {
    let output = '';
    let settled = false;
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else {
        // Keep draining its output so a full pipe never blocks it.
        child.stdout!.resume();
        child.stderr!.resume();
        resolve(child);
      }
    };
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
      if (output.includes('Ready to accept connections')) done();
    };
    const onExit = (code: number | null) => done(new Error(`exited with code ${code}: ${output.trim().split('\n').slice(-3).join(' | ')}`));
    const onError = (err: Error) => done(err);
    const onAbort = () => done(new Error('aborted'));
    const timer = setTimeout(() => done(new Error(`not ready after 10 s: ${output.trim().split('\n').slice(-3).join(' | ')}`)), 10_000);
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function handle(child: ChildProcess, port: number, dir: string): ThrowawayRedis {
  // If the demo process dies without stopping us (an uncaught error, process.exit), the server
  // must not outlive it. 'exit' handlers run synchronously, which kill() is.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  let stopped: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    stop(timeoutMs = 3000) {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          });
        }
        process.off('exit', killOnExit);
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
