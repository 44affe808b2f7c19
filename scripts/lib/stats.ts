// Summary statistics for repeated measurements. Pure.

export type Spread = { min: number; median: number; p95: number; n: number };

/** Nearest-rank percentile of an unsorted sample (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function spread(values: number[]): Spread {
  return { min: percentile(values, 0), median: percentile(values, 50), p95: percentile(values, 95), n: values.length };
}
