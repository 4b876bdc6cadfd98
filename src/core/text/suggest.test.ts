import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from './suggest.js';

const VERBS = ['get', 'describe', 'logs', 'top', 'cordon', 'uncordon', 'drain', 'restart', 'scale', 'delete', 'jobs', 'status', 'audit', 'help'];

describe('suggest', () => {
  it.each<[string, string | undefined]>([
    ['drian', 'drain'],
    ['dran', 'drain'],
    ['DRAIN', 'drain'],
    ['sclae', 'scale'],
    ['restrat', 'restart'],
    ['gt', 'get'],
    ['cordn', 'cordon'],
    ['uncrodon', 'uncordon'],
    ['desc', 'describe'],
    ['stat', 'status'],
    ['x', undefined],
    ['kubectl', undefined],
    ['', undefined],
    ['z'.repeat(10_000), undefined],
  ])('%s → %s', (input, expected) => {
    expect(suggest(input, VERBS)).toBe(expected);
  });

  it('suggests flags, and never one letter for another', () => {
    const flags = ['--force', '--timeout', '-n', '-A'];
    expect(suggest('--forse', flags)).toBe('--force');
    expect(suggest('--timout', flags)).toBe('--timeout');
    expect(suggest('-a', flags)).toBe('-A');
    expect(suggest('-x', flags)).toBeUndefined();
  });

  it('counts an adjacent transposition as one edit', () => {
    expect(editDistance('drian', 'drain')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
