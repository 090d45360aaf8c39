import { liveKpiKeys } from '@kpiwall/shared/wall';
import { describe, expect, it } from 'vitest';
import { productWall, supportWall, tileTone } from './walls.ts';

describe('tileTone', () => {
  it.each([
    { key: 'oldest_waiting_seconds', value: null, tone: 'normal' },
    { key: 'oldest_waiting_seconds', value: 0, tone: 'normal' },
    { key: 'oldest_waiting_seconds', value: 3_600, tone: 'normal' },
    { key: 'oldest_waiting_seconds', value: 3_601, tone: 'warn' },
    { key: 'oldest_waiting_seconds', value: 14_400, tone: 'warn' },
    { key: 'oldest_waiting_seconds', value: 14_401, tone: 'alert' },
    { key: 'frt_p90_seconds_today', value: 100_000, tone: 'normal' },
    { key: 'backlog_open', value: 5_000, tone: 'normal' },
  ] as const)('$key = $value -> $tone', ({ key, value, tone }) => {
    expect(tileTone(key, value)).toBe(tone);
  });
});

describe('wall specs', () => {
  it('show every live KPI exactly once across the two walls', () => {
    const shown = [...supportWall.tiles, ...productWall.tiles].map((tile) => tile.key).sort();
    expect(shown).toEqual([...liveKpiKeys].sort());
  });
});
