// The Wilson score interval for a binomial proportion (Wilson 1927; Brown, Cai &
// DasGupta 2001 recommend it over the normal approximation for small n), pure.

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export type Interval = { lower: number; upper: number };

/** The interval for `successes` of `n` at `z` (95% by default); n = 0 knows nothing: [0, 1]. */
export function wilsonInterval(successes: number, n: number, z = Z95): Interval {
  if (!Number.isInteger(successes) || !Number.isInteger(n) || n < 0 || successes < 0 || successes > n) {
    throw new RangeError(`wilsonInterval needs 0 ≤ successes ≤ n, integers (got ${successes} of ${n})`);
  }
  if (n === 0) return { lower: 0, upper: 1 };
  const p = successes / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denominator = 1 + z2 / n;
  return { lower: Math.max(0, (centre - spread) / denominator), upper: Math.min(1, (centre + spread) / denominator) };
}

/**
 * The fewest trials, all successes, whose lower bound reaches `target`: n of n has the
 * lower bound n / (n + z²), so n ≥ z²·t / (1 − t). Null for a target of 1, which no n reaches.
 */
export function fewestAllSuccesses(target: number, z = Z95): number | null {
  if (target >= 1) return null;
  return Math.max(1, Math.ceil((z * z * target) / (1 - target) - 1e-9));
}
