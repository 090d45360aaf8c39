import {
  activeUsersChartMinutes,
  type CtaCounts,
  type EventType,
  type KpiEvent,
  type MinutePoint,
  type ProductUsageKpis,
} from '@kpiwall/shared';
import { ActivityIndex } from './activity-index.ts';
import { minuteMs, minuteOf, type LocalCalendar } from './local-calendar.ts';
import {
  calendarWindowDays,
  calendarWindows,
  dayMs,
  hourMs,
  type CalendarWindow,
} from './windows.ts';
import { meanSeconds, percentOf, quantileSeconds } from './measures.ts';

/*
 * Decisions where ../KPIS.md ("Product usage") leaves room:
 * - A session is identified by (account_id, session_id). account_id: events are partitioned
 *   by account (DESIGN.md), so a session must not span accounts or two aggregator instances
 *   would each count a part of it; tickets are (account_id, ticket_id) for the same reason.
 *   Not user_id: KPIS.md says "one session_id", and user_id is always present on page.viewed
 *   and feature.used anyway, so it adds nothing but splitting a shared session.
 * - A session as of as_of is its events at or before as_of: the first and last of those give
 *   the duration, their count the bounce test, and the local day of the last one the window
 *   it ended in. `feature.used` without session_id belongs to no session.
 * - A bounce is a session whose only event (as of as_of) is one page.viewed; a session of one
 *   feature.used is a session of duration 0 but not a bounce.
 * - Feature adoption lists every feature used in the window; CTR and CTA counts list every CTA
 *   shown or clicked in it (CTR null when it was clicked but not shown).
 * - Memory: every index keeps what windows ending at or after the latest `forgetBefore` can
 *   reach (30 local days; 24 h + the current hour for the rolling keys). A session is kept, all
 *   its events, while its last event can be in a reachable window — so a session that started
 *   before the window and continues into it keeps its start. A session whose events all lie
 *   before the window is dropped; an event that arrives after that for its session_id starts a
 *   new session (a session idle longer than the 30-day window is not one session).
 *   An event before the window still opens (or extends) its session, so that a session's
 *   late first events join it; the next `forgetBefore` drops it if nothing reachable follows.
 */

/** Event types that count as activity (../KPIS.md, "Product usage"). */
export const activityEventTypes: ReadonlySet<EventType> = new Set<EventType>([
  'page.viewed',
  'feature.used',
  'onboarding.step_completed',
  'user.activated',
  'user.signed_up',
]);

export type { ProductUsageKpis } from '@kpiwall/shared';

/** The product keys of the live wall (`liveKpiKeys`), what `kpis` has always returned. */
export type ProductUsageWallKpis = Pick<
  ProductUsageKpis,
  'dau' | 'wau' | 'mau' | 'stickiness_dau_mau'
>;

const monthDays = calendarWindowDays['30d'];

type SessionEvent = { timeMs: number; pageView: boolean };
type Session = { events: SessionEvent[]; lastDay: number };
type CtaDay = { shown: number[]; clicked: number[] };
type Span = { first: number; last: number };
type SessionTotals = { durationsMs: number[]; bounces: number };

const hourOf = (timeMs: number): number => Math.floor(timeMs / hourMs) * hourMs;

/**
 * Distinct keys per bucket shorter than the window, with each key's first and last time in
 * the bucket: enough to tell whether a key has an event in a rolling window, because no
 * bucket holds both ends of the window.
 */
class SpanIndex {
  readonly #buckets = new Map<number, Map<string, Span>>();

  record(bucket: number, key: string, timeMs: number): void {
    let spans = this.#buckets.get(bucket);
    if (!spans) {
      spans = new Map();
      this.#buckets.set(bucket, spans);
    }
    const span = spans.get(key);
    if (!span) spans.set(key, { first: timeMs, last: timeMs });
    else {
      span.first = Math.min(span.first, timeMs);
      span.last = Math.max(span.last, timeMs);
    }
  }

  /** Keys with an event in (fromMs, toMs]. */
  distinctIn(fromMs: number, toMs: number): number {
    const inWindow = (t: number): boolean => t > fromMs && t <= toMs;
    const seen = new Set<string>();
    for (const [bucket, spans] of this.#buckets) {
      if (bucket > toMs || bucket + hourMs <= fromMs) continue;
      for (const [key, span] of spans) {
        if (inWindow(span.first) || inWindow(span.last)) seen.add(key);
      }
    }
    return seen.size;
  }

  dropBefore(oldest: number): void {
    for (const bucket of this.#buckets.keys()) if (bucket < oldest) this.#buckets.delete(bucket);
  }
}

const countAtOrBefore = (times: readonly number[], asOfMs: number): number => {
  let n = 0;
  for (const t of times) if (t <= asOfMs) n++;
  return n;
};

/** Events sorted by time at or before as_of: the prefix length. */
const prefixAtOrBefore = (events: readonly SessionEvent[], asOfMs: number): number => {
  let n = events.length;
  while (n > 0 && (events[n - 1]?.timeMs ?? 0) > asOfMs) n--;
  return n;
};

/** Active users and accounts, feature adoption, sessions and CTAs, kept from product events. */
export class ProductUsage {
  readonly #calendar: LocalCalendar;
  readonly #usersByDay = new ActivityIndex();
  readonly #accountsByDay = new ActivityIndex();
  readonly #usersByMinute = new ActivityIndex();
  readonly #usersByHour = new SpanIndex();
  readonly #accountsByHour = new SpanIndex();
  /** Feature → users of it by local day. */
  readonly #featureUsersByDay = new Map<string, ActivityIndex>();
  /** Local day → CTA → event times. */
  readonly #ctasByDay = new Map<number, Map<string, CtaDay>>();
  /** `account_id \0 session_id` → the session's page.viewed / feature.used, by time. */
  readonly #sessions = new Map<string, Session>();
  #newestDay = Number.NEGATIVE_INFINITY;
  #newestMinute = Number.NEGATIVE_INFINITY;
  #newestHour = Number.NEGATIVE_INFINITY;

  constructor(calendar: LocalCalendar) {
    this.#calendar = calendar;
  }

  apply(event: KpiEvent): void {
    if (event.user_id === null) return;
    const day = this.#calendar.dayOf(event.time);
    const dayReachable = day > this.#newestDay - monthDays;
    if (event.type === 'page.viewed' || event.type === 'feature.used') {
      if (event.session_id !== undefined) {
        this.#recordSessionEvent(event.account_id, event.session_id, event);
      }
    }
    if (!dayReachable) return;
    if (event.type === 'cta.shown' || event.type === 'cta.clicked') {
      this.#recordCta(day, event.cta, event.type === 'cta.shown', event.time);
      return;
    }
    if (!activityEventTypes.has(event.type)) return;
    this.#usersByDay.record(day, event.user_id, event.time);
    this.#accountsByDay.record(day, event.account_id, event.time);
    if (event.type === 'feature.used')
      this.#featureIndex(event.feature).record(day, event.user_id, event.time);
    const hour = hourOf(event.time);
    if (hour >= this.#oldestRollingHour()) {
      this.#usersByHour.record(hour, event.user_id, event.time);
      this.#accountsByHour.record(hour, event.account_id, event.time);
    }
    const minute = minuteOf(event.time);
    if (minute > this.#newestMinute - activeUsersChartMinutes * minuteMs) {
      this.#usersByMinute.record(minute, event.user_id, event.time);
    }
  }

  /** The product keys of the live wall (dau, wau, mau, stickiness_dau_mau). */
  wallKpis(asOfMs: number): ProductUsageWallKpis {
    const today = this.#calendar.dayOf(asOfMs);
    const dau = this.#usersByDay.countAsOf(today, asOfMs);
    const wau = this.#activeUsers(today, '7d', asOfMs);
    const mau = this.#activeUsers(today, '30d', asOfMs);
    let dailySum = 0;
    for (let day = today - (monthDays - 1); day <= today; day++) {
      dailySum += this.#usersByDay.countAsOf(day, asOfMs);
    }
    // In the order KPIS.md states it: mean daily DAU / MAU × 100.
    const stickiness = mau === 0 ? null : (dailySum / monthDays / mau) * 100;
    return { dau, wau, mau, stickiness_dau_mau: stickiness };
  }

  /** Every product-usage KPI of ../KPIS.md as of `asOfMs`. */
  kpis(asOfMs: number): ProductUsageKpis {
    const today = this.#calendar.dayOf(asOfMs);
    const wall = this.wallKpis(asOfMs);
    const sessions = this.#sessionTotals(today, asOfMs);
    const perWindow = <T>(compute: (window: CalendarWindow) => T): Record<CalendarWindow, T> => ({
      today: compute('today'),
      '7d': compute('7d'),
      '30d': compute('30d'),
    });
    const accounts = perWindow((w) =>
      this.#accountsByDay.distinctAsOf(firstDay(today, w), today, asOfMs),
    );
    const adoption = perWindow((w) => this.#featureAdoption(today, w, asOfMs));
    const ctas = perWindow((w) => this.#ctaCounts(today, w, asOfMs));
    const ctr = perWindow((w) => ctrOf(ctas[w]));
    const ended = perWindow((w) => sessions[w].durationsMs.length);
    return {
      dau: wall.dau,
      dau_rolling_24h: this.#usersByHour.distinctIn(asOfMs - dayMs, asOfMs),
      wau: wall.wau,
      mau: wall.mau,
      stickiness_dau_mau: wall.stickiness_dau_mau,
      active_accounts_today: accounts.today,
      active_accounts_7d: accounts['7d'],
      active_accounts_30d: accounts['30d'],
      active_accounts_rolling_24h: this.#accountsByHour.distinctIn(asOfMs - dayMs, asOfMs),
      feature_adoption_percent_today: adoption.today,
      feature_adoption_percent_7d: adoption['7d'],
      feature_adoption_percent_30d: adoption['30d'],
      session_duration_median_seconds_today: quantileSeconds(sessions.today.durationsMs, 0.5),
      session_duration_median_seconds_7d: quantileSeconds(sessions['7d'].durationsMs, 0.5),
      session_duration_median_seconds_30d: quantileSeconds(sessions['30d'].durationsMs, 0.5),
      session_duration_mean_seconds_today: meanSeconds(sessions.today.durationsMs),
      session_duration_mean_seconds_7d: meanSeconds(sessions['7d'].durationsMs),
      session_duration_mean_seconds_30d: meanSeconds(sessions['30d'].durationsMs),
      sessions_ended_today: ended.today,
      sessions_ended_7d: ended['7d'],
      sessions_ended_30d: ended['30d'],
      bounce_rate_percent_today: percentOf(sessions.today.bounces, ended.today),
      bounce_rate_percent_7d: percentOf(sessions['7d'].bounces, ended['7d']),
      bounce_rate_percent_30d: percentOf(sessions['30d'].bounces, ended['30d']),
      ctr_percent_today: ctr.today,
      ctr_percent_7d: ctr['7d'],
      ctr_percent_30d: ctr['30d'],
      cta_counts_today: ctas.today,
      cta_counts_7d: ctas['7d'],
      cta_counts_30d: ctas['30d'],
    };
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
    this.#newestHour = Math.max(this.#newestHour, hourOf(asOfMs));
    const oldestDay = this.#newestDay - (monthDays - 1);
    this.#usersByDay.dropBefore(oldestDay);
    this.#accountsByDay.dropBefore(oldestDay);
    for (const index of this.#featureUsersByDay.values()) index.dropBefore(oldestDay);
    for (const day of this.#ctasByDay.keys()) if (day < oldestDay) this.#ctasByDay.delete(day);
    for (const [key, session] of this.#sessions) {
      if (session.lastDay < oldestDay) this.#sessions.delete(key);
    }
    this.#usersByHour.dropBefore(this.#oldestRollingHour());
    this.#accountsByHour.dropBefore(this.#oldestRollingHour());
    this.#usersByMinute.dropBefore(this.#newestMinute - (activeUsersChartMinutes - 1) * minuteMs);
  }

  /** The first hour bucket a rolling 24 h window ending at or after `forgetBefore` reaches. */
  #oldestRollingHour(): number {
    return this.#newestHour - dayMs;
  }

  #activeUsers(today: number, window: CalendarWindow, asOfMs: number): number {
    return this.#usersByDay.distinctAsOf(firstDay(today, window), today, asOfMs);
  }

  #featureIndex(feature: string): ActivityIndex {
    let index = this.#featureUsersByDay.get(feature);
    if (!index) {
      index = new ActivityIndex();
      this.#featureUsersByDay.set(feature, index);
    }
    return index;
  }

  #recordCta(day: number, cta: string, shown: boolean, timeMs: number): void {
    let byCta = this.#ctasByDay.get(day);
    if (!byCta) {
      byCta = new Map();
      this.#ctasByDay.set(day, byCta);
    }
    let times = byCta.get(cta);
    if (!times) {
      times = { shown: [], clicked: [] };
      byCta.set(cta, times);
    }
    (shown ? times.shown : times.clicked).push(timeMs);
  }

  #recordSessionEvent(accountId: string, sessionId: string, event: KpiEvent): void {
    const key = `${accountId}\u0000${sessionId}`;
    let session = this.#sessions.get(key);
    if (!session) {
      session = { events: [], lastDay: Number.NEGATIVE_INFINITY };
      this.#sessions.set(key, session);
    }
    const { events } = session;
    let at = events.length;
    while (at > 0 && (events[at - 1]?.timeMs ?? 0) > event.time) at--;
    events.splice(at, 0, { timeMs: event.time, pageView: event.type === 'page.viewed' });
    if (at === events.length - 1) session.lastDay = this.#calendar.dayOf(event.time);
  }

  #featureAdoption(today: number, window: CalendarWindow, asOfMs: number): Record<string, number> {
    const active = this.#activeUsers(today, window, asOfMs);
    const adoption: Record<string, number> = {};
    for (const [feature, index] of this.#featureUsersByDay) {
      const users = index.distinctAsOf(firstDay(today, window), today, asOfMs);
      // A user of the feature is active, so `active` > 0 whenever `users` is.
      if (users > 0) adoption[feature] = (users / active) * 100;
    }
    return adoption;
  }

  #ctaCounts(today: number, window: CalendarWindow, asOfMs: number): CtaCounts {
    const counts: CtaCounts = {};
    for (let day = firstDay(today, window); day <= today; day++) {
      const byCta = this.#ctasByDay.get(day);
      if (!byCta) continue;
      for (const [cta, times] of byCta) {
        const shown = countAtOrBefore(times.shown, asOfMs);
        const clicked = countAtOrBefore(times.clicked, asOfMs);
        if (shown + clicked === 0) continue;
        const total = counts[cta] ?? { shown: 0, clicked: 0 };
        counts[cta] = { shown: total.shown + shown, clicked: total.clicked + clicked };
      }
    }
    return counts;
  }

  /** Per window: durations (ms) and bounces of the sessions whose last event is in it. */
  #sessionTotals(today: number, asOfMs: number): Record<CalendarWindow, SessionTotals> {
    const totals: Record<CalendarWindow, SessionTotals> = {
      today: { durationsMs: [], bounces: 0 },
      '7d': { durationsMs: [], bounces: 0 },
      '30d': { durationsMs: [], bounces: 0 },
    };
    for (const { events } of this.#sessions.values()) {
      const n = prefixAtOrBefore(events, asOfMs);
      const first = events[0];
      const last = events[n - 1];
      if (n === 0 || !first || !last) continue;
      const endDay = this.#calendar.dayOf(last.timeMs);
      const bounce = n === 1 && first.pageView;
      for (const window of calendarWindows) {
        if (endDay < firstDay(today, window)) continue;
        totals[window].durationsMs.push(last.timeMs - first.timeMs);
        if (bounce) totals[window].bounces++;
      }
    }
    return totals;
  }
}

const firstDay = (today: number, window: CalendarWindow): number =>
  today - (calendarWindowDays[window] - 1);

const ctrOf = (counts: CtaCounts): Record<string, number | null> => {
  const ctr: Record<string, number | null> = {};
  for (const [cta, { shown, clicked }] of Object.entries(counts)) {
    ctr[cta] = percentOf(clicked, shown);
  }
  return ctr;
};
