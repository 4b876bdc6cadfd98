/** Small helpers shared by the benchmark scripts: medians and percentiles, printed plainly. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export const median = (values: number[]) => percentile(values, 50);

export const ms = (v: number) => `${v.toFixed(1)} ms`;
