import { describe, expect, it } from 'vitest';
import { formatBytes, formatCpu, humanBytes, parseBytes, parseCpu } from '../../src/sandbox/quantity.js';

describe('quantities', () => {
  it.each([['100m', 100], ['2', 2000], ['0.5', 500], ['1.5', 1500], ['250m', 250], ['1e-1', 100], [undefined, 0]] as const)('cpu %s = %i millicores', (text, milli) => {
    expect(parseCpu(text)).toBe(milli);
  });
  it.each([['128Mi', 128 * 2 ** 20], ['1Gi', 2 ** 30], ['1G', 1e9], ['1024', 1024], ['1e3', 1000], ['64Ki', 65536], ['500M', 5e8], ['0.5Gi', 2 ** 29]] as const)('memory %s = %i bytes', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });
  it('rejects text the API server rejects', () => {
    expect(() => parseBytes('12 GB')).toThrow(/quantities must match/);
    expect(() => parseCpu('two')).toThrow(/quantities must match/);
  });
  it('formats for display', () => {
    expect(formatCpu(1500)).toBe('1500m');
    expect(formatCpu(2000)).toBe('2');
    expect(formatBytes(2 ** 30)).toBe('1Gi');
    expect(formatBytes(1536 * 2 ** 20)).toBe('1536Mi');
    expect(formatBytes(1000)).toBe('1000');
    expect(humanBytes(1.5 * 2 ** 30)).toBe('1.5Gi');
  });
});
