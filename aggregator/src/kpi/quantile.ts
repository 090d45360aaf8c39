/**
 * Exact quantile with linear interpolation between closest ranks, computed exactly as
 * ClickHouse's `quantileExactInclusive` does (h = level·(n−1)+1, same floating-point steps),
 * so live values equal SQL over the raw events to the last bit. `null` for no values.
 */
export const quantileExactInclusive = (values: readonly number[], level: number): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const h = level * (sorted.length - 1) + 1;
  const n = Math.floor(h);
  if (n >= sorted.length) return sorted[sorted.length - 1] ?? null;
  if (n < 1) return sorted[0] ?? null;
  const lower = sorted[n - 1] ?? 0;
  const upper = sorted[n] ?? 0;
  return lower + (h - n) * (upper - lower);
};
