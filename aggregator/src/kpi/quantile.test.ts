// Unit tests for quantileExactInclusive, written from KPIS.md "Time": quantiles are exact with
// linear interpolation, as ClickHouse `quantileExactInclusive` / SQL `percentile_cont`.
// Definition used for the hand computations below: sort x1 ≤ … ≤ xn, h = level·(n−1) + 1,
// k = ⌊h⌋; the value is xk + (h − k)·(x(k+1) − xk) (xn when k ≥ n, x1 when k < 1).
import { describe, expect, it } from 'vitest';
import { quantileExactInclusive } from './quantile.ts';

describe('quantileExactInclusive', () => {
  it('is null for no values (nothing to compute)', () => {
    expect(quantileExactInclusive([], 0.5)).toBeNull();
    expect(quantileExactInclusive([], 0.9)).toBeNull();
  });

  // Exact cases: the interpolation lands on representable numbers.
  //
  // | values               | level | n  | h               | k  | value                     |
  // |----------------------|-------|----|-----------------|----|---------------------------|
  // | [7]                  | 0.5   | 1  | 1               | 1  | 7                         |
  // | [7]                  | 0.9   | 1  | 1               | 1  | 7                         |
  // | [7]                  | 0     | 1  | 1               | 1  | 7                         |
  // | [7]                  | 1     | 1  | 1               | 1  | 7                         |
  // | [10, 20]             | 0.5   | 2  | 1.5             | 1  | 10 + 0.5·10 = 15          |
  // | [20, 10]             | 0.5   | 2  | 1.5             | 1  | 15 (order of input is irrelevant) |
  // | [10, 20]             | 0     | 2  | 1               | 1  | 10                        |
  // | [10, 20]             | 1     | 2  | 2               | 2  | 20                        |
  // | [30, 10, 20]         | 0.5   | 3  | 2               | 2  | 20                        |
  // | [60, 120, 600]       | 0.5   | 3  | 2               | 2  | 120                       |
  // | [1..11] shuffled     | 0.9   | 11 | 0.9·10+1 = 10   | 10 | 10                        |
  // | [0,10,…,100] shuffled| 0.9   | 11 | 10              | 10 | 90                        |
  // | [0,10,…,100] shuffled| 0.5   | 11 | 6               | 6  | 50                        |
  // | [1, 2, 3, 4]         | 0.5   | 4  | 2.5             | 2  | 2 + 0.5·1 = 2.5           |
  // | [-10, 10]            | 0.5   | 2  | 1.5             | 1  | −10 + 0.5·20 = 0          |
  // | [5, 5, 5]            | 0.9   | 3  | 2.8             | 2  | 5                         |
  // | [5, 1, 3]            | 0     | 3  | 1               | 1  | 1 (minimum)               |
  // | [5, 1, 3]            | 1     | 3  | 3               | 3  | 5 (maximum)               |
  // | [3, 1, 2, 100]       | 0.5   | 4  | 2.5             | 2  | 2 + 0.5·1 = 2.5           |
  it.each([
    { values: [7], level: 0.5, expected: 7 },
    { values: [7], level: 0.9, expected: 7 },
    { values: [7], level: 0, expected: 7 },
    { values: [7], level: 1, expected: 7 },
    { values: [10, 20], level: 0.5, expected: 15 },
    { values: [20, 10], level: 0.5, expected: 15 },
    { values: [10, 20], level: 0, expected: 10 },
    { values: [10, 20], level: 1, expected: 20 },
    { values: [30, 10, 20], level: 0.5, expected: 20 },
    { values: [60, 120, 600], level: 0.5, expected: 120 },
    { values: [4, 11, 1, 9, 2, 10, 3, 8, 5, 7, 6], level: 0.9, expected: 10 },
    { values: [50, 100, 0, 90, 10, 80, 20, 70, 30, 60, 40], level: 0.9, expected: 90 },
    { values: [50, 100, 0, 90, 10, 80, 20, 70, 30, 60, 40], level: 0.5, expected: 50 },
    { values: [1, 2, 3, 4], level: 0.5, expected: 2.5 },
    { values: [-10, 10], level: 0.5, expected: 0 },
    { values: [5, 5, 5], level: 0.9, expected: 5 },
    { values: [5, 1, 3], level: 0, expected: 1 },
    { values: [5, 1, 3], level: 1, expected: 5 },
    { values: [3, 1, 2, 100], level: 0.5, expected: 2.5 },
  ])('$values at $level is $expected', ({ values, level, expected }) => {
    expect(quantileExactInclusive(values, level)).toBe(expected);
  });

  // Interpolated cases (compared to 9 decimals: h − k is not exact in binary floating point).
  //
  // | values             | level | h                 | value                              |
  // |--------------------|-------|-------------------|------------------------------------|
  // | [10, 20]           | 0.9   | 1.9               | 10 + 0.9·10 = 19                   |
  // | [30, 10, 20]       | 0.9   | 2.8               | 20 + 0.8·10 = 28                   |
  // | [60, 120, 600]     | 0.9   | 2.8               | 120 + 0.8·480 = 504                |
  // | [1, 1, 1, 100]     | 0.9   | 0.9·3+1 = 3.7     | 1 + 0.7·99 = 70.3                  |
  // | [3, 1, 2, 100]     | 0.9   | 3.7               | 3 + 0.7·97 = 70.9                  |
  // | [0, 100]           | 0.25  | 1.25              | 0 + 0.25·100 = 25                  |
  // | [2, 4, 6, 8, 10]   | 0.9   | 0.9·4+1 = 4.6     | 8 + 0.6·2 = 9.2                    |
  // | [2, 4, 6, 8, 10]   | 0.1   | 0.1·4+1 = 1.4     | 2 + 0.4·2 = 2.8                    |
  // | [60, 3600]         | 0.5   | 1.5               | 60 + 0.5·3540 = 1830               |
  // | [60, 3600]         | 0.9   | 1.9               | 60 + 0.9·3540 = 3246               |
  it.each([
    { values: [10, 20], level: 0.9, expected: 19 },
    { values: [30, 10, 20], level: 0.9, expected: 28 },
    { values: [60, 120, 600], level: 0.9, expected: 504 },
    { values: [1, 1, 1, 100], level: 0.9, expected: 70.3 },
    { values: [3, 1, 2, 100], level: 0.9, expected: 70.9 },
    { values: [0, 100], level: 0.25, expected: 25 },
    { values: [2, 4, 6, 8, 10], level: 0.9, expected: 9.2 },
    { values: [2, 4, 6, 8, 10], level: 0.1, expected: 2.8 },
    { values: [60, 3600], level: 0.5, expected: 1830 },
    { values: [60, 3600], level: 0.9, expected: 3246 },
  ])('$values at $level is about $expected', ({ values, level, expected }) => {
    expect(quantileExactInclusive(values, level)).toBeCloseTo(expected, 9);
  });

  it('does not reorder the caller’s array', () => {
    const values = [30, 10, 20];
    quantileExactInclusive(values, 0.5);
    expect(values).toEqual([30, 10, 20]);
  });

  it('sorts numerically, not as text (100 after 9)', () => {
    // Sorted numerically: [2, 9, 100]; h = 2 → 9. Text order would be [100, 2, 9] → 2.
    expect(quantileExactInclusive([100, 9, 2], 0.5)).toBe(9);
  });
});
