/** A weighted option for {@link Random.weighted}: the value and its relative weight (>= 0). */
export type Weighted<T> = readonly [value: T, weight: number];

/**
 * Seeded pseudo-random numbers (mulberry32) with the distributions the simulator needs.
 * The same seed always gives the same sequence, so a world built from it is reproducible.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    // Fold the high bits in, so seeds that differ only above 2^32 still differ.
    this.state = (Math.floor(seed / 2 ** 32) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let mixed = this.state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max] (both inclusive). */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A value chosen with probability proportional to its weight. */
  weighted<T>(options: readonly Weighted<T>[]): T {
    let total = 0;
    for (const [, weight] of options) total += weight;
    let remaining = this.next() * total;
    for (const [value, weight] of options) {
      remaining -= weight;
      if (remaining < 0) return value;
    }
    const last = options.at(-1);
    if (last === undefined) throw new Error('weighted choice from an empty list');
    return last[0];
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Log-normal with the given median; sigma is the spread of the underlying normal. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Poisson-distributed count with the given mean. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    // Knuth's product method underflows for large means; the normal approximation is fine there.
    if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count += 1;
      product *= this.next();
    }
    return count;
  }
}
