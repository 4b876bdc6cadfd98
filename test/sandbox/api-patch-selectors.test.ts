import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/sandbox/api-error.js';
import { jsonPatch, mergePatch } from '../../src/sandbox/http/json-patch.js';
import { decodeDeleteOptions, decodeEnvelope, encodeDeleteOptions } from '../../src/sandbox/http/protobuf.js';
import { matchRequirements, parseLabelSelector } from '../../src/sandbox/http/selectors.js';
import { strategicMergePatch } from '../../src/sandbox/http/strategic-merge.js';

describe('strategic merge patch', () => {
  const deployment = {
    metadata: { name: 'web', labels: { app: 'web' }, annotations: { a: '1' }, finalizers: ['x'] },
    spec: {
      replicas: 2,
      template: {
        metadata: { annotations: { keep: 'me' } },
        spec: { containers: [{ name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }] }, { name: 'side', image: 'side:1' }], tolerations: [{ key: 't' }] },
      },
    },
  };

  it('merges maps, deletes with null, merges containers by name and env by name', () => {
    const out = strategicMergePatch(structuredClone(deployment), {
      metadata: { labels: { tier: 'front' }, annotations: { a: null } },
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } }, spec: { containers: [{ name: 'app', env: [{ name: 'B', value: '2' }] }] } } },
    });
    expect(out.metadata.labels).toEqual({ app: 'web', tier: 'front' });
    expect(out.metadata.annotations).toEqual({});
    expect(out.spec.template.metadata.annotations).toEqual({ keep: 'me', 'kubectl.kubernetes.io/restartedAt': 'now' });
    expect(out.spec.template.spec.containers).toEqual([
      { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
      { name: 'side', image: 'side:1' },
    ]);
  });

  it('honours $patch: delete and replace, replaces lists without a merge key, unions finalizers', () => {
    const out = strategicMergePatch(structuredClone(deployment), {
      metadata: { finalizers: ['y'] },
      spec: { template: { spec: { containers: [{ name: 'side', $patch: 'delete' }], tolerations: [{ key: 'u' }] } } },
    });
    expect(out.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['app']);
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'u' }]);
    expect(out.metadata.finalizers).toEqual(['x', 'y']);
    const replaced = strategicMergePatch(structuredClone(deployment), { metadata: { labels: { $patch: 'replace', only: 'this' } } });
    expect(replaced.metadata.labels).toEqual({ only: 'this' });
    expect(() => strategicMergePatch(deployment, { spec: { template: { spec: { containers: [{ image: 'no-name' }] } } } })).toThrow(ApiError);
  });
});

describe('merge patch and JSON patch', () => {
  it('merge patch follows RFC 7386', () => {
    expect(mergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } })).toEqual({ a: 'z', c: { d: 'e' } });
    expect(mergePatch({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
    // Property: applying a patch twice is the same as applying it once.
    const json = fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 3 })));
    fc.assert(fc.property(json, json, (doc, patch) => {
      const once = mergePatch(doc, patch);
      expect(mergePatch(once, patch)).toEqual(once);
    }));
  });

  it('JSON patch supports add/remove/replace/move/copy/test with pointer escapes', () => {
    const doc = { metadata: { labels: { 'a/b': '1' } }, list: [1, 2] };
    const out = jsonPatch(doc, [
      { op: 'test', path: '/metadata/labels/a~1b', value: '1' },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'replace', path: '/list/0', value: 0 },
      { op: 'copy', from: '/list', path: '/copy' },
      { op: 'move', from: '/metadata/labels/a~1b', path: '/metadata/labels/c' },
      { op: 'remove', path: '/list/1' },
    ]);
    expect(out).toEqual({ metadata: { labels: { c: '1' } }, list: [0, 3], copy: [0, 2, 3] });
    expect(doc.list).toEqual([1, 2]);
    expect(() => jsonPatch(doc, [{ op: 'test', path: '/list/0', value: 9 }])).toThrow(/rejected/);
    expect(() => jsonPatch(doc, [{ op: 'remove', path: '/missing' }])).toThrow(ApiError);
  });
});

describe('label selectors', () => {
  it('parses equality and set-based requirements', () => {
    const m = (sel: string, labels: Record<string, string>) => matchRequirements(parseLabelSelector(sel), labels);
    expect(m('app=web,tier!=db', { app: 'web', tier: 'front' })).toBe(true);
    expect(m('env in (prod, staging),!legacy', { env: 'staging' })).toBe(true);
    expect(m('env notin (prod)', {})).toBe(true);
    expect(m('env', {})).toBe(false);
    expect(m('example.com/team==a', { 'example.com/team': 'a' })).toBe(true);
    expect(() => parseLabelSelector('a in (b')).toThrow(ApiError);
    expect(() => parseLabelSelector('a=b c')).toThrow(ApiError);
  });
});

describe('protobuf DeleteOptions', () => {
  it('round-trips what client-go encodes', () => {
    fc.assert(fc.property(fc.integer({ min: -5, max: 1_000_000 }), fc.string({ maxLength: 40 }), (grace, uid) => {
      const env = decodeEnvelope(encodeDeleteOptions({ gracePeriodSeconds: grace, preconditions: { uid }, propagationPolicy: 'Orphan', dryRun: ['All'] }));
      expect(env.kind).toBe('DeleteOptions');
      expect(decodeDeleteOptions(env.raw)).toEqual({ gracePeriodSeconds: grace, preconditions: { uid }, propagationPolicy: 'Orphan', dryRun: ['All'] });
    }));
    expect(() => decodeEnvelope(Buffer.from('nope'))).toThrow(ApiError);
  });
});
