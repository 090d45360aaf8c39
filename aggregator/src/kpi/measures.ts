import { quantileExactInclusive } from './quantile.ts';

// Each in the floating-point order the SQL of the views and oracles uses, so values are
// bit-identical to ClickHouse's.

/** part / whole × 100; null when there is nothing to divide by. */
export const percentOf = (part: number, whole: number): number | null =>
  whole === 0 ? null : (part / whole) * 100;

/** Exact quantile of integer-millisecond durations, in seconds (divided at the end). */
export const quantileSeconds = (durationsMs: readonly number[], level: number): number | null => {
  const quantile = quantileExactInclusive(durationsMs, level);
  return quantile === null ? null : quantile / 1000;
};

/** Mean of millisecond durations in seconds: sum / count / 1000. */
export const meanSeconds = (durationsMs: readonly number[]): number | null => {
  if (durationsMs.length === 0) return null;
  let sum = 0;
  for (const duration of durationsMs) sum += duration;
  return sum / durationsMs.length / 1000;
};
