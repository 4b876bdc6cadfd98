import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/start-sandbox.js';
import { kubectl, raw, sandboxPerTest } from './fidelity-support.js';

// Decoding and validation as the real API server answers them: field paths and messages from
// kubernetes/kubernetes pkg/apis/apps/validation/validation.go and
// pkg/apis/core/validation/validation.go, 400s for undecodable bodies from
// staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go (transformDecodeError) and 422s on
// `patch` from handlers/patch.go.

let sandbox: Sandbox;
const k = sandboxPerTest('maintenance', (s) => { sandbox = s; });

const deployment = (name: string, spec: Record<string, unknown> = {}) => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop' },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } }, ...spec },
});

const events = (reason: string) => sandbox.store.list('events', 'shop').items.filter((e) => e.reason === reason).map((e) => String(e.message));

describe.skipIf(!kubectl)('replicas', () => {
  it('apps/validation ValidateDeploymentSpec: negative replicas are a 422 on spec.replicas', async () => {
    const r = await k.run('patch', 'deployment', 'web', '-n', 'shop', '-p', '{"spec":{"replicas":-1}}');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(sandbox.store.mustGet('apps/deployments', 'shop', 'web').spec.replicas).toBe(3);
  }, 60_000);

  it('handlers/patch.go: a string for replicas in a strategic merge patch is a 422 on patch; no "NaN" ever reaches the controller', async () => {
    const r = await k.run('patch', 'deployment', 'web', '-n', 'shop', '-p', '{"spec":{"replicas":"two"}}');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The request is invalid: patch: Invalid value: "map[spec:map[replicas:two]]": unrecognized type: int32');
    const merge = await k.run('patch', 'deployment', 'web', '-n', 'shop', '--type=merge', '-p', '{"spec":{"replicas":1.5}}');
    expect(merge.code).not.toBe(0);
    expect(merge.stderr).toContain('json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32');
    await sandbox.idle();
    expect(events('ScalingReplicaSet').filter((m) => m.includes('NaN'))).toEqual([]);
  }, 60_000);

  it('handlers/rest.go transformDecodeError: a string for replicas in a created object is a 400 BadRequest', async () => {
    const file = k.file('bad-replicas.json', deployment('bad', { replicas: '3' }));
    const r = await k.run('create', '-f', file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
    expect(sandbox.store.get('apps/deployments', 'shop', 'bad')).toBeUndefined();
  }, 60_000);
});

describe.skipIf(!kubectl)('selectors and templates', () => {
  it('apps/validation ValidateDeploymentUpdate: an apps/v1 selector is immutable', async () => {
    const r = await k.run('patch', 'deployment', 'web', '-n', 'shop', '-p', '{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable');
  }, 60_000);

  it('apps/validation ValidateDeploymentSpec: a selector the template labels do not satisfy is a 422', async () => {
    const file = k.file('mismatch.json', deployment('mismatch', { template: { metadata: { labels: { app: 'something-else' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } }));
    const r = await k.run('create', '-f', file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Deployment "mismatch" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"something-else"}: `selector` does not match template `labels`');
  }, 60_000);

  it('apps/validation: an empty selector is invalid for a deployment', async () => {
    const r = await raw(sandbox, 'POST', '/apis/apps/v1/namespaces/shop/deployments', JSON.parse(deployment('empty', { selector: {} })));
    expect(r.status).toBe(422);
    expect(r.body.details.causes).toContainEqual({ reason: 'FieldValueInvalid', field: 'spec.selector', message: 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment' });
  });

  it('apps/validation ValidateStatefulSetUpdate: only some StatefulSet fields may change', async () => {
    const r = await k.run('patch', 'statefulset', 'postgres', '-n', 'shop', '-p', '{"spec":{"serviceName":"elsewhere"}}');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("The StatefulSet \"postgres\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
  }, 60_000);
});

describe.skipIf(!kubectl)('pods', () => {
  it('core/validation ValidatePodSpec: a pod with no containers is a 422 on spec.containers', async () => {
    const file = k.file('empty-pod.json', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hollow', namespace: 'shop' }, spec: { containers: [] } }));
    const r = await k.run('create', '-f', file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Pod "hollow" is invalid: spec.containers: Required value');
  }, 60_000);

  it('core/validation ValidatePodSpec: duplicate container names and a missing image, all reported at once', async () => {
    const r = await raw(sandbox, 'POST', '/api/v1/namespaces/shop/pods', { metadata: { name: 'twins' }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'a' }] } });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('Pod "twins" is invalid: [spec.containers[1].name: Duplicate value: "a", spec.containers[1].image: Required value]');
  });

  it('core/validation ValidatePodUpdate: moving a pod to another node is forbidden; changing its image is not', async () => {
    const r = await k.run('patch', 'pod', 'debug-shell', '-n', 'shop', '-p', '{"spec":{"nodeName":"node03"}}');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Pod "debug-shell" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)');
    expect(sandbox.store.mustGet('pods', 'shop', 'debug-shell').spec.nodeName).toBe('node02');
    await k.ok('set', 'image', 'pod/debug-shell', '-n', 'shop', 'shell=busybox:1.37');
    expect(sandbox.store.mustGet('pods', 'shop', 'debug-shell').spec.containers[0].image).toBe('busybox:1.37');
  }, 60_000);

  it('core/validation ValidatePodUpdate: adding a container to a running pod is forbidden', async () => {
    const r = await k.run('patch', 'pod', 'debug-shell', '-n', 'shop', '-p', '{"spec":{"containers":[{"name":"extra","image":"busybox:1.36"}]}}');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec: Forbidden: pod updates may not change fields other than');
  }, 60_000);
});
