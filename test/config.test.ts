import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/core/errors.js';
import { loadConfig, parseClusters } from '../src/config.js';
import { parseRedisUrl } from '../src/core/redis-url.js';
import { withConfigTable } from '../scripts/readme-config.js';

describe('configuration', () => {
  it('names every missing or malformed variable in one start-up error', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', SLACK_BOT_TOKEN: 'xoxp-user-token', REDIS_URL: 'not a url' }, 'bot');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    for (const name of ['PORT', 'SLACK_BOT_TOKEN', 'REDIS_URL', 'SLACK_SIGNING_SECRET']) expect(message).toContain(name);
    expect((err as ConfigError).hint).toMatch(/README/);
  });

  it('a worker needs no Slack settings; durations are read as durations', () => {
    const c = loadConfig({ SITREP_SHUTDOWN_TIMEOUT: '45s', SITREP_TIMELINE_RETENTION: '90d', SITREP_JOB_KEY: 'k'.repeat(32) }, 'worker');
    expect(c.SITREP_SHUTDOWN_TIMEOUT).toBe(45_000);
    expect(c.SITREP_TIMELINE_RETENTION).toBe(90 * 86_400_000);
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('every role needs the job key, and says how to make one', () => {
    for (const role of ['bot', 'worker', 'all'] as const) {
      const err = (() => {
        try {
          loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' }, role);
        } catch (e) {
          return e as ConfigError;
        }
      })();
      expect(err?.message, role).toMatch(/SITREP_JOB_KEY: required.*openssl rand -hex 32/);
    }
    expect(() => loadConfig({ SITREP_JOB_KEY: 'short' }, 'worker')).toThrow(/SITREP_JOB_KEY: must be at least 32 characters/);
  });

  it('a worker runs 4 jobs at once unless SITREP_WORKER_CONCURRENCY says otherwise, a whole number from 1 to 256', () => {
    const key = { SITREP_JOB_KEY: 'k'.repeat(32) };
    expect(loadConfig(key, 'worker').SITREP_WORKER_CONCURRENCY).toBe(4);
    expect(loadConfig({ ...key, SITREP_WORKER_CONCURRENCY: '16' }, 'worker').SITREP_WORKER_CONCURRENCY).toBe(16);
    for (const bad of ['0', 'many', '2.5', '1000']) expect(() => loadConfig({ ...key, SITREP_WORKER_CONCURRENCY: bad }, 'worker'), bad).toThrow(/SITREP_WORKER_CONCURRENCY/);
  });

  it('a job beats every 2 s, is lost after 10 s, under a 10 s lock checked every 5 s; a lost-after shorter than two beats is refused', () => {
    const key = { SITREP_JOB_KEY: 'k'.repeat(32) };
    const c = loadConfig(key, 'worker');
    expect([c.SITREP_JOB_HEARTBEAT, c.SITREP_JOB_LOST_AFTER, c.SITREP_JOB_LOCK, c.SITREP_JOB_STALLED_INTERVAL]).toEqual([2000, 10_000, 10_000, 5000]);
    expect(() => loadConfig({ ...key, SITREP_JOB_HEARTBEAT: '5s', SITREP_JOB_LOST_AFTER: '8s' }, 'worker')).toThrow(/SITREP_JOB_LOST_AFTER: must be at least twice SITREP_JOB_HEARTBEAT/);
  });

  it('parses SITREP_CLUSTERS and refuses bad names', () => {
    expect([...parseClusters('prod=prod-admin, staging')]).toEqual([['prod', 'prod-admin'], ['staging', 'staging']]);
    expect(() => parseClusters('Prod_1=x')).toThrow(/invalid cluster name/);
  });

  it('REDIS_URL names one server, a Redis Cluster or a Sentinel master set; anything else is one clear error without the password', () => {
    const key = { SITREP_JOB_KEY: 'k'.repeat(32) };
    expect(parseRedisUrl('redis+cluster://u:p%40ss@10.0.0.1:7000,[::1]:7001,redis-2')).toEqual({
      kind: 'cluster',
      nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '::1', port: 7001 }, { host: 'redis-2', port: 6379 }],
      tls: false,
      username: 'u',
      password: 'p@ss',
    });
    expect(parseRedisUrl('rediss+cluster://h1:7000')).toMatchObject({ kind: 'cluster', tls: true });
    expect(parseRedisUrl('redis+sentinel://:secret@s1:26379,s2/mymaster/2?sentinelPassword=sp')).toEqual({
      kind: 'sentinel',
      sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }],
      masterName: 'mymaster',
      db: 2,
      tls: false,
      password: 'secret',
      sentinelPassword: 'sp',
    });
    expect(loadConfig({ ...key, REDIS_URL: 'redis+sentinel://s1:26379/mymaster' }, 'worker').REDIS_URL).toBe('redis+sentinel://s1:26379/mymaster');
    for (const bad of ['redis+sentinel://:hunter2@s1:26379', 'redis+cluster://:hunter2@h1:99999', 'redis+cluster://:hunter2@h1:7000/3', 'memcached://:hunter2@h1', 'redis+sentinel://:hunter2@s1/m/x']) {
      let err: unknown;
      try {
        loadConfig({ ...key, REDIS_URL: bad }, 'worker');
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message, bad).toMatch(/REDIS_URL: .*is invalid: .*Use one of: redis:\/\/.*redis\+cluster:\/\/.*redis\+sentinel:\/\//);
      expect(message, bad).not.toContain('hunter2');
      expect(message.split('\n').filter((l) => l.includes('REDIS_URL')), bad).toHaveLength(1);
    }
  });

  it("README.md's configuration table is the one the schema writes", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme, 'README.md is stale: run npm run docs:config').toBe(withConfigTable(readme));
  });
});
