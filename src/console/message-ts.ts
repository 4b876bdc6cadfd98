import type { Clock } from '../core/clock.js';

/**
 * Slack message timestamps: `<unix seconds>.<6 digits>`, unique per workspace and increasing,
 * which is what lets apps sort by ts and use it as the message id. Two messages in the same
 * microsecond get consecutive values rather than equal ones.
 */
export class MessageTs {
  private lastMicros = 0;

  constructor(private readonly clock: Clock) {}

  next(): string {
    const micros = Math.max(Math.floor(this.clock.now() * 1000), this.lastMicros + 1);
    this.lastMicros = micros;
    return formatTs(micros);
  }
}

export function formatTs(micros: number): string {
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

/** Sorts Slack ts strings numerically (plain string order breaks once seconds gain a digit). */
export function compareTs(a: string, b: string): number {
  const [as, af = '0'] = a.split('.');
  const [bs, bf = '0'] = b.split('.');
  return Number(as) - Number(bs) || Number(af.padEnd(6, '0')) - Number(bf.padEnd(6, '0'));
}
