import { describe, expect, it } from 'vitest';
import { formatEventTime } from './time-format.ts';

const instant = Date.parse('2026-11-20T17:00:00.123Z');

describe('formatEventTime', () => {
  it.each([
    [{ kind: 'utc' } as const, '2026-11-20T17:00:00.123Z'],
    [{ kind: 'offset', offsetMinutes: 60 } as const, '2026-11-20T18:00:00.123+01:00'],
    [{ kind: 'offset', offsetMinutes: -300 } as const, '2026-11-20T12:00:00.123-05:00'],
    [{ kind: 'offset', offsetMinutes: 330 } as const, '2026-11-20T22:30:00.123+05:30'],
    [{ kind: 'offset', offsetMinutes: -420 } as const, '2026-11-20T10:00:00.123-07:00'],
  ])('writes %o as RFC 3339 with milliseconds: %s', (style, expected) => {
    const written = formatEventTime(instant, style);
    expect(written).toBe(expected);
    expect(Date.parse(String(written))).toBe(instant);
  });

  it('crosses midnight into the local date', () => {
    expect(
      formatEventTime(Date.parse('2026-11-20T23:30:00.000Z'), {
        kind: 'offset',
        offsetMinutes: 60,
      }),
    ).toBe('2026-11-21T00:30:00.000+01:00');
  });

  it('writes epoch milliseconds as the integer itself', () => {
    expect(formatEventTime(instant, { kind: 'epoch_ms' })).toBe(instant);
  });
});
