import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxCredentials } from '../../src/sandbox/start-sandbox.js';
import { statusOf } from './api-fixture.js';
import { Kubectl, kubeConfigOf, kubectl, raw } from './fidelity-support.js';

// Authentication and authorization as kube-apiserver does them:
// staging/src/k8s.io/apiserver/pkg/endpoints/filters/authentication.go (401),
// endpoints/handlers/responsewriters/errors.go (403 wording), endpoints/filters/impersonation,
// plugin/pkg/auth/authorizer/rbac/rbac.go with its bootstrap policy
// (rbac/bootstrappolicy/policy.go), the access reviews (pkg/registry/authorization) and
// k8s.io/client-go/tools/clientcmd, which only sends credentials over TLS.

const root = join(import.meta.dirname, '..', '..');
const RBAC_YAML = join(root, 'deploy', 'kubernetes', 'rbac.yaml');
const NAMESPACE_YAML = join(root, 'deploy', 'kubernetes', 'namespace.yaml');

let sandbox: Sandbox;
const admin = new Kubectl(() => sandbox.kubeconfigPath);
let as: SandboxCredentials | undefined;
const user = new Kubectl(() => as!.kubeconfigPath);

beforeEach(async () => {
  sandbox = await startSandbox({ scenario: 'maintenance', timeScale: 0.02 });
});
afterEach(async () => {
  await sandbox?.close();
  as = undefined;
});
afterAll(() => {
  admin.dispose();
  user.dispose();
});

describe('authentication', () => {
  it('filters/authentication.go: a token that does not authenticate is a 401 Unauthorized Status', async () => {
    const r = await raw(sandbox, 'GET', '/api/v1/pods', undefined, {}, 'not-a-token');
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('responsewriters/errors.go: no credentials is system:anonymous: health is public, the API is not', async () => {
    expect((await raw(sandbox, 'GET', '/readyz', undefined, {}, '')).status).toBe(200);
    const api = await raw(sandbox, 'GET', '/api', undefined, {}, '');
    expect(api.status).toBe(403);
    expect(api.body.message).toBe('forbidden: User "system:anonymous" cannot get path "/api"');
    const pods = await raw(sandbox, 'GET', '/api/v1/namespaces/shop/pods', undefined, {}, '');
    expect(pods.body).toMatchObject({ code: 403, reason: 'Forbidden', message: 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "shop"', details: { kind: 'pods' } });
  });

  it('serviceaccount token authenticator: deleting the ServiceAccount revokes its token (401)', async () => {
    as = await sandbox.addServiceAccount('shop', 'temp');
    expect((await raw(sandbox, 'GET', '/api', undefined, {}, as.token)).status).toBe(200);
    sandbox.store.remove('serviceaccounts', 'shop', 'temp');
    expect((await raw(sandbox, 'GET', '/api', undefined, {}, as.token)).status).toBe(401);
  });
});

describe.skipIf(!kubectl)('RBAC', () => {
  it('rbac.go: a ServiceAccount with no bindings may discover but not list, worded as the real 403', async () => {
    as = await sandbox.addServiceAccount('shop', 'nobody');
    const r = await user.run('get', 'pods');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:shop:nobody" cannot list resource "pods" in API group "" in the namespace "shop"');
  }, 60_000);

  it('rbac.go: the worker ClusterRole from deploy/kubernetes/rbac.yaml, applied with kubectl, grants evictions and nothing it does not list', async () => {
    await admin.ok('apply', '-f', NAMESPACE_YAML);
    expect(await admin.ok('apply', '-f', RBAC_YAML)).toContain('clusterrolebinding.rbac.authorization.k8s.io/sitrep-worker created');
    as = await sandbox.addServiceAccount('sitrep', 'sitrep-worker');
    expect((await user.run('auth', 'can-i', 'create', 'pods', '--subresource=eviction', '-n', 'shop')).stdout.trim()).toBe('yes');
    expect((await user.run('auth', 'can-i', 'list', 'pods', '--all-namespaces')).stdout.trim()).toBe('yes');
    const no = await user.run('auth', 'can-i', 'delete', 'deployments', '-n', 'shop');
    expect(no.stdout.trim()).toBe('no');
    expect(no.code).toBe(1);
    expect((await user.run('auth', 'can-i', 'get', 'secrets', '-n', 'shop')).stdout.trim()).toBe('no');
    expect(await user.ok('get', 'pods', '-n', 'shop')).toMatch(/debug-shell/);
    const create = await user.run('create', 'deployment', 'x', '--image=nginx', '-n', 'shop');
    expect(create.stderr).toContain('deployments.apps is forbidden: User "system:serviceaccount:sitrep:sitrep-worker" cannot create resource "deployments" in API group "apps" in the namespace "shop"');
  }, 60_000);

  it('selfsubjectaccessreview: the allowed reason names the binding, role and subject', async () => {
    await admin.ok('apply', '-f', NAMESPACE_YAML);
    await admin.ok('apply', '-f', RBAC_YAML);
    as = await sandbox.addServiceAccount('sitrep', 'sitrep-worker');
    const r = await raw(sandbox, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'shop', verb: 'create', resource: 'pods', subresource: 'eviction', name: 'x' } },
    }, {}, as.token);
    expect(r.status).toBe(201);
    expect(r.body.status).toEqual({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "sitrep-worker" of ClusterRole "sitrep-worker" to ServiceAccount "sitrep-worker/sitrep"' });
  }, 60_000);

  it('responsewriters/errors.go: a forbidden eviction is worded with the subresource', async () => {
    as = await sandbox.addServiceAccount('shop', 'reader');
    await admin.ok('create', 'rolebinding', 'reader-view', '--clusterrole=view', '--serviceaccount=shop:reader', '-n', 'shop');
    const pod = sandbox.store.list('pods', 'shop').items.find((p) => p.metadata.labels?.app === 'web')!.metadata.name;
    const err = await kubeConfigOf(as.kubeconfigPath).makeApiClient(CoreV1Api).createNamespacedPodEviction({ name: pod, namespace: 'shop', body: { metadata: { name: pod, namespace: 'shop' } } }).catch((e: unknown) => e);
    expect(statusOf(err)).toMatchObject({
      code: 403,
      message: `pods "${pod}" is forbidden: User "system:serviceaccount:shop:reader" cannot create resource "pods/eviction" in API group "" in the namespace "shop"`,
      details: { name: pod, kind: 'pods' },
    });
    expect((await user.run('auth', 'can-i', 'list', 'deployments', '-n', 'shop')).stdout.trim()).toBe('yes');
    expect((await user.run('auth', 'can-i', 'list', 'deployments', '-n', 'monitoring')).stdout.trim()).toBe('no');
  }, 60_000);

  it('rbac.go: a binding to a Role that does not exist explains itself in the reason', async () => {
    as = await sandbox.kubeconfigFor({ user: 'dana', namespace: 'shop' });
    await admin.ok('create', 'rolebinding', 'dangling', '--role=missing', '--user=dana', '-n', 'shop');
    const r = await user.run('get', 'pods');
    expect(r.stderr).toContain('pods is forbidden: User "dana" cannot list resource "pods" in API group "" in the namespace "shop": RBAC: role.rbac.authorization.k8s.io "missing" not found');
  }, 60_000);
});

describe.skipIf(!kubectl)('kubectl auth', () => {
  it('selfsubjectreview: kubectl auth whoami names the user and its groups', async () => {
    as = await sandbox.kubeconfigFor({ user: 'alice', groups: ['oncall'] });
    const out = await user.ok('auth', 'whoami');
    expect(out).toMatch(/Username\s+alice/);
    expect(out).toMatch(/Groups\s+\[oncall system:authenticated\]/);
  }, 60_000);

  it('selfsubjectrulesreview: kubectl auth can-i --list shows what the bindings give', async () => {
    as = await sandbox.kubeconfigFor({ user: 'erin', namespace: 'shop' });
    await admin.ok('create', 'rolebinding', 'erin-view', '--clusterrole=view', '--user=erin', '-n', 'shop');
    const out = await user.ok('auth', 'can-i', '--list', '-n', 'shop');
    expect(out).toMatch(/deployments\.apps\s+\[\]\s+\[\]\s+\[get list watch\]/);
    expect(out).toMatch(/selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
  }, 60_000);

  it('impersonation.go: the admin may act as a ServiceAccount (--as); others may not impersonate', async () => {
    await admin.ok('apply', '-f', NAMESPACE_YAML);
    await admin.ok('apply', '-f', RBAC_YAML);
    expect((await admin.run('auth', 'can-i', 'create', 'pods', '--subresource=eviction', '-n', 'shop', '--as=system:serviceaccount:sitrep:sitrep-worker')).stdout.trim()).toBe('yes');
    expect((await admin.run('auth', 'can-i', 'create', 'deployments', '-n', 'shop', '--as=system:serviceaccount:sitrep:sitrep-worker')).stdout.trim()).toBe('no');
    as = await sandbox.kubeconfigFor({ user: 'mallory' });
    const r = await raw(sandbox, 'GET', '/api/v1/namespaces/shop/pods', undefined, { 'Impersonate-User': 'kubernetes-admin' }, as.token);
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('users "kubernetes-admin" is forbidden: User "mallory" cannot impersonate resource "users" in API group "" at the cluster scope');
  }, 60_000);
});

describe.skipIf(!kubectl)('TLS', () => {
  it('clientcmd: kubectl verifies the serving certificate: without the CA it refuses to connect', async () => {
    const text = readFileSync(sandbox.kubeconfigPath, 'utf8').replace(/ {4}certificate-authority-data: \S+\n/, '');
    const path = join(admin.cacheDir, 'no-ca.kubeconfig');
    writeFileSync(path, text, { mode: 0o600 });
    const noCa = new Kubectl(() => path);
    const r = await noCa.run('get', 'nodes');
    noCa.dispose();
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/certificate signed by unknown authority|x509/);
    expect(sandbox.url).toMatch(/^https:/);
  }, 60_000);

  it('insecure_handler.go: with tls off, no credentials is system:unsecured, and a token is still its user', async () => {
    const plain = await startSandbox({ scenario: 'empty', timeScale: 0.02, tls: false });
    try {
      expect(plain.url).toMatch(/^http:/);
      const who = await raw(plain, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, {}, '');
      expect(who.body.status.userInfo).toEqual({ username: 'system:unsecured', groups: ['system:masters', 'system:authenticated'] });
      const sa = await plain.addServiceAccount('default', 'worker');
      const err = await kubeConfigOf(sa.kubeconfigPath).makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'default' }).catch((e: unknown) => e);
      expect(statusOf(err).code).toBe(403);
    } finally {
      await plain.close();
    }
  }, 60_000);
});
