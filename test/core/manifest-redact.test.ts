import { describe, expect, it } from 'vitest';
import { REMOVED_ANNOTATION, redactManifest } from '../../src/core/text/manifest-redact.js';

const jwt = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJzaXRyZXAtdGVzdCJ9', 'c2lnbmF0dXJlLW5vdC1yZWFs'].join('.');

function pod(extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'api-0', namespace: 'shop', labels: { app: 'api' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"env":"hunter2-applied"}', 'auth.example/session': jwt, team: 'payments' } },
    spec: {
      containers: [{
        name: 'app',
        image: 'registry.example/api@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945',
        args: ['--db-password=hunter2-arg', '--port=8080'],
        env: [
          { name: 'DB_PASSWORD', value: 'hunter2-env' },
          { name: 'STRIPE_KEY', value: 'rk-plain-looking-value' },
          { name: 'DATABASE_URL', value: 'postgres://app:hunter2-url@db:5432/shop' },
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
        ],
      }],
      volumes: [{ name: 'creds', secret: { secretName: 'api' } }],
    },
    ...extra,
  };
}

describe('redactManifest: backups keep what restoring needs and drop secret values', () => {
  it('drops secret env values, the last-applied annotation and secret annotations; keeps valueFrom, volumes, labels, image; says what it removed', () => {
    const out = redactManifest(pod()) as ReturnType<typeof pod>;
    const json = JSON.stringify(out);
    for (const secret of ['hunter2-env', 'rk-plain-looking-value', 'hunter2-url', 'hunter2-applied', 'hunter2-arg', jwt]) expect(json).not.toContain(secret);
    const env = out.spec.containers[0]!.env;
    expect(env.map((e) => e.name)).toEqual(['DB_PASSWORD', 'STRIPE_KEY', 'DATABASE_URL', 'LOG_LEVEL', 'API_TOKEN']);
    expect(env[3]).toEqual({ name: 'LOG_LEVEL', value: 'info' });
    expect(env[4]).toEqual({ name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } });
    expect(out.spec.volumes).toEqual([{ name: 'creds', secret: { secretName: 'api' } }]);
    expect(out.spec.containers[0]!.image).toContain('sha256:4f53');
    expect(out.metadata.labels).toEqual({ app: 'api' });
    const removed = (out.metadata.annotations as Record<string, string>)[REMOVED_ANNOTATION]!.split('\n');
    expect(removed).toEqual(expect.arrayContaining([
      'annotation kubectl.kubernetes.io/last-applied-configuration',
      'annotation auth.example/session',
      'container app env DB_PASSWORD value',
      'container app env STRIPE_KEY value',
      'container app env DATABASE_URL value',
      'secret text in spec.containers[0].args[0]',
    ]));
    expect((out.metadata.annotations as Record<string, string>).team).toBe('payments');
  });

  it('covers workload templates and Secrets, leaves the input alone, and is idempotent', () => {
    const input = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { metadata: { annotations: { token: 'abc' } }, spec: { containers: [{ name: 'web', env: [{ name: 'SECRET_KEY_BASE', value: 'deadbeefcafe' }] }] } } } };
    const copy = structuredClone(input);
    const once = redactManifest(input);
    expect(input).toEqual(copy);
    expect(JSON.stringify(once)).not.toMatch(/deadbeefcafe|"token"/);
    expect(redactManifest(once)).toEqual(once);
    const secret = redactManifest({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: 'aHVudGVyMg==' }, type: 'Opaque' });
    expect(JSON.stringify(secret)).not.toContain('aHVudGVyMg');
  });
});
