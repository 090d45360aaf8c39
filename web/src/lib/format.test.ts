import { describe, expect, it } from 'vitest';
import {
  formatAsOf,
  formatCount,
  formatDuration,
  formatPercent,
  formatValue,
  safeTimeZone,
} from './format.ts';

describe('formatDuration', () => {
  it.each([
    { seconds: 0, text: '0s' },
    { seconds: 45, text: '45s' },
    { seconds: 59.9, text: '59s' },
    { seconds: 60, text: '1m 00s' },
    { seconds: 200, text: '3m 20s' },
    { seconds: 3_599, text: '59m 59s' },
    { seconds: 3_600, text: '1h 00m' },
    { seconds: 3_900, text: '1h 05m' },
    { seconds: 3_959, text: '1h 05m' },
    { seconds: 86_399, text: '23h 59m' },
    { seconds: 86_400, text: '1d 00h' },
    { seconds: 2 * 86_400 + 3 * 3_600 + 59 * 60, text: '2d 03h' },
    { seconds: -5, text: '0s' },
    { seconds: null, text: '—' },
    { seconds: Number.NaN, text: '—' },
  ])('$seconds s -> $text', ({ seconds, text }) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatPercent', () => {
  it.each([
    { percent: 0, text: '0.0%' },
    { percent: 25, text: '25.0%' },
    { percent: 100 / 3, text: '33.3%' },
    { percent: 200 / 3, text: '66.7%' },
    { percent: 12.25, text: '12.3%' },
    { percent: 99.96, text: '100.0%' },
    { percent: 100, text: '100.0%' },
    { percent: null, text: '—' },
    { percent: Number.POSITIVE_INFINITY, text: '—' },
  ])('$percent -> $text', ({ percent, text }) => {
    expect(formatPercent(percent)).toBe(text);
  });
});

describe('formatCount', () => {
  it.each([
    { count: 0, text: '0' },
    { count: 7, text: '7' },
    { count: 999, text: '999' },
    { count: 1_000, text: '1,000' },
    { count: 1_234_567, text: '1,234,567' },
    { count: null, text: '—' },
  ])('$count -> $text', ({ count, text }) => {
    expect(formatCount(count)).toBe(text);
  });
});

describe('formatValue', () => {
  it.each([
    { format: 'count', value: 4_200, text: '4,200' },
    { format: 'duration', value: 200, text: '3m 20s' },
    { format: 'percent', value: 41.66, text: '41.7%' },
    { format: 'percent', value: null, text: '—' },
  ] as const)('$format $value -> $text', ({ format, value, text }) => {
    expect(formatValue(format, value)).toBe(text);
  });
});

describe('formatAsOf', () => {
  const instant = Date.UTC(2026, 10, 20, 17, 0, 5);
  it.each([
    { zone: 'UTC', text: '20 Nov, 17:00:05 UTC' },
    { zone: 'Europe/Berlin', text: '20 Nov, 18:00:05 Europe/Berlin' },
    { zone: 'Not/AZone', text: '20 Nov, 17:00:05 UTC' },
  ])('$zone -> $text', ({ zone, text }) => {
    expect(formatAsOf(instant, zone)).toBe(text);
  });
});

describe('safeTimeZone', () => {
  it.each([
    { zone: 'UTC', safe: 'UTC' },
    { zone: 'America/New_York', safe: 'America/New_York' },
    { zone: 'Mars/Olympus_Mons', safe: 'UTC' },
    { zone: '', safe: 'UTC' },
  ])('$zone -> $safe', ({ zone, safe }) => {
    expect(safeTimeZone(zone)).toBe(safe);
  });
});
