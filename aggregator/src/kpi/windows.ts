import type { LocalCalendar } from './local-calendar.ts';

/** The calendar windows of ../KPIS.md "Time", by key suffix: `_today`, `_7d`, `_30d`. */
export const calendarWindows = ['today', '7d', '30d'] as const;
export type CalendarWindow = (typeof calendarWindows)[number];

export const calendarWindowDays: Record<CalendarWindow, number> = { today: 1, '7d': 7, '30d': 30 };

export const hourMs = 3_600_000;
export const dayMs = 24 * hourMs;

/**
 * Whether an instant lies in [local midnight (days − 1) days before as_of's day, as_of]:
 * comparing local day numbers makes the window DST-aware without computing midnights.
 */
export const inCalendarWindow = (
  calendar: LocalCalendar,
  timeMs: number,
  asOfMs: number,
  window: CalendarWindow,
): boolean =>
  timeMs <= asOfMs && calendar.dayOf(timeMs) > calendar.dayOf(asOfMs) - calendarWindowDays[window];

/** Whether an instant lies in the rolling window (as_of − duration, as_of]. */
export const inRollingWindow = (timeMs: number, asOfMs: number, durationMs: number): boolean =>
  timeMs > asOfMs - durationMs && timeMs <= asOfMs;
