import { describe, expect, it } from 'vitest';
import { Random } from './random.ts';

const draws = (random: Random, count: number) => Array.from({ length: count }, () => random.next());

describe('Random', () => {
  it('repeats its sequence for a seed and differs between seeds, also above 2^32', () => {
    expect(draws(new Random(42), 50)).toEqual(draws(new Random(42), 50));
    expect(draws(new Random(42), 50)).not.toEqual(draws(new Random(43), 50));
    expect(draws(new Random(7), 50)).not.toEqual(draws(new Random(7 + 2 ** 32), 50));
  });

  it('draws uniformly in [0, 1)', () => {
    const values = draws(new Random(1), 20_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 1);
  });

  it('keeps integers within inclusive bounds and reaches both ends', () => {
    const random = new Random(2);
    const values = new Set(Array.from({ length: 2_000 }, () => random.integer(3, 6)));
    expect([...values].sort()).toEqual([3, 4, 5, 6]);
  });

  it('chooses in proportion to weight and never a zero weight', () => {
    const random = new Random(3);
    const counts = { a: 0, b: 0, never: 0 };
    for (let draw = 0; draw < 10_000; draw += 1) {
      const choice = random.weighted<keyof typeof counts>([
        ['a', 1],
        ['b', 3],
        ['never', 0],
      ]);
      counts[choice] += 1;
    }
    expect(counts.never).toBe(0);
    expect(counts.b / counts.a).toBeGreaterThan(2.6);
    expect(counts.b / counts.a).toBeLessThan(3.4);
  });

  it('draws log-normal values around their median and Poisson counts around their mean', () => {
    const random = new Random(4);
    const delays = Array.from({ length: 5_001 }, () => random.logNormal(600, 1)).sort(
      (a, b) => a - b,
    );
    expect(delays[2_500]).toBeGreaterThan(540);
    expect(delays[2_500]).toBeLessThan(660);
    for (const mean of [0.3, 4, 120]) {
      const counts = Array.from({ length: 5_000 }, () => random.poisson(mean));
      const average = counts.reduce((sum, count) => sum + count, 0) / counts.length;
      expect(Math.abs(average - mean)).toBeLessThan(mean * 0.06 + 0.02);
      expect(counts.every((count) => Number.isInteger(count) && count >= 0)).toBe(true);
    }
  });
});
