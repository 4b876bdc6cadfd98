import { describe, expect, it } from 'vitest';
import { formatBytes, formatCpu, humanBytes, parseBytes, parseCpu, parseQuantityNanos } from '../../src/core/quantity.js';

/**
 * Cases from upstream apimachinery's staging/src/k8s.io/apimachinery/pkg/api/resource/quantity_test.go
 * (TestQuantityParse, its invalid list, TestQuantityParseEmit), written as nano-unit values: the
 * sandbox admits with this parser and the plans read with it, so both must agree with the API server.
 */
const n = (units: bigint | number, exp10 = 0) => BigInt(units) * 10n ** BigInt(exp10 + 9);

describe('quantity.go: ParseQuantity', () => {
  it.each([
    ['0', 0n], ['0n', 0n], ['0Ki', 0n], ['0M', 0n],
    ['1', n(1)], ['1Ki', n(1024)], ['7Mi', n(7 * 2 ** 20)], ['6Gi', n(6 * 2 ** 30)], ['3Ei', n(3n * (1n << 60n))],
    ['5n', 5n], ['4u', 4000n], ['3m', 3_000_000n], ['8k', n(8, 3)], ['50k', n(5, 4)], ['7M', n(7, 6)], ['2P', n(2, 15)], ['1E', n(1, 18)],
    ['1E-3', n(1, -3)], ['1e3', n(1, 3)], ['1e18', n(1, 18)], ['100.035k', n(100035)],
    ['0.001', n(1, -3)], ['0.0005k', n(5, -1)], ['0.5e-2', n(5, -3)], ['10.035M', n(10035, 3)], ['1.3E+6', n(13, 5)],
    ['9.01', n(901, -2)], ['8.1k', n(81, 2)], ['6.987654321G', n(6987654321)],
    // Things that round up to the nano.
    ['3.001n', 4n], ['1.1E-9', 2n], ['0.0000000001', 1n], ['0.0000000005', 1n], ['0.9n', 1n], ['0.00000012345', 124n],
    ['100.035Ki', 102435840n * 10n ** 6n], ['0.5Mi', n(2 ** 19)],
    // "Things written by trolls".
    ['0.000000000001Ki', 2n], ['.001', n(1, -3)], ['.0001k', n(100, -3)], ['1.', n(1)], ['1.G', n(1, 9)],
    ['-1.025Ti', -(1025n * (1n << 40n) * 10n ** 6n)], ['+8k', n(8, 3)],
  ] as const)('%s', (text, nanos) => {
    expect(parseQuantityNanos(text)).toBe(nanos);
  });

  it.each(['', '1.1.M', '1+1.0M', '0.1mi', '0.1am', 'aoeu', '.5i', '1i', '-3.01i', '-3.01e-', '1e4294967297', ' 1', '1 ', '12 GB', 'two', '1K'])(
    'refuses %j with the API server message',
    (text) => {
      expect(() => parseQuantityNanos(text)).toThrow(/quantities must match the regular expression/);
    },
  );
});

describe('MilliValue and Value round up', () => {
  it.each([['100m', 100], ['2', 2000], ['0.5', 500], ['1e-1', 100], ['0.1m', 1], ['1n', 1], [undefined, 0]] as const)('cpu %s = %i millicores', (text, milli) => {
    expect(parseCpu(text)).toBe(milli);
  });
  it.each([['128Mi', 128 * 2 ** 20], ['1G', 1e9], ['1024', 1024], ['1e3', 1000], ['500M', 5e8], ['0.5Gi', 2 ** 29], ['0.5', 1], ['1m', 1]] as const)('%s = %i bytes', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });
});

describe('display', () => {
  it('writes quantities as the API server and people read them', () => {
    expect(formatCpu(1500)).toBe('1500m');
    expect(formatCpu(2000)).toBe('2');
    expect(formatBytes(2 ** 30)).toBe('1Gi');
    expect(formatBytes(1536 * 2 ** 20)).toBe('1536Mi');
    expect(formatBytes(1000)).toBe('1000');
    expect(humanBytes(1.5 * 2 ** 30)).toBe('1.5Gi');
    expect(humanBytes(512)).toBe('512');
  });
});
