import { dayMs, hourMs, minuteMs } from './catalog.ts';

// Relative activity by local hour: quiet nights, busy working hours, a lunch dip.
const hourlyActivity: readonly number[] = [
  0.04, 0.03, 0.03, 0.03, 0.04, 0.08, 0.2, 0.45, 0.8, 1, 1, 1, 0.75, 0.95, 1, 1, 0.9, 0.7, 0.45,
  0.3, 0.25, 0.2, 0.12, 0.07,
];
const weekendFactor = 0.25;

const weeklyMean =
  (hourlyActivity.reduce((sum, value) => sum + value, 0) * (5 + 2 * weekendFactor)) / (7 * 24);

/**
 * How busy users in a region are at an instant, relative to their weekly average (mean 1 over
 * a week): high in local working hours on weekdays, low at night and on weekends.
 */
export function activityRhythm(epochMs: number, utcOffsetMinutes: number): number {
  const localMs = epochMs + utcOffsetMinutes * minuteMs;
  const hour = Math.floor((((localMs % dayMs) + dayMs) % dayMs) / hourMs);
  // Day 0 (1970-01-01) was a Thursday: weekday 4 when Sunday is 0.
  const weekday = (((Math.floor(localMs / dayMs) + 4) % 7) + 7) % 7;
  const isWeekend = weekday === 0 || weekday === 6;
  const hourly = hourlyActivity[hour] ?? 0;
  return (hourly * (isWeekend ? weekendFactor : 1)) / weeklyMean;
}
