import { describe, expect, it } from 'vitest';
import { selectorProblem } from '../src/core/label-selector.js';
import { severityValue, timeZoneValue } from './values.js';

describe('selectorProblem', () => {
  it.each([
    'app=web',
    'app==web',
    'tier!=db',
    'app=web,tier!=db',
    'app = web , tier != db',
    '!canary',
    'release',
    'env in (prod,staging)',
    'env notin (dev)',
    'app.kubernetes.io/name=web',
    'app=',
    'replicas>2',
    'v in (a, b),x',
  ])('accepts %s', (s) => {
    expect(selectorProblem(s)).toBeUndefined();
  });

  it.each<[string, RegExp]>([
    ['', /empty/],
    ['=web', /expected a label key/],
    ['app=web,', /ends with a comma/],
    ['app in (a,b', /not closed/],
    ['app in a,b', /needs a list in parentheses/],
    ['app in ()', /is empty/],
    ['App_x!=-bad', /label value/],
    ['-app=web', /label key/],
    ['Bad_Prefix/x=y', /prefix/],
    ['app=web tier=db', /separate requirements with commas/],
    ['app>x', /whole number/],
    ['a'.repeat(2000), /longer than/],
  ])('refuses %s', (s, problem) => {
    expect(selectorProblem(s)).toMatch(problem);
  });
});

describe('severityValue and timeZoneValue', () => {
  it('reads severities people type', () => {
    expect(['1', 'sev1', 'SEV-2', 's3', 'Sev 4'].map((s) => severityValue('--sev', s))).toEqual([1, 1, 2, 3, 4]);
    expect(() => severityValue('--sev', 'P1')).toThrow('--sev must be 1 to 4 (1 is worst), got "P1".');
  });

  it('accepts IANA zones and corrects their case', () => {
    expect(timeZoneValue('--tz', 'Asia/Shanghai')).toBe('Asia/Shanghai');
    expect(timeZoneValue('--tz', 'europe/berlin')).toBe('Europe/Berlin');
    expect(timeZoneValue('--tz', 'UTC')).toBe('UTC');
    expect(() => timeZoneValue('--tz', 'Nowhere/Land')).toThrow(/IANA time zone/);
    expect(() => timeZoneValue('--tz', 'x'.repeat(500))).toThrow(/IANA time zone/);
  });
});
