/**
 * Onboarding funnel and time to first value (../../../../shared/KPIS.md, "Onboarding").
 *
 * Decisions where KPIS.md leaves room (each one is what the ClickHouse query in
 * test/src/integration/oracle-onboarding.test.ts computes too):
 * - Per user only the FIRST occurrence (by event time) of each funnel step counts, the signup
 *   included: a second `user.signed_up` changes nothing (its plan neither); on equal times the
 *   first one received wins. The funnel is then exactly ClickHouse's
 *   `windowFunnel(1209600000)(ms, step = 1, …, step = n)` (default mode) over those first
 *   occurrences: ClickHouse sorts by (time, step), so equal times count in funnel order, and step k
 *   matches when step k−1 matched earlier and time(k) ≤ time(1) + window. windowFunnel over every
 *   occurrence would differ (a repeated step could match after a step it preceded the first
 *   time), hence the first occurrences. Times in milliseconds: 14 days + 1 ms is outside.
 * - Every funnel key (counts, conversion, drop-off, bottleneck, completion, time between steps)
 *   is over one cohort: users whose first signup is in the `_30d` calendar window.
 * - By signup day: every local day of the window (zeros included), key `YYYY-MM-DD`. By signup
 *   week: the local date of the Monday of each ISO week overlapping the window, `YYYY-MM-DD`
 *   (the first and last weeks are partial). By plan: all three plans of the first signup.
 * - Bottleneck: the step k ≥ 2 with the largest drop-off, the earliest step on a tie; null when
 *   no conversion is defined or no step loses anyone (largest drop-off 0).
 * - TTFV: first `user.activated` − first `user.signed_up`; a user whose first activation
 *   precedes their first signup has no time to first value and is left out.
 * State is one small record per user ever seen (TTFV has no cap, so a signup may matter for
 * ever): nothing is time-bucketed, so there is no `forgetBefore`.
 */
import { signupPlans, type KpiEvent } from '@kpiwall/shared';
import type { FunnelStepCounts, OnboardingKpis } from '@kpiwall/shared';
import type { LocalCalendar } from './local-calendar.ts';
import { calendarWindowDays, calendarWindows, dayMs, inCalendarWindow } from './windows.ts';
import { percentOf, quantileSeconds } from './measures.ts';

type SignupPlan = (typeof signupPlans)[number];

export const defaultFunnelSteps: readonly string[] = [
  'signed_up',
  'profile_completed',
  'first_project_created',
  'teammate_invited',
  'activated',
];

export const defaultConversionWindowMs = 14 * dayMs;

export type OnboardingOptions = {
  /** Step names in order: the first is `user.signed_up`, the last `user.activated`. */
  steps?: readonly string[];
  conversionWindowMs?: number;
};

type UserProgress = {
  /** First time of each funnel step (index 0 = signup); +∞ until seen. */
  firstTimes: number[];
  plan: SignupPlan | null;
};

const cohortDays = calendarWindowDays['30d'];

/** `YYYY-MM-DD` of a local day number (days since 1970-01-01 local). */
const dayKey = (day: number): string => new Date(day * dayMs).toISOString().slice(0, 10);

/** The Monday starting the ISO week of a local day number (1970-01-01 was a Thursday). */
const mondayOf = (day: number): number => day - ((((day + 3) % 7) + 7) % 7);

export class Onboarding {
  readonly #calendar: LocalCalendar;
  readonly #steps: readonly string[];
  readonly #middleStepIndex: ReadonlyMap<string, number>;
  readonly #windowMs: number;
  readonly #users = new Map<string, UserProgress>();

  constructor(calendar: LocalCalendar, options: OnboardingOptions = {}) {
    const steps = options.steps ?? defaultFunnelSteps;
    if (steps.length < 2 || new Set(steps).size !== steps.length) {
      throw new Error('the funnel needs at least two steps, each named once');
    }
    this.#calendar = calendar;
    this.#steps = steps;
    this.#middleStepIndex = new Map(steps.slice(1, -1).map((step, i) => [step, i + 1]));
    this.#windowMs = options.conversionWindowMs ?? defaultConversionWindowMs;
  }

  apply(event: KpiEvent): void {
    if (event.user_id === null) return;
    const index = this.#stepIndexOf(event);
    if (index === undefined) return;
    const user = this.#user(event.user_id);
    // Strictly earlier only: on equal times the first one received stays.
    if (event.time >= (user.firstTimes[index] ?? Number.POSITIVE_INFINITY)) return;
    user.firstTimes[index] = event.time;
    if (event.type === 'user.signed_up') user.plan = event.plan;
  }

  kpis(asOfMs: number): OnboardingKpis {
    const today = this.#calendar.dayOf(asOfMs);
    const firstDay = today - (cohortDays - 1);
    const total = this.#zeroCounts();
    const byDay = new Map<number, number[]>();
    const byWeek = new Map<number, number[]>();
    for (let day = firstDay; day <= today; day++) {
      byDay.set(day, this.#zeroCounts());
      byWeek.set(mondayOf(day), this.#zeroCounts());
    }
    const byPlan = new Map<SignupPlan, number[]>(signupPlans.map((p) => [p, this.#zeroCounts()]));
    const gapsMs: number[][] = this.#steps.map(() => []);
    const ttfvMs = new Map(calendarWindows.map((w) => [w, [] as number[]]));

    for (const user of this.#users.values()) {
      const signedUp = user.firstTimes[0] ?? Number.POSITIVE_INFINITY;
      if (signedUp > asOfMs) continue;
      this.#collectTtfv(user, asOfMs, ttfvMs);
      const signupDay = this.#calendar.dayOf(signedUp);
      if (signupDay < firstDay) continue;
      const reached = this.#stepsReached(user, asOfMs);
      for (const counts of [total, byDay.get(signupDay), byWeek.get(mondayOf(signupDay))]) {
        if (counts) addReach(counts, reached);
      }
      const planCounts = user.plan === null ? undefined : byPlan.get(user.plan);
      if (planCounts) addReach(planCounts, reached);
      for (let k = 1; k < reached; k++) {
        gapsMs[k]?.push((user.firstTimes[k] ?? 0) - (user.firstTimes[k - 1] ?? 0));
      }
    }
    return {
      ...this.#funnel(total, gapsMs),
      funnel_step_counts_by_signup_day: this.#record(byDay, dayKey),
      funnel_step_counts_by_signup_week: this.#record(byWeek, dayKey),
      funnel_step_counts_by_plan: {
        free: this.#named(byPlan.get('free') ?? this.#zeroCounts()),
        trial: this.#named(byPlan.get('trial') ?? this.#zeroCounts()),
        paid: this.#named(byPlan.get('paid') ?? this.#zeroCounts()),
      },
      ...ttfvKpis(ttfvMs),
    };
  }

  #stepIndexOf(event: KpiEvent): number | undefined {
    if (event.type === 'user.signed_up') return 0;
    if (event.type === 'user.activated') return this.#steps.length - 1;
    if (event.type === 'onboarding.step_completed') return this.#middleStepIndex.get(event.step);
    return undefined;
  }

  #user(userId: string): UserProgress {
    let user = this.#users.get(userId);
    if (!user) {
      user = {
        firstTimes: this.#steps.map(() => Number.POSITIVE_INFINITY),
        plan: null,
      };
      this.#users.set(userId, user);
    }
    return user;
  }

  /** How many steps (1…n) a signed-up user reaches as of as_of: the windowFunnel level. */
  #stepsReached(user: UserProgress, asOfMs: number): number {
    const signedUp = user.firstTimes[0] ?? Number.POSITIVE_INFINITY;
    let reached = 1;
    for (let k = 1; k < this.#steps.length; k++) {
      const at = user.firstTimes[k] ?? Number.POSITIVE_INFINITY;
      const previous = user.firstTimes[k - 1] ?? Number.POSITIVE_INFINITY;
      if (at > asOfMs || at < previous || at > signedUp + this.#windowMs) break;
      reached++;
    }
    return reached;
  }

  #collectTtfv(
    user: UserProgress,
    asOfMs: number,
    ttfvMs: ReadonlyMap<(typeof calendarWindows)[number], number[]>,
  ): void {
    const signedUp = user.firstTimes[0] ?? Number.POSITIVE_INFINITY;
    const activated = user.firstTimes[this.#steps.length - 1] ?? Number.POSITIVE_INFINITY;
    if (activated > asOfMs || activated < signedUp) return;
    for (const [window, values] of ttfvMs) {
      if (inCalendarWindow(this.#calendar, activated, asOfMs, window)) {
        values.push(activated - signedUp);
      }
    }
  }

  #funnel(
    reach: readonly number[],
    gapsMs: readonly (readonly number[])[],
  ): Omit<
    OnboardingKpis,
    | 'funnel_step_counts_by_signup_day'
    | 'funnel_step_counts_by_signup_week'
    | 'funnel_step_counts_by_plan'
    | `ttfv_${string}`
  > {
    const conversion: Record<string, number | null> = {};
    const dropoff: Record<string, number | null> = {};
    const gaps: Record<string, number | null> = {};
    let bottleneck: string | null = null;
    let largestDropoff = 0;
    for (let k = 1; k < this.#steps.length; k++) {
      const step = this.#steps[k] ?? '';
      const converted = percentOf(reach[k] ?? 0, reach[k - 1] ?? 0);
      const dropped = converted === null ? null : 100 - converted;
      conversion[step] = converted;
      dropoff[step] = dropped;
      gaps[step] = quantileSeconds(gapsMs[k] ?? [], 0.5);
      if (dropped !== null && dropped > largestDropoff) {
        largestDropoff = dropped;
        bottleneck = step;
      }
    }
    return {
      funnel_step_counts: this.#named(reach),
      funnel_conversion: conversion,
      funnel_dropoff_percent: dropoff,
      funnel_bottleneck_step: bottleneck,
      onboarding_completion_rate_percent: percentOf(
        reach[this.#steps.length - 1] ?? 0,
        reach[0] ?? 0,
      ),
      funnel_time_between_steps_median_seconds: gaps,
    };
  }

  #zeroCounts(): number[] {
    return this.#steps.map(() => 0);
  }

  #named(counts: readonly number[]): FunnelStepCounts {
    return Object.fromEntries(this.#steps.map((step, k) => [step, counts[k] ?? 0]));
  }

  #record(
    countsByDay: ReadonlyMap<number, readonly number[]>,
    key: (day: number) => string,
  ): Record<string, FunnelStepCounts> {
    return Object.fromEntries(
      [...countsByDay].map(([day, counts]) => [key(day), this.#named(counts)]),
    );
  }
}

/** Counts a user reaching steps 1…reached. */
const addReach = (counts: number[], reached: number): void => {
  for (let k = 0; k < reached; k++) counts[k] = (counts[k] ?? 0) + 1;
};

const ttfvKpis = (
  ttfvMs: ReadonlyMap<(typeof calendarWindows)[number], readonly number[]>,
): Pick<OnboardingKpis, Extract<keyof OnboardingKpis, `ttfv_${string}`>> => {
  const today = ttfvMs.get('today') ?? [];
  const week = ttfvMs.get('7d') ?? [];
  const month = ttfvMs.get('30d') ?? [];
  return {
    ttfv_median_seconds_today: quantileSeconds(today, 0.5),
    ttfv_median_seconds_7d: quantileSeconds(week, 0.5),
    ttfv_median_seconds_30d: quantileSeconds(month, 0.5),
    ttfv_p90_seconds_today: quantileSeconds(today, 0.9),
    ttfv_p90_seconds_7d: quantileSeconds(week, 0.9),
    ttfv_p90_seconds_30d: quantileSeconds(month, 0.9),
    ttfv_count_today: today.length,
    ttfv_count_7d: week.length,
    ttfv_count_30d: month.length,
  };
};
