import { ConfigError } from './errors.js';

/** One Redis address. */
export interface RedisNode {
  host: string;
  port: number;
}

/** What `REDIS_URL` names: one server, a Redis Cluster, or a master found through Sentinel. */
export type RedisTarget =
  | { kind: 'standalone'; url: string }
  | { kind: 'cluster'; nodes: RedisNode[]; tls: boolean; username?: string; password?: string }
  | { kind: 'sentinel'; sentinels: RedisNode[]; masterName: string; db: number; tls: boolean; username?: string; password?: string; sentinelPassword?: string };

/** The forms `REDIS_URL` takes, as the error and the README show them. */
export const REDIS_URL_FORMS = 'redis://[USER:PASSWORD@]HOST:PORT[/DB], rediss://… (TLS), redis+cluster://[USER:PASSWORD@]H1:P1,H2:P2 (rediss+cluster:// for TLS), or redis+sentinel://[USER:PASSWORD@]S1:P1,S2:P2/MASTERNAME[/DB][?sentinelPassword=…]';

const DEFAULT_PORT = { cluster: 6379, sentinel: 26379 } as const;

/**
 * Reads `REDIS_URL`. `redis://` and `rediss://` go to ioredis as they are; `redis+cluster://` and
 * `rediss+cluster://` list seed nodes of a Redis Cluster (ioredis finds the rest with CLUSTER
 * SLOTS); `redis+sentinel://` lists sentinels and names the master set after the first `/`
 * (ioredis asks the sentinels where that master is, and again after a failover). User and
 * password apply to the data nodes; a sentinel's own password is `?sentinelPassword=`.
 * The `+cluster`/`+sentinel` scheme follows the convention of redis-py and go-redis
 * (`redis+sentinel://`), since ioredis itself only takes options objects for both.
 * @throws ConfigError naming what is wrong and the accepted forms.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const m = /^(rediss?)(?:\+(cluster|sentinel))?:\/\/(.*)$/i.exec(url.trim());
  if (!m) throw bad(url, 'it does not start with redis://, rediss://, redis+cluster:// or redis+sentinel://');
  const tls = m[1]!.toLowerCase() === 'rediss';
  const mode = m[2]?.toLowerCase() as 'cluster' | 'sentinel' | undefined;
  if (!mode) {
    try {
      const u = new URL(url.trim());
      if (!u.hostname) throw new Error('no host');
    } catch (err) {
      throw bad(url, 'it is not a valid URL', err);
    }
    return { kind: 'standalone', url: url.trim() };
  }
  let rest = m[3]!;
  const query = rest.indexOf('?');
  const params = new URLSearchParams(query >= 0 ? rest.slice(query + 1) : '');
  if (query >= 0) rest = rest.slice(0, query);
  const at = rest.lastIndexOf('@');
  const auth = at >= 0 ? rest.slice(0, at) : '';
  rest = at >= 0 ? rest.slice(at + 1) : rest;
  const [hostList = '', ...path] = rest.split('/');
  const nodes = hostList.split(',').map((h) => node(url, h, DEFAULT_PORT[mode]));
  const colon = auth.indexOf(':');
  const username = decode(colon >= 0 ? auth.slice(0, colon) : auth) || undefined;
  const password = colon >= 0 ? decode(auth.slice(colon + 1)) || undefined : undefined;
  if (mode === 'cluster') {
    if (path.some((p) => p !== '')) throw bad(url, 'a Redis Cluster has no databases or names after the hosts (cluster mode uses database 0 only)');
    return { kind: 'cluster', nodes, tls, ...(username ? { username } : {}), ...(password ? { password } : {}) };
  }
  const [masterName = '', dbText = '0', ...extra] = path;
  if (!/^[A-Za-z0-9._-]+$/.test(masterName)) throw bad(url, 'it names no master set after the sentinels (…/MASTERNAME)');
  if (!/^\d+$/.test(dbText || '0') || extra.some((p) => p !== '')) throw bad(url, `"${path.slice(1).join('/')}" after the master name is not a database number`);
  const sentinelPassword = params.get('sentinelPassword') ?? undefined;
  return {
    kind: 'sentinel',
    sentinels: nodes,
    masterName,
    db: Number(dbText || '0'),
    tls,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
  };
}

function node(url: string, text: string, defaultPort: number): RedisNode {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) throw bad(url, `"${text}" is not HOST:PORT`);
  const port = m[2] ? Number(m[2]) : defaultPort;
  if (port < 1 || port > 65535) throw bad(url, `port ${port} of "${text}" is out of range`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Never echoes the URL itself: it may carry a password. */
function bad(url: string, why: string, cause?: unknown): ConfigError {
  const scheme = /^[a-z+]+:/i.exec(url.trim())?.[0] ?? '(no scheme)';
  return new ConfigError(`REDIS_URL (${scheme}…) is invalid: ${why}.`, { hint: `Use one of: ${REDIS_URL_FORMS}.`, ...(cause ? { cause } : {}) });
}

/** Where a target is, for messages: hosts and ports, never credentials. */
export function describeRedisTarget(target: RedisTarget): string {
  const list = (nodes: RedisNode[]) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  if (target.kind === 'cluster') return `cluster nodes ${list(target.nodes)}`;
  if (target.kind === 'sentinel') return `master "${target.masterName}" via sentinels ${list(target.sentinels)}`;
  try {
    const u = new URL(target.url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
}
