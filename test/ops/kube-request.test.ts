import { describe, expect, it } from 'vitest';
import { kubeRequestOf } from '../../src/ops/kube-request.js';
import { slackMethodOf } from '../../src/ops/slack-metrics.js';

describe('kubeRequestOf names requests as RBAC does', () => {
  it.each([
    ['GET', '/api/v1/nodes', { verb: 'list', group: '', resource: 'nodes' }],
    ['GET', '/api/v1/nodes/node02', { verb: 'get', group: '', resource: 'nodes', name: 'node02' }],
    ['PATCH', '/api/v1/nodes/node02', { verb: 'patch', group: '', resource: 'nodes' }],
    ['GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode02&watch=true', { verb: 'watch', group: '', resource: 'pods' }],
    ['GET', '/api/v1/namespaces/shop/pods?watch=1', { verb: 'watch', resource: 'pods', namespace: 'shop' }],
    ['POST', '/api/v1/namespaces/shop/pods/web-1/eviction', { verb: 'create', group: '', resource: 'pods/eviction', namespace: 'shop', name: 'web-1' }],
    ['GET', '/api/v1/namespaces/shop/pods/web-1/log?tailLines=10', { verb: 'get', resource: 'pods/log' }],
    ['DELETE', '/api/v1/namespaces/shop/pods/web-1', { verb: 'delete', resource: 'pods' }],
    ['DELETE', '/api/v1/namespaces/shop/pods', { verb: 'deletecollection', resource: 'pods' }],
    ['PATCH', '/apis/apps/v1/namespaces/shop/deployments/web/scale', { verb: 'patch', group: 'apps', resource: 'deployments/scale' }],
    ['PUT', '/apis/apps/v1/namespaces/shop/statefulsets/db/scale', { verb: 'update', group: 'apps', resource: 'statefulsets/scale' }],
    ['GET', '/apis/policy/v1/poddisruptionbudgets', { verb: 'list', group: 'policy', resource: 'poddisruptionbudgets' }],
    ['GET', '/apis/storage.k8s.io/v1/volumeattachments', { verb: 'list', group: 'storage.k8s.io', resource: 'volumeattachments' }],
    ['GET', '/api/v1/namespaces', { verb: 'list', resource: 'namespaces' }],
    ['GET', '/api/v1/namespaces/shop', { verb: 'get', resource: 'namespaces', name: 'shop' }],
    ['GET', '/version', { verb: 'get', group: '', resource: '/version' }],
  ] as const)('%s %s', (method, path, expected) => {
    expect(kubeRequestOf(method, `https://10.0.0.1:6443${path}`)).toMatchObject(expected);
  });
});

describe('slackMethodOf', () => {
  it('reads the Web API method from the URL, and calls everything else `other`', () => {
    expect(slackMethodOf('https://slack.com/api/chat.postMessage')).toBe('chat.postMessage');
    expect(slackMethodOf('http://127.0.0.1:4000/api/usergroups.users.list')).toBe('usergroups.users.list');
    expect(slackMethodOf('https://files.slack.com/upload/v1/ABC123')).toBe('other');
    expect(slackMethodOf('https://hooks.slack.com/commands/T1/2/abc')).toBe('other');
  });
});
