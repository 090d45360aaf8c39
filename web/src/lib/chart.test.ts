import { describe, expect, it } from 'vitest';
import { chartXRange, chartYMax, toColumns } from './chart.ts';

const minute = (iso: string): number => Date.parse(iso);

describe('toColumns', () => {
  it('turns points into x seconds and y users, in order', () => {
    expect(
      toColumns([
        { minute: minute('2026-11-20T18:00:00Z'), active_users: 4 },
        { minute: minute('2026-11-20T18:01:00Z'), active_users: 9 },
      ]),
    ).toEqual([
      [1_795_197_600, 1_795_197_660],
      [4, 9],
    ]);
  });
});

describe('chartXRange', () => {
  it.each([
    // 120 minutes: the minute of as_of and the 119 before it.
    { asOf: '2026-11-20T18:00:00Z', from: '2026-11-20T16:01:00Z', to: '2026-11-20T18:00:00Z' },
    { asOf: '2026-11-20T18:00:59.999Z', from: '2026-11-20T16:01:00Z', to: '2026-11-20T18:00:00Z' },
    { asOf: '2026-11-20T18:01:00Z', from: '2026-11-20T16:02:00Z', to: '2026-11-20T18:01:00Z' },
  ])('as of $asOf -> $from … $to', ({ asOf, from, to }) => {
    expect(chartXRange(minute(asOf))).toEqual([minute(from) / 1000, minute(to) / 1000]);
  });
});

describe('chartYMax', () => {
  it.each([
    { ys: [], max: 1.15 },
    { ys: [0, 0], max: 1.15 },
    { ys: [10, 40, 20], max: 46 },
  ])('$ys -> $max', ({ ys, max }) => {
    expect(chartYMax(ys)).toBeCloseTo(max, 10);
  });
});
