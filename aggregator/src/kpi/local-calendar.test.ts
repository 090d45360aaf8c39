// Unit tests for the local calendar, written from KPIS.md "Time": windows are calendar days in
// the configured time zone, DST-aware ("a Berlin 30-day window may start at 22:00Z").
// A day number is the count of days since 1970-01-01 in local time, so the expected day of a
// local date Y-M-D is Date.UTC(Y, M − 1, D) / 86 400 000 — computed below from the *local*
// date that each instant has by hand, using the zone's offset at that instant.
import { describe, expect, it } from 'vitest';
import { createLocalCalendar } from './local-calendar.ts';

/** Day number of a local calendar date given as 'YYYY-MM-DD'. */
const day = (localDate: string): number => Date.parse(`${localDate}T00:00:00Z`) / 86_400_000;
const at = (iso: string): number => Date.parse(iso);

describe('createLocalCalendar', () => {
  it('numbers days from 1970-01-01 (2026-01-01 is day 20454)', () => {
    // 1970 → 2026 is 56 years with 14 leap days (1972, 1976, …, 2024): 56·365 + 14 = 20454.
    const utc = createLocalCalendar('UTC');
    expect(utc.dayOf(at('1970-01-01T00:00:00Z'))).toBe(0);
    expect(utc.dayOf(at('2026-01-01T00:00:00Z'))).toBe(20_454);
    expect(utc.timeZone).toBe('UTC');
  });

  // Each row: an instant, the local wall time it is in the zone (by hand), the local date.
  it.each([
    // UTC: local time = UTC.
    ['UTC', '2026-01-15T00:00:00.000Z', '00:00 on the 15th', '2026-01-15'],
    ['UTC', '2026-01-15T23:59:59.999Z', '23:59:59.999 on the 15th', '2026-01-15'],
    ['UTC', '2026-01-16T00:00:00.000Z', '00:00 on the 16th', '2026-01-16'],
    // Europe/Berlin in winter, CET = UTC+1: local midnight is 23:00Z the day before.
    ['Europe/Berlin', '2026-01-15T22:59:59.999Z', '23:59:59.999 CET', '2026-01-15'],
    ['Europe/Berlin', '2026-01-15T23:00:00.000Z', '00:00 CET', '2026-01-16'],
    ['Europe/Berlin', '2026-01-15T23:30:00.000Z', '00:30 CET', '2026-01-16'],
    // Europe/Berlin in summer, CEST = UTC+2: local midnight is 22:00Z the day before.
    ['Europe/Berlin', '2026-07-15T21:59:59.999Z', '23:59:59.999 CEST', '2026-07-15'],
    ['Europe/Berlin', '2026-07-15T22:00:00.000Z', '00:00 CEST', '2026-07-16'],
    // 2026-03-29 (last Sunday of March): 02:00 CET → 03:00 CEST at 01:00Z; a 23-hour day
    // from 2026-03-28T23:00Z (midnight CET) to 2026-03-29T22:00Z (midnight CEST).
    ['Europe/Berlin', '2026-03-28T22:59:59.999Z', '23:59:59.999 CET on the 28th', '2026-03-28'],
    ['Europe/Berlin', '2026-03-28T23:00:00.000Z', '00:00 CET on the 29th', '2026-03-29'],
    ['Europe/Berlin', '2026-03-29T00:59:59.999Z', '01:59:59.999 CET', '2026-03-29'],
    ['Europe/Berlin', '2026-03-29T01:00:00.000Z', '03:00 CEST', '2026-03-29'],
    ['Europe/Berlin', '2026-03-29T21:59:59.999Z', '23:59:59.999 CEST on the 29th', '2026-03-29'],
    ['Europe/Berlin', '2026-03-29T22:00:00.000Z', '00:00 CEST on the 30th', '2026-03-30'],
    // 2026-10-25 (last Sunday of October): 03:00 CEST → 02:00 CET at 01:00Z; a 25-hour day
    // from 2026-10-24T22:00Z (midnight CEST) to 2026-10-25T23:00Z (midnight CET).
    ['Europe/Berlin', '2026-10-24T21:59:59.999Z', '23:59:59.999 CEST on the 24th', '2026-10-24'],
    ['Europe/Berlin', '2026-10-24T22:00:00.000Z', '00:00 CEST on the 25th', '2026-10-25'],
    ['Europe/Berlin', '2026-10-25T00:30:00.000Z', '02:30 CEST (first time)', '2026-10-25'],
    ['Europe/Berlin', '2026-10-25T01:30:00.000Z', '02:30 CET (second time)', '2026-10-25'],
    ['Europe/Berlin', '2026-10-25T22:00:00.000Z', '23:00 CET on the 25th', '2026-10-25'],
    ['Europe/Berlin', '2026-10-25T22:59:59.999Z', '23:59:59.999 CET on the 25th', '2026-10-25'],
    ['Europe/Berlin', '2026-10-25T23:00:00.000Z', '00:00 CET on the 26th', '2026-10-26'],
    // America/New_York: EST = UTC−5 in winter, EDT = UTC−4 in summer.
    ['America/New_York', '2026-01-15T04:59:59.999Z', '23:59:59.999 EST on the 14th', '2026-01-14'],
    ['America/New_York', '2026-01-15T05:00:00.000Z', '00:00 EST on the 15th', '2026-01-15'],
    ['America/New_York', '2026-01-16T03:00:00.000Z', '22:00 EST on the 15th', '2026-01-15'],
    ['America/New_York', '2026-07-15T03:59:59.999Z', '23:59:59.999 EDT on the 14th', '2026-07-14'],
    ['America/New_York', '2026-07-15T04:00:00.000Z', '00:00 EDT on the 15th', '2026-07-15'],
    // Asia/Kolkata: IST = UTC+05:30, no DST; local midnight is 18:30Z the day before.
    ['Asia/Kolkata', '2026-01-15T18:29:59.999Z', '23:59:59.999 IST on the 15th', '2026-01-15'],
    ['Asia/Kolkata', '2026-01-15T18:30:00.000Z', '00:00 IST on the 16th', '2026-01-16'],
    ['Asia/Kolkata', '2026-01-15T00:00:00.000Z', '05:30 IST on the 15th', '2026-01-15'],
    // Asia/Kathmandu: UTC+05:45, a quarter-hour offset; local midnight is 18:15Z.
    ['Asia/Kathmandu', '2026-01-15T18:14:59.999Z', '23:59:59.999 on the 15th', '2026-01-15'],
    ['Asia/Kathmandu', '2026-01-15T18:15:00.000Z', '00:00 on the 16th', '2026-01-16'],
  ])('%s: %s is %s → %s', (timeZone, instant, _wallTime, localDate) => {
    expect(createLocalCalendar(timeZone).dayOf(at(instant))).toBe(day(localDate));
  });

  it('gives the same answers whatever order instants are asked in (one calendar reused)', () => {
    // Around the Berlin autumn change, asked newest first and then oldest first.
    const expected: [string, string][] = [
      ['2026-10-25T23:00:00.000Z', '2026-10-26'],
      ['2026-10-25T22:59:59.999Z', '2026-10-25'],
      ['2026-10-25T01:30:00.000Z', '2026-10-25'],
      ['2026-10-24T22:00:00.000Z', '2026-10-25'],
      ['2026-10-24T21:59:59.999Z', '2026-10-24'],
    ];
    const berlin = createLocalCalendar('Europe/Berlin');
    const forwards = [...expected].reverse();
    for (const [instant, localDate] of [...expected, ...forwards, ...expected]) {
      expect(berlin.dayOf(at(instant)), instant).toBe(day(localDate));
    }
  });

  it('has 23 one-hour steps in the Berlin spring-change day and 25 in the autumn one', () => {
    // Count whole UTC hours whose start falls in the local day.
    const berlin = createLocalCalendar('Europe/Berlin');
    const hoursIn = (localDate: string): number => {
      let count = 0;
      const from = at(`${localDate}T00:00:00Z`) - 3 * 3_600_000;
      for (let t = from; t < from + 30 * 3_600_000; t += 3_600_000) {
        if (berlin.dayOf(t) === day(localDate)) count++;
      }
      return count;
    };
    expect(hoursIn('2026-03-29')).toBe(23);
    expect(hoursIn('2026-10-25')).toBe(25);
    expect(hoursIn('2026-01-15')).toBe(24);
  });
});
