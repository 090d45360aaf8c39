import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.ts';

describe('EventQueue', () => {
  it('pops by time, and in insertion order at equal times', () => {
    const queue = new EventQueue<string>();
    const pushes: [number, string][] = [
      [30, 'c'],
      [10, 'a1'],
      [20, 'b'],
      [10, 'a2'],
      [5, 'first'],
      [10, 'a3'],
    ];
    for (const [at, item] of pushes) queue.push(at, item);
    expect(queue.peekTime()).toBe(5);
    const popped: string[] = [];
    for (let entry = queue.pop(); entry !== undefined; entry = queue.pop()) popped.push(entry.item);
    expect(popped).toEqual(['first', 'a1', 'a2', 'a3', 'b', 'c']);
    expect(queue.size).toBe(0);
    expect(queue.peekTime()).toBeUndefined();
  });

  it('stays ordered across many interleaved pushes and pops', () => {
    const queue = new EventQueue<number>();
    const popped: number[] = [];
    let seed = 17;
    for (let step = 0; step < 5_000; step += 1) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const floor = popped.at(-1) ?? 0;
      queue.push(floor + (seed % 1_000), floor + (seed % 1_000));
      if (step % 3 === 0) popped.push(queue.pop()?.item ?? NaN);
    }
    for (let entry = queue.pop(); entry !== undefined; entry = queue.pop()) popped.push(entry.item);
    expect(popped).toEqual([...popped].sort((a, b) => a - b));
  });
});
