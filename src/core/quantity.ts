/**
 * Kubernetes resource quantities ("100m", "2", "512Mi", "1G", "1e3"), parsed as the API server
 * parses them: staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go (ParseQuantity) and
 * suffix.go. The value is kept exactly, in nano-units (10^-9), with anything finer rounded up
 * away from zero ("3.001n" is 4n), then read as millicores or bytes rounded up as MilliValue()
 * and Value() do. The sandbox admits and schedules with it, and the plans read the same numbers,
 * so the tests' oracle and sitrep agree to the unit. Pinned to upstream's quantity_test.go cases
 * in test/core/quantity.test.ts.
 */

/** The grammar quantity.go accepts; anything else is refused with its message. */
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

const BINARY_POWER: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** 2^63 - 1 nano-units' worth is far beyond any node; quantity.go saturates at its int64 limit. */
const MAX_INT64 = (1n << 63n) - 1n;
const NANO_PER_UNIT = 1_000_000_000n;

/** Raised for text the API server would refuse; the message is the API server's own. */
export class QuantityError extends Error {
  constructor(readonly text: string) {
    super(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
    this.name = 'QuantityError';
  }
}

/** `a / b` rounded away from zero (inf.RoundUp), for b > 0. */
function divAway(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b === 0n ? q : a > 0n ? q + 1n : q - 1n;
}

/**
 * A quantity in nano-units of its base unit (cores, bytes), exact, rounded up at 1n.
 * @throws QuantityError for text the API server refuses ("", "1 ", "0.1mi", "1.1.M", "aoeu").
 */
export function parseQuantityNanos(text: string): bigint {
  const m = QUANTITY.exec(text);
  if (!m) throw new QuantityError(text);
  const [, sign, whole = '', fraction = '', exponent, suffix = ''] = m;
  // quantity.go needs a digit or a dot before any suffix: "." and "-." are zero, "" and "e3" are not.
  if (whole === '' && fraction === '' && !text.replace(/^[+-]/, '').startsWith('.')) throw new QuantityError(text);
  let digits = BigInt(`${whole}${fraction}` || '0');
  let power10 = -fraction.length;
  if (exponent !== undefined) {
    const e = Number(exponent.slice(1));
    // quantity.go keeps the exponent in an int32 scale and refuses one past it.
    if (!Number.isSafeInteger(e) || Math.abs(e) > 2_147_483_647) throw new QuantityError(text);
    power10 += e;
  } else if (suffix in BINARY_POWER) {
    digits *= 1n << BINARY_POWER[suffix]!;
  } else {
    power10 += DECIMAL_EXPONENT[suffix]!;
  }
  // To nano-units: multiply by 10^(power10 + 9), rounding away from zero when that divides.
  const shift = power10 + 9;
  let nanos: bigint;
  if (shift >= 0) nanos = shift > 40 ? (digits === 0n ? 0n : MAX_INT64 * NANO_PER_UNIT) : digits * 10n ** BigInt(shift);
  else nanos = -shift > 60 ? (digits === 0n ? 0n : 1n) : divAway(digits, 10n ** BigInt(-shift));
  const limit = MAX_INT64 * NANO_PER_UNIT;
  if (nanos > limit) nanos = limit;
  return sign === '-' ? -nanos : nanos;
}

/**
 * A quantity in millicores, rounded up as `Quantity.MilliValue()` does ("0.1m" is 1, "2" is 2000).
 * Undefined, null and "" are 0.
 * @throws QuantityError for text the API server refuses.
 */
export function parseCpu(value: string | number | undefined | null): number {
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value === 'number') return Math.ceil(value * 1000);
  return Number(divAway(parseQuantityNanos(value), 1_000_000n));
}

/**
 * A quantity in whole base units (bytes for memory and storage), rounded up as `Quantity.Value()`
 * does ("0.5" is 1, "1Ki" is 1024). Undefined, null and "" are 0.
 * @throws QuantityError for text the API server refuses.
 */
export function parseBytes(value: string | number | undefined | null): number {
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value === 'number') return Math.ceil(value);
  return Number(divAway(parseQuantityNanos(value), NANO_PER_UNIT));
}

/** Whether the API server would accept this quantity text. */
export function isQuantity(text: string): boolean {
  try {
    parseQuantityNanos(text);
    return true;
  } catch {
    return false;
  }
}

/** Millicores as the API prints them: whole cores as "2", otherwise "1500m". */
export function formatCpu(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

const BINARY_UNITS = [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const;

/** Bytes in the largest binary unit that divides them evenly ("1Gi", "1536Mi", "1000"), as the API writes them. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of BINARY_UNITS) if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

/** Bytes rounded to one decimal of the largest fitting binary unit, for people ("1.5Gi"). */
export function humanBytes(bytes: number): string {
  for (const [unit, size] of BINARY_UNITS.slice(2)) if (bytes >= size) return `${Math.round((bytes / size) * 10) / 10}${unit}`;
  return String(bytes);
}
