// Revenue and retention (KPIS.md, "Revenue and retention"): per-account MRR from subscription
// events, over the rolling period (as_of − 30 × 24 h, as_of].
//
// Decisions where KPIS.md leaves room (also in the issue note):
// - Order of an account's subscription events: by event time, ties to the later arrival. "MRR
//   at T" is set by the latest event with time ≤ T; no event yet means MRR 0.
// - The period's start instant S = as_of − 30 × 24 h belongs to the start state: an event at
//   exactly S counts in CS / MRR at start, and the period's movements are the events in
//   (S, as_of] — the same half-open rule as every rolling window.
// - A movement goes from the account's MRR just before the event (the previous event in that
//   order, or its MRR at S) to the MRR the event sets — not the event's own `mrr_cents_before`
//   / `mrr_cents_lost`, so that for an account with no churn, MRR at S + expansion −
//   contraction = MRR at as_of. Any event taking MRR from > 0 to 0 is churned MRR (a
//   cancellation, a change to 0, or a `started` at 0); only `subscription.changed` between two
//   values > 0 is expansion or contraction.
// - After an account's first churn movement in the period, its later events are new business:
//   a restart and the changes that follow it are neither added back nor counted as movements.
// - Free-to-paid: an account's first `subscription.started` (same order) must have
//   `mrr_cents` 0 and a time in (as_of − 120 × 24 h, as_of − 30 × 24 h]; it converts at the
//   first later event (same order) that sets MRR > 0, if that is at most 30 × 24 h after the
//   start. Every start in the cohort is at least 30 × 24 h before as_of, so its conversion is
//   fully observable. Weeks are keyed by the local date of their Monday (`YYYY-MM-DD`).
// - Churn/retention/annualised churn are null when CS = 0; gross revenue churn and NRR when
//   MRR at S = 0; CLV when churn is 0 or null or there are no customers (no ARPA).
import type { KpiEvent } from '@kpiwall/shared';
import type { FreeToPaidWeek, RevenueKpis } from '@kpiwall/shared';
import type { LocalCalendar } from './local-calendar.ts';
import { dayMs } from './windows.ts';
import { percentOf, quantileSeconds } from './measures.ts';

export type RevenueOptions = {
  /** Length of the retention period, in 24 h days. */
  periodDays: number;
  /** Free starts count when between these many days before as_of: (from, to]. */
  freeCohortFromDays: number;
  freeCohortToDays: number;
  /** A free start converts when its first MRR > 0 is at most this many days later. */
  conversionDays: number;
};

export const defaultRevenueOptions: RevenueOptions = {
  periodDays: 30,
  freeCohortFromDays: 120,
  freeCohortToDays: 30,
  conversionDays: 30,
};

type SubscriptionEvent = {
  timeMs: number;
  arrival: number;
  started: boolean;
  changed: boolean;
  /** The MRR the event sets: started → mrr_cents, changed → mrr_cents_after, cancelled → 0. */
  mrrCents: number;
};

type Movements = { expansion: number; contraction: number; churned: number };

type FreeStart = { startMs: number; convertMs: number | null };

export class Revenue {
  readonly #calendar: LocalCalendar;
  readonly #options: RevenueOptions;
  /** Per account, its subscription events sorted by (time, arrival). */
  readonly #accounts = new Map<string, SubscriptionEvent[]>();
  #arrivals = 0;

  constructor(calendar: LocalCalendar, options: Partial<RevenueOptions> = {}) {
    this.#calendar = calendar;
    this.#options = { ...defaultRevenueOptions, ...options };
  }

  apply(event: KpiEvent): void {
    const entry = subscriptionEventOf(event, this.#arrivals);
    if (entry === null) return;
    this.#arrivals++;
    let events = this.#accounts.get(event.account_id);
    if (!events) {
      events = [];
      this.#accounts.set(event.account_id, events);
    }
    insertSorted(events, entry);
  }

  kpis(asOfMs: number): RevenueKpis {
    const periodStartMs = asOfMs - this.#options.periodDays * dayMs;
    let mrr = 0;
    let customers = 0;
    let mrrAtStart = 0;
    let customersAtStart = 0;
    let churnedAccounts = 0;
    let newCustomers = 0;
    const movements: Movements = { expansion: 0, contraction: 0, churned: 0 };
    const freeStarts: FreeStart[] = [];

    for (const events of this.#accounts.values()) {
      const startMrr = mrrAt(events, periodStartMs);
      const endMrr = mrrAt(events, asOfMs);
      if (endMrr > 0) {
        customers++;
        mrr += endMrr;
      }
      if (startMrr > 0) {
        customersAtStart++;
        mrrAtStart += startMrr;
        if (endMrr === 0) churnedAccounts++;
        addMovements(movements, events, startMrr, periodStartMs, asOfMs);
      } else if (endMrr > 0) {
        newCustomers++;
      }
      const freeStart = this.#freeStart(events, asOfMs);
      if (freeStart) freeStarts.push(freeStart);
    }

    const arpa = customers === 0 ? null : mrr / customers;
    const churnRate = percentOf(churnedAccounts, customersAtStart);
    const conversionMs = this.#options.conversionDays * dayMs;
    const convertedMs = freeStarts.flatMap(({ startMs, convertMs }) =>
      convertMs !== null && convertMs - startMs <= conversionMs ? [convertMs - startMs] : [],
    );

    return {
      mrr_cents: mrr,
      customers,
      arpa_cents: arpa,
      customers_at_period_start: customersAtStart,
      mrr_at_period_start_cents: mrrAtStart,
      churned_accounts_30d: churnedAccounts,
      churn_rate_percent: churnRate,
      churn_rate_annualised_percent: churnRate === null ? null : annualisedChurn(churnRate),
      new_customers_30d: newCustomers,
      retention_rate_percent: percentOf(customers - newCustomers, customersAtStart),
      expansion_mrr_cents: movements.expansion,
      contraction_mrr_cents: movements.contraction,
      churned_mrr_cents: movements.churned,
      gross_revenue_churn_percent: percentOf(movements.churned + movements.contraction, mrrAtStart),
      nrr_percent:
        mrrAtStart === 0
          ? null
          : ((mrrAtStart + movements.expansion - movements.contraction - movements.churned) /
              mrrAtStart) *
            100,
      free_to_paid_percent_30d: percentOf(convertedMs.length, freeStarts.length),
      free_to_paid_median_seconds_to_convert: quantileSeconds(convertedMs, 0.5),
      free_to_paid_by_start_week: this.#byStartWeek(freeStarts, conversionMs),
      clv_cents:
        arpa === null || churnRate === null || churnRate === 0 ? null : arpa / (churnRate / 100),
    };
  }

  /** The account's free start if its first `started` is at MRR 0 and inside the cohort range. */
  #freeStart(events: readonly SubscriptionEvent[], asOfMs: number): FreeStart | null {
    const startIndex = events.findIndex((event) => event.started);
    const start = events[startIndex];
    if (start === undefined || start.mrrCents !== 0) return null;
    const { freeCohortFromDays, freeCohortToDays } = this.#options;
    if (start.timeMs <= asOfMs - freeCohortFromDays * dayMs) return null;
    if (start.timeMs > asOfMs - freeCohortToDays * dayMs) return null;
    const conversion = events
      .slice(startIndex + 1)
      .find((event) => event.timeMs <= asOfMs && event.mrrCents > 0);
    return { startMs: start.timeMs, convertMs: conversion?.timeMs ?? null };
  }

  #byStartWeek(
    freeStarts: readonly FreeStart[],
    conversionMs: number,
  ): Record<string, FreeToPaidWeek> {
    const weeks: Record<string, FreeToPaidWeek> = {};
    for (const { startMs, convertMs } of freeStarts) {
      const key = mondayKey(this.#calendar.dayOf(startMs));
      const week = (weeks[key] ??= { started: 0, converted: 0, percent: 0 });
      week.started++;
      if (convertMs !== null && convertMs - startMs <= conversionMs) week.converted++;
    }
    for (const week of Object.values(weeks)) week.percent = (week.converted / week.started) * 100;
    return weeks;
  }
}

const subscriptionEventOf = (event: KpiEvent, arrival: number): SubscriptionEvent | null => {
  const base = { timeMs: event.time, arrival, started: false, changed: false };
  switch (event.type) {
    case 'subscription.started':
      return { ...base, started: true, mrrCents: event.mrr_cents };
    case 'subscription.changed':
      return { ...base, changed: true, mrrCents: event.mrr_cents_after };
    case 'subscription.cancelled':
      return { ...base, mrrCents: 0 };
    default:
      return null;
  }
};

/** Arrivals only grow, so a new event goes after every event at or before its time. */
const insertSorted = (events: SubscriptionEvent[], entry: SubscriptionEvent): void => {
  let index = events.length;
  while (index > 0 && (events[index - 1]?.timeMs ?? -Infinity) > entry.timeMs) index--;
  events.splice(index, 0, entry);
};

/** The MRR set by the latest event with time ≤ atMs (events are sorted); 0 before any. */
const mrrAt = (events: readonly SubscriptionEvent[], atMs: number): number => {
  let mrr = 0;
  for (const event of events) {
    if (event.timeMs > atMs) break;
    mrr = event.mrrCents;
  }
  return mrr;
};

/** Movements in (fromMs, toMs] of an account with MRR startMrr > 0 at fromMs; see the top. */
const addMovements = (
  totals: Movements,
  events: readonly SubscriptionEvent[],
  startMrr: number,
  fromMs: number,
  toMs: number,
): void => {
  let before = startMrr;
  for (const event of events) {
    if (event.timeMs <= fromMs) continue;
    if (event.timeMs > toMs) break;
    const after = event.mrrCents;
    if (after === 0) {
      totals.churned += before;
      return;
    }
    if (event.changed && after > before) totals.expansion += after - before;
    if (event.changed && after < before) totals.contraction += before - after;
    before = after;
  }
};

/** (1 − (1 − monthly / 100)^12) × 100: a monthly rate compounded over twelve months. */
export const annualisedChurn = (monthlyPercent: number): number =>
  (1 - Math.pow(1 - monthlyPercent / 100, 12)) * 100;

/** `YYYY-MM-DD` of the Monday of a local day's ISO week (day 0, 1970-01-01, was a Thursday). */
const mondayKey = (localDay: number): string => {
  const monday = localDay - ((((localDay + 3) % 7) + 7) % 7);
  return new Date(monday * dayMs).toISOString().slice(0, 10);
};
