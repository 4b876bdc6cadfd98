import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/start-sandbox.js';
import { kubectl, raw, sandboxPerTest } from './fidelity-support.js';

// Server-side apply. The sandbox keeps no managedFields, so instead of applying without field
// ownership or conflicts (kinder than a real server) it answers as a server without the feature:
// staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go lists the patch types it takes, and
// negotiation.NewUnsupportedMediaTypeError is the 415. kubectl
// (staging/src/k8s.io/kubectl/pkg/cmd/apply) recognises that answer and says so.

let sandbox: Sandbox;
const k = sandboxPerTest('maintenance', (s) => { sandbox = s; });

const manifest = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ssa, namespace: shop}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: ssa}}\n  template:\n    metadata: {labels: {app: ssa}}\n    spec: {containers: [{name: c, image: "nginx:1.27"}]}\n';

describe('server-side apply', () => {
  it('patch.go: an apply patch is a 415 listing exactly the patch types served, with no details', async () => {
    const r = await raw(sandbox, 'PATCH', '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=test', 'spec:\n  replicas: 2\n', { 'Content-Type': 'application/apply-patch+yaml' });
    expect(r.status).toBe(415);
    expect(r.body).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 415, reason: 'UnsupportedMediaType',
      message: 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json',
    });
    expect(sandbox.store.mustGet('apps/deployments', 'shop', 'web').spec.replicas).toBe(3);
  });

  it.skipIf(!kubectl)('kubectl apply --server-side says the feature is not available and changes nothing; client-side apply works', async () => {
    const file = k.file('ssa.yaml', manifest);
    const r = await k.run('apply', '--server-side', '-f', file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Server-side apply not available on the server');
    expect(sandbox.store.get('apps/deployments', 'shop', 'ssa')).toBeUndefined();
    expect(await k.ok('apply', '-f', file)).toContain('deployment.apps/ssa created');
  }, 60_000);
});
