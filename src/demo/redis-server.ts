import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ConfigError, ErrorCode, SitrepError } from '../core/errors.js';

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

/** A free TCP port on loopback (another process may still take it before it is bound). */
export function freePort(): Promise<number> {
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

export interface RedisServerOptions {
  /** @defaultValue the first `redis-server` on PATH */
  binary?: string;
  /** Append-only persistence with `appendfsync always` (nothing acknowledged is lost on a crash).
   * @defaultValue false */
  aof?: boolean;
  /** More `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. @defaultValue [] */
  args?: string[];
  /**
   * A configuration file's text, written into the server's folder and passed first: Sentinel
   * needs a writable file (it records what it learns there). @defaultValue none
   */
  config?: string;
  /** The log line that says it is ready. @defaultValue 'Ready to accept connections' (a sentinel: '+monitor master') */
  readyLine?: string;
  /** Fixed port; 0 or unset picks a free one (retried if another process takes it first). */
  port?: number;
  signal?: AbortSignal;
}

/** A private redis-server on loopback, in its own temp folder, stopped and removed by `stop()`. */
export interface RedisServer {
  url: string;
  port: number;
  pid: number;
  dir: string;
  /** Sends a signal: SIGKILL for a crash, SIGSTOP/SIGCONT to hang and resume it. */
  signal(signal: NodeJS.Signals): void;
  /** Stops the server (SIGTERM, or `signal`, then SIGKILL after `timeoutMs`), keeping its folder. */
  kill(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<void>;
  /** Starts it again on the same port and folder (AOF data is read back). */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts a private redis-server from PATH on a free loopback port, in a fresh temp folder. Used
 * by `sitrep demo`, the tests (one per test file, never the machine's 6379) and the chaos suite.
 * @throws ConfigError (with install instructions as the hint) when redis-server is not installed;
 *   SitrepError `sitrep_redis_unavailable` when it would not start.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? findOnPath('redis-server');
  if (!binary) throw new ConfigError('redis-server is not installed, and REDIS_URL is not set.', { hint: REDIS_MISSING_HINT });
  const dir = await mkdtemp(join(tmpdir(), 'sitrep-redis-'));
  const configFile = join(dir, 'redis.conf');
  if (options.config !== undefined) await writeFile(configFile, options.config);
  const ready = options.readyLine ?? 'Ready to accept connections';
  const args = (port: number) => [
    ...(options.config !== undefined ? [configFile] : []),
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', dir,
    '--save', '', '--appendonly', options.aof ? 'yes' : 'no', '--appendfsync', 'always',
    '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--logfile', '',
    ...(options.args ?? []),
  ];
  // Another process can take the port between our probe and redis binding it; try again then.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port || (await freePort());
    try {
      const child = await launch(binary, args(port), ready, options.signal);
      return handle(child, port, dir, () => launch(binary, args(port), ready));
    } catch (err) {
      lastError = err;
      if (options.signal?.aborted || options.port) break;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw new SitrepError(ErrorCode.RedisUnavailable, `redis-server did not start: ${(lastError as Error)?.message ?? lastError}`, { cause: lastError, hint: REDIS_MISSING_HINT });
}

function launch(binary: string, args: string[], ready: string, signal?: AbortSignal): Promise<ChildProcess> {
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
      if (output.includes(ready)) done();
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

function handle(first: ChildProcess, port: number, dir: string, relaunch: () => Promise<ChildProcess>): RedisServer {
  let child: ChildProcess | undefined = first;
  // If the owning process dies without stopping us (an uncaught error, process.exit), the server
  // must not outlive it. 'exit' handlers run synchronously, which kill() is.
  const killOnExit = () => child?.kill('SIGKILL');
  process.on('exit', killOnExit);
  const kill = async ({ signal = 'SIGTERM', timeoutMs = 3000 }: { signal?: NodeJS.Signals; timeoutMs?: number } = {}) => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
      c.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      // A stopped (SIGSTOP) server cannot act on SIGTERM until it runs again.
      c.kill('SIGCONT');
      c.kill(signal);
    });
  };
  let stopped: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid ?? 0;
    },
    dir,
    signal(signal) {
      child?.kill(signal);
    },
    kill,
    async restart() {
      await kill();
      child = await relaunch();
    },
    stop(timeoutMs = 3000) {
      stopped ??= (async () => {
        await kill({ timeoutMs });
        process.off('exit', killOnExit);
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
