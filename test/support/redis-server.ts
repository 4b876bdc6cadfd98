import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '../../src/demo/redis-server.js';

export interface TestRedis {
  url: string;
  port: number;
  /** The server itself: signal it (SIGSTOP to hang it), kill it, restart it. */
  server: RedisServer;
  /** A fresh client; closed by stop(). */
  client(): Redis;
  /** Stop the server (SIGKILL for a crash) and keep the data dir, to restart with `restart()`. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start the server again on the same port and data dir (for AOF persistence tests). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A private redis-server on a free port for one test file (src/demo/redis-server.ts), so tests
 * never share state and never touch the machine's Redis on 6379. `aof: true` turns on
 * append-only persistence with fsync on every write.
 */
export async function startTestRedis(options: { aof?: boolean } = {}): Promise<TestRedis> {
  const server = await startRedisServer({ aof: options.aof });
  const clients: Redis[] = [];
  return {
    url: server.url,
    port: server.port,
    server,
    client() {
      const c = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: null });
      c.on('error', () => {});
      clients.push(c);
      return c;
    },
    kill: (signal = 'SIGTERM') => server.kill({ signal }),
    restart: () => server.restart(),
    async stop() {
      for (const c of clients) c.disconnect();
      await server.stop(1000);
    },
  };
}
