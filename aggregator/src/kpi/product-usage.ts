import type { EventType, KpiEvent, MinutePoint } from '@kpiwall/shared';
import { activeUsersChartMinutes } from '@kpiwall/shared';
import { ActivityIndex } from './activity-index.ts';
import { minuteMs, minuteOf, type LocalCalendar } from './local-calendar.ts';
import { calendarWindowDays } from './windows.ts';

/** Event types that count as activity (../KPIS.md, "Product usage"). */
export const activityEventTypes: ReadonlySet<EventType> = new Set<EventType>([
  'page.viewed',
  'feature.used',
  'onboarding.step_completed',
  'user.activated',
  'user.signed_up',
]);

const monthDays = calendarWindowDays['30d'];

export type ProductUsageKpis = {
  dau: number;
  wau: number;
  mau: number;
  stickiness_dau_mau: number | null;
};

/** DAU / WAU / MAU / stickiness and active users per minute, kept from activity events. */
export class ProductUsage {
  readonly #calendar: LocalCalendar;
  readonly #usersByDay = new ActivityIndex();
  readonly #usersByMinute = new ActivityIndex();
  #newestDay = Number.NEGATIVE_INFINITY;
  #newestMinute = Number.NEGATIVE_INFINITY;

  constructor(calendar: LocalCalendar) {
    this.#calendar = calendar;
  }

  apply(event: KpiEvent): void {
    if (!activityEventTypes.has(event.type) || event.user_id === null) return;
    const day = this.#calendar.dayOf(event.time);
    if (day > this.#newestDay - monthDays) this.#usersByDay.record(day, event.user_id, event.time);
    const minute = minuteOf(event.time);
    if (minute > this.#newestMinute - activeUsersChartMinutes * minuteMs) {
      this.#usersByMinute.record(minute, event.user_id, event.time);
    }
  }

  kpis(asOfMs: number): ProductUsageKpis {
    const today = this.#calendar.dayOf(asOfMs);
    const dau = this.#usersByDay.countAsOf(today, asOfMs);
    const wau = this.#usersByDay.distinctAsOf(
      today - (calendarWindowDays['7d'] - 1),
      today,
      asOfMs,
    );
    const mau = this.#usersByDay.distinctAsOf(today - (monthDays - 1), today, asOfMs);
    let dailySum = 0;
    for (let day = today - (monthDays - 1); day <= today; day++) {
      dailySum += this.#usersByDay.countAsOf(day, asOfMs);
    }
    // In the order KPIS.md states it: mean daily DAU / MAU × 100.
    const stickiness = mau === 0 ? null : (dailySum / monthDays / mau) * 100;
    return { dau, wau, mau, stickiness_dau_mau: stickiness };
  }

  /** Distinct active users of each minute of the chart window ending at as_of's minute. */
  activeUsersPerMinute(asOfMs: number): MinutePoint[] {
    const last = minuteOf(asOfMs);
    const points: MinutePoint[] = [];
    for (let i = activeUsersChartMinutes - 1; i >= 0; i--) {
      const minute = last - i * minuteMs;
      points.push({ minute, active_users: this.#usersByMinute.countAsOf(minute, asOfMs) });
    }
    return points;
  }

  /** Drops buckets no window ending at or after `asOfMs` can reach (the clock only moves on). */
  forgetBefore(asOfMs: number): void {
    this.#newestDay = Math.max(this.#newestDay, this.#calendar.dayOf(asOfMs));
    this.#newestMinute = Math.max(this.#newestMinute, minuteOf(asOfMs));
    this.#usersByDay.dropBefore(this.#newestDay - (monthDays - 1));
    this.#usersByMinute.dropBefore(this.#newestMinute - (activeUsersChartMinutes - 1) * minuteMs);
  }
}
