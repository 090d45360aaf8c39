// Hand-computed cases for "Revenue and retention" (KPIS.md). Every expected value is worked out
// by hand from the definitions in the tables and comments below.
import { describe, expect, it } from 'vitest';
import type { KpiEvent } from '@kpiwall/shared';
import { revenueKpisSchema } from '@kpiwall/shared';
import { createLocalCalendar } from './local-calendar.ts';
import { annualisedChurn, Revenue } from './revenue.ts';
import { dayMs } from './windows.ts';

// as_of is a Tuesday; the period starts at S = as_of − 30 d = 2026-10-11T10:00:00Z.
const asOf = Date.parse('2026-11-10T10:00:00.000Z');
const daysBefore = (days: number): number => asOf - days * dayMs;
const periodStart = daysBefore(30);

let nextId = 0;
const envelope = (account: string, time: number) => ({
  id: `ev-${String(nextId++)}`,
  time,
  account_id: account,
  user_id: null,
  received_at: asOf,
  properties: {},
});
const started = (account: string, time: number, mrr: number): KpiEvent => ({
  ...envelope(account, time),
  type: 'subscription.started',
  plan: mrr === 0 ? 'free' : 'starter',
  mrr_cents: mrr,
});
const changed = (account: string, time: number, before: number, after: number): KpiEvent => ({
  ...envelope(account, time),
  type: 'subscription.changed',
  from_plan: 'a',
  to_plan: 'b',
  mrr_cents_before: before,
  mrr_cents_after: after,
});
const cancelled = (account: string, time: number, lost: number): KpiEvent => ({
  ...envelope(account, time),
  type: 'subscription.cancelled',
  mrr_cents_lost: lost,
});

const revenueOf = (events: readonly KpiEvent[], timeZone = 'UTC'): Revenue => {
  const revenue = new Revenue(createLocalCalendar(timeZone));
  for (const event of events) revenue.apply(event);
  return revenue;
};

/** Deterministic shuffle (LCG) for the arrival order. */
const scrambled = <T>(items: readonly T[], seed: number): T[] => {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
};

// A mixed book of accounts (d = days before as_of; MRR at S / at as_of):
//
// | account | events                                             | at S  | at as_of | role              |
// |---------|----------------------------------------------------|-------|----------|-------------------|
// | up      | started 10000 @60d, changed 10000→15000 @10d        | 10000 | 15000    | expansion 5000    |
// | down    | started 20000 @60d, changed 20000→12000 @5d         | 20000 | 12000    | contraction 8000  |
// | restart | started 5000 @60d, cancelled @20d, started 4000     | 5000  | 6000     | churned MRR 5000, |
// |         |   @10d, changed 4000→6000 @5d                       |       |          | not churned; the  |
// |         |                                                    |       |          | restart and its   |
// |         |                                                    |       |          | upgrade not added |
// | zero    | started 8000 @60d, changed 8000→0 @3d               | 8000  | 0        | churned, 8000     |
// | gone    | started 3000 @60d, cancelled @2d                    | 3000  | 0        | churned, 3000     |
// | trial   | started 0 @35d, changed 0→9000 @25d                 | 0     | 9000     | new; free start   |
// |         |                                                    |       |          | converted in 10 d |
// | free    | started 0 @100d                                    | 0     | 0        | free, unconverted |
// | late    | started 0 @90d, changed 0→7000 @55d                 | 7000  | 7000     | converted in 35 d |
// |         |                                                    |       |          | (> 30 d: not)     |
// | direct  | started 2500 @10d                                  | 0     | 2500     | new               |
// | old     | started 0 @130d, changed 0→1000 @125d               | 1000  | 1000     | start < 120 d     |
//
// CS = up, down, restart, zero, gone, late, old = 7; MRR at S = 10000 + 20000 + 5000 + 8000 +
// 3000 + 7000 + 1000 = 54000. Customers at as_of: up, down, restart, trial, late, direct, old =
// 7; MRR = 15000 + 12000 + 6000 + 9000 + 7000 + 2500 + 1000 = 52500; ARPA = 7500.
// Churned accounts: zero, gone = 2 → churn 2/7 × 100 = 28.571…; CN = trial, direct = 2 →
// retention (7 − 2)/7 × 100 = 71.428…. Expansion 5000, contraction 8000, churned MRR 5000 +
// 8000 + 3000 = 16000. Gross revenue churn (16000 + 8000)/54000 × 100 = 44.444…;
// NRR (54000 + 5000 − 8000 − 16000)/54000 × 100 = 35000/54000 × 100 = 64.814….
// Free cohort (first start at 0 in (120 d, 30 d] before as_of): trial, free, late (old is out);
// converted within 30 d: trial (10 d = 864000 s) → 1/3 × 100, median 864000 s.
// Start weeks (UTC): trial 2026-10-06 Tue → Monday 2026-10-05; free 2026-08-02 Sun → 2026-07-27;
// late 2026-08-12 Wed → 2026-08-10. CLV = 7500 / ((2/7 × 100)/100) = 26250.
const book: readonly KpiEvent[] = [
  started('up', daysBefore(60), 10_000),
  changed('up', daysBefore(10), 10_000, 15_000),
  started('down', daysBefore(60), 20_000),
  changed('down', daysBefore(5), 20_000, 12_000),
  started('restart', daysBefore(60), 5_000),
  cancelled('restart', daysBefore(20), 5_000),
  started('restart', daysBefore(10), 4_000),
  changed('restart', daysBefore(5), 4_000, 6_000),
  started('zero', daysBefore(60), 8_000),
  changed('zero', daysBefore(3), 8_000, 0),
  started('gone', daysBefore(60), 3_000),
  cancelled('gone', daysBefore(2), 3_000),
  started('trial', daysBefore(35), 0),
  changed('trial', daysBefore(25), 0, 9_000),
  started('free', daysBefore(100), 0),
  started('late', daysBefore(90), 0),
  changed('late', daysBefore(55), 0, 7_000),
  started('direct', daysBefore(10), 2_500),
  started('old', daysBefore(130), 0),
  changed('old', daysBefore(125), 0, 1_000),
];

const bookKpis = {
  mrr_cents: 52_500,
  customers: 7,
  arpa_cents: 7_500,
  customers_at_period_start: 7,
  mrr_at_period_start_cents: 54_000,
  churned_accounts_30d: 2,
  new_customers_30d: 2,
  expansion_mrr_cents: 5_000,
  contraction_mrr_cents: 8_000,
  churned_mrr_cents: 16_000,
  free_to_paid_median_seconds_to_convert: 864_000,
  free_to_paid_by_start_week: {
    '2026-07-27': { started: 1, converted: 0, percent: 0 },
    '2026-08-10': { started: 1, converted: 0, percent: 0 },
    '2026-10-05': { started: 1, converted: 1, percent: 100 },
  },
};
const bookRatios = {
  churn_rate_percent: 28.571_428_571,
  churn_rate_annualised_percent: (1 - (5 / 7) ** 12) * 100,
  retention_rate_percent: 71.428_571_429,
  gross_revenue_churn_percent: 44.444_444_444,
  nrr_percent: 64.814_814_815,
  free_to_paid_percent_30d: 33.333_333_333,
  clv_cents: 26_250,
};

const expectBook = (revenue: Revenue): void => {
  const kpis = revenueKpisSchema.parse(revenue.kpis(asOf));
  expect(kpis).toMatchObject(bookKpis);
  for (const [key, value] of Object.entries(bookRatios)) {
    expect(kpis[key as keyof typeof bookRatios], key).toBeCloseTo(value, 6);
  }
};

describe('Revenue: a mixed book', () => {
  it('computes every KPI by hand', () => {
    expectBook(revenueOf(book));
  });

  it.each([
    { order: 'reversed', events: [...book].reverse() },
    { order: 'scrambled (seed 7)', events: scrambled(book, 7) },
    { order: 'scrambled (seed 42)', events: scrambled(book, 42) },
  ])('gives the same values whatever the arrival order: $order', ({ events }) => {
    expectBook(revenueOf(events));
  });

  it('ignores events after as_of and non-subscription events', () => {
    const later: KpiEvent[] = [
      cancelled('up', asOf + 1, 15_000),
      started('newcomer', asOf + 1, 99_000),
      changed('free', asOf + 60_000, 0, 5_000),
      { ...envelope('up', daysBefore(1)), type: 'user.activated', user_id: 'u1' },
    ];
    expectBook(revenueOf([...later, ...book]));
  });

  it('satisfies churn + retention = 100 and NRR = 100 − gross churn + expansion share', () => {
    const kpis = revenueOf(book).kpis(asOf);
    expect((kpis.churn_rate_percent ?? 0) + (kpis.retention_rate_percent ?? 0)).toBeCloseTo(100, 9);
    // 100 − 44.44… + 5000/54000 × 100 = 64.81…
    expect(kpis.nrr_percent).toBeCloseTo(100 - 44.444_444_444 + 9.259_259_259, 6);
  });
});

describe('Revenue: single movements', () => {
  // Each row: one account with MRR 10000 since 60 d before as_of, then the listed events.
  it.each([
    {
      name: 'an upgrade',
      events: [changed('a', daysBefore(3), 10_000, 12_500)],
      expected: { mrr_cents: 12_500, expansion_mrr_cents: 2_500, nrr_percent: 125 },
    },
    {
      name: 'a downgrade',
      events: [changed('a', daysBefore(3), 10_000, 6_000)],
      expected: { mrr_cents: 6_000, contraction_mrr_cents: 4_000, nrr_percent: 60 },
    },
    {
      name: 'a change to 0 (churn, not contraction)',
      events: [changed('a', daysBefore(3), 10_000, 0)],
      expected: {
        mrr_cents: 0,
        customers: 0,
        arpa_cents: null,
        churned_accounts_30d: 1,
        churn_rate_percent: 100,
        churned_mrr_cents: 10_000,
        contraction_mrr_cents: 0,
        nrr_percent: 0,
        clv_cents: null,
      },
    },
    {
      // Cancelled 20 d ago, restarted at 3000 10 d ago: a customer at both ends, so no churned
      // account, but the 10000 cancelled is churned MRR and the restart is not added back.
      name: 'a cancellation and restart inside the period',
      events: [cancelled('a', daysBefore(20), 10_000), started('a', daysBefore(10), 3_000)],
      expected: {
        mrr_cents: 3_000,
        customers: 1,
        churned_accounts_30d: 0,
        new_customers_30d: 0,
        churn_rate_percent: 0,
        retention_rate_percent: 100,
        churned_mrr_cents: 10_000,
        expansion_mrr_cents: 0,
        gross_revenue_churn_percent: 100,
        nrr_percent: 0,
        clv_cents: null,
      },
    },
    {
      // Upgrade then downgrade: both movements count (5000 up, 7000 down), net 8000 at as_of.
      name: 'an upgrade then a downgrade',
      events: [
        changed('a', daysBefore(20), 10_000, 15_000),
        changed('a', daysBefore(10), 15_000, 8_000),
      ],
      expected: {
        mrr_cents: 8_000,
        expansion_mrr_cents: 5_000,
        contraction_mrr_cents: 7_000,
        gross_revenue_churn_percent: 70,
        nrr_percent: 80,
      },
    },
    {
      // The cancellation is dated before the upgrade but arrives first; by event time the
      // upgrade (15000) is what the account loses.
      name: 'out-of-order events: a cancel received before an earlier upgrade',
      events: [cancelled('a', daysBefore(5), 15_000), changed('a', daysBefore(15), 10_000, 15_000)],
      expected: {
        mrr_cents: 0,
        expansion_mrr_cents: 5_000,
        churned_mrr_cents: 15_000,
        churned_accounts_30d: 1,
        nrr_percent: 0,
      },
    },
  ])('$name', ({ events, expected }) => {
    const kpis = revenueOf([started('a', daysBefore(60), 10_000), ...events]).kpis(asOf);
    expect(revenueKpisSchema.parse(kpis)).toMatchObject({
      customers_at_period_start: 1,
      mrr_at_period_start_cents: 10_000,
      ...expected,
    });
  });

  it('orders ties in event time by arrival: the later arrival sets the MRR', () => {
    const time = daysBefore(4);
    const upThenCancel = revenueOf([
      started('a', daysBefore(60), 10_000),
      changed('a', time, 10_000, 12_000),
      cancelled('a', time, 12_000),
    ]).kpis(asOf);
    // Order: upgrade (+2000), then cancel of 12000.
    expect(upThenCancel).toMatchObject({
      mrr_cents: 0,
      expansion_mrr_cents: 2_000,
      churned_mrr_cents: 12_000,
    });
    const cancelThenUp = revenueOf([
      started('a', daysBefore(60), 10_000),
      cancelled('a', time, 10_000),
      changed('a', time, 0, 12_000),
    ]).kpis(asOf);
    // Order: cancel (10000 churned), then a change to 12000 after the churn: not a movement.
    expect(cancelThenUp).toMatchObject({
      mrr_cents: 12_000,
      customers: 1,
      churned_accounts_30d: 0,
      expansion_mrr_cents: 0,
      churned_mrr_cents: 10_000,
    });
  });
});

describe('Revenue: the period start instant S = as_of − 30 × 24 h', () => {
  it.each([
    // An event exactly at S belongs to the start state; movements are in (S, as_of].
    {
      name: 'a start exactly at S is a customer at the start, not a new customer',
      events: [started('a', periodStart, 1_000)],
      expected: { customers_at_period_start: 1, new_customers_30d: 0, customers: 1 },
    },
    {
      name: 'a start 1 ms after S is a new customer',
      events: [started('a', periodStart + 1, 1_000)],
      expected: { customers_at_period_start: 0, new_customers_30d: 1, churn_rate_percent: null },
    },
    {
      name: 'a cancel exactly at S is not in the period',
      events: [started('a', daysBefore(40), 1_000), cancelled('a', periodStart, 1_000)],
      expected: { customers_at_period_start: 0, churned_mrr_cents: 0, nrr_percent: null },
    },
    {
      name: 'a cancel exactly at as_of counts',
      events: [started('a', daysBefore(40), 1_000), cancelled('a', asOf, 1_000)],
      expected: { churned_accounts_30d: 1, churned_mrr_cents: 1_000, customers: 0 },
    },
    {
      name: 'an account that starts and cancels inside the period is neither new nor churned',
      events: [started('a', daysBefore(20), 1_000), cancelled('a', daysBefore(10), 1_000)],
      expected: { customers_at_period_start: 0, new_customers_30d: 0, churned_mrr_cents: 0 },
    },
  ])('$name', ({ events, expected }) => {
    expect(revenueOf(events).kpis(asOf)).toMatchObject(expected);
  });
});

describe('Revenue: churn rates and CLV', () => {
  it('churn 0 → CLV null, annualised 0, retention 100', () => {
    const events = ['a', 'b', 'c'].map((account) => started(account, daysBefore(50), 2_000));
    expect(revenueOf(events).kpis(asOf)).toMatchObject({
      customers: 3,
      arpa_cents: 2_000,
      churn_rate_percent: 0,
      churn_rate_annualised_percent: 0,
      retention_rate_percent: 100,
      clv_cents: null,
    });
  });

  it('5 % a month is about 46 % a year (not 60 %), CLV = ARPA / 0.05', () => {
    // 20 customers at 1000 each at S; one cancels: churn 1/20 = 5 %;
    // (1 − 0.95^12) × 100 = 45.96…; ARPA at as_of 19000/19 = 1000 → CLV 1000 / 0.05 = 20000.
    const events = Array.from({ length: 20 }, (_, i) =>
      started(`a${String(i)}`, daysBefore(50), 1_000),
    );
    const kpis = revenueOf([...events, cancelled('a0', daysBefore(1), 1_000)]).kpis(asOf);
    expect(kpis.churn_rate_percent).toBe(5);
    expect(kpis.churn_rate_annualised_percent).toBeCloseTo(45.96, 2);
    expect(kpis.clv_cents).toBeCloseTo(20_000, 6);
  });

  it.each([
    { monthly: 0, annual: 0 },
    { monthly: 5, annual: 45.96 },
    { monthly: 3, annual: 30.62 }, // 1 − 0.97^12 = 1 − 0.6938
    { monthly: 8, annual: 63.23 }, // 1 − 0.92^12 = 1 − 0.3677
    { monthly: 100, annual: 100 },
  ])('annualises $monthly %/month to $annual %/year', ({ monthly, annual }) => {
    expect(annualisedChurn(monthly)).toBeCloseTo(annual, 2);
  });

  it('has null ratios and zero sums with no subscriptions', () => {
    expect(revenueKpisSchema.parse(new Revenue(createLocalCalendar('UTC')).kpis(asOf))).toEqual({
      mrr_cents: 0,
      customers: 0,
      arpa_cents: null,
      customers_at_period_start: 0,
      mrr_at_period_start_cents: 0,
      churned_accounts_30d: 0,
      churn_rate_percent: null,
      churn_rate_annualised_percent: null,
      new_customers_30d: 0,
      retention_rate_percent: null,
      expansion_mrr_cents: 0,
      contraction_mrr_cents: 0,
      churned_mrr_cents: 0,
      gross_revenue_churn_percent: null,
      nrr_percent: null,
      free_to_paid_percent_30d: null,
      free_to_paid_median_seconds_to_convert: null,
      free_to_paid_by_start_week: {},
      clv_cents: null,
    });
  });
});

describe('Revenue: free to paid', () => {
  it.each([
    // Cohort: first start at MRR 0 in (as_of − 120 d, as_of − 30 d]; converted: first MRR > 0
    // at most 30 × 24 h later.
    {
      name: 'a trial converting after 10 days',
      events: [started('a', daysBefore(50), 0), changed('a', daysBefore(40), 0, 4_900)],
      expected: { percent: 100, median: 864_000 },
    },
    {
      name: 'a conversion exactly 30 × 24 h later (inclusive)',
      events: [started('a', daysBefore(50), 0), changed('a', daysBefore(20), 0, 4_900)],
      expected: { percent: 100, median: 2_592_000 },
    },
    {
      name: 'a conversion 1 ms too late',
      events: [started('a', daysBefore(50), 0), changed('a', daysBefore(20) + 1, 0, 4_900)],
      expected: { percent: 0, median: null },
    },
    {
      name: 'a start exactly 30 d before as_of is in the cohort',
      events: [started('a', daysBefore(30), 0)],
      expected: { percent: 0, median: null },
    },
    {
      name: 'a start exactly 120 d before as_of is not',
      events: [started('a', daysBefore(120), 0), changed('a', daysBefore(119), 0, 100)],
      expected: { percent: null, median: null },
    },
    {
      name: 'a paid first start is not a free start, even if a later restart is free',
      events: [
        started('a', daysBefore(100), 500),
        cancelled('a', daysBefore(90), 500),
        started('a', daysBefore(80), 0),
        changed('a', daysBefore(79), 0, 100),
      ],
      expected: { percent: null, median: null },
    },
    {
      // Free → cancelled → restarted paid 5 days after the start: converts at the restart;
      // the trial expiring to free (0 → 0) is not a conversion.
      name: 'a free account cancelled and restarted paid',
      events: [
        started('a', daysBefore(60), 0),
        changed('a', daysBefore(58), 0, 0),
        cancelled('a', daysBefore(57), 0),
        started('a', daysBefore(55), 1_000),
      ],
      expected: { percent: 100, median: 432_000 },
    },
    {
      // Medians: 1 d, 3 d and 2 d → 2 d = 172800 s; 3 of 4 converted.
      name: 'the median over several conversions',
      events: [
        started('a', daysBefore(60), 0),
        changed('a', daysBefore(59), 0, 100),
        started('b', daysBefore(60), 0),
        changed('b', daysBefore(57), 0, 100),
        started('c', daysBefore(60), 0),
        changed('c', daysBefore(58), 0, 100),
        started('d', daysBefore(60), 0),
      ],
      expected: { percent: 75, median: 172_800 },
    },
  ])('$name', ({ events, expected }) => {
    const kpis = revenueOf(scrambled(events, 3)).kpis(asOf);
    expect({
      percent: kpis.free_to_paid_percent_30d,
      median: kpis.free_to_paid_median_seconds_to_convert,
    }).toEqual(expected);
  });

  it.each([
    // 2026-08-09T22:30Z is Sunday 22:30 in UTC (week of Monday 2026-08-03) but Monday 00:30 in
    // Berlin (CEST, UTC+2: week of 2026-08-10); 2026-08-10T05:00Z is Monday in UTC, Sunday
    // 22:00 in Los Angeles (PDT, UTC−7: week of 2026-08-03).
    { timeZone: 'UTC', weeks: { '2026-08-03': 1, '2026-08-10': 1 } },
    { timeZone: 'Europe/Berlin', weeks: { '2026-08-10': 2 } },
    { timeZone: 'America/Los_Angeles', weeks: { '2026-08-03': 2 } },
  ])('keys start weeks by local Monday in $timeZone', ({ timeZone, weeks }) => {
    const events = [
      started('a', Date.parse('2026-08-09T22:30:00Z'), 0),
      changed('a', Date.parse('2026-08-12T22:30:00Z'), 0, 100),
      started('b', Date.parse('2026-08-10T05:00:00Z'), 0),
    ];
    const byWeek = revenueOf(events, timeZone).kpis(asOf).free_to_paid_by_start_week;
    expect(
      Object.fromEntries(Object.entries(byWeek).map(([week, { started: n }]) => [week, n])),
    ).toEqual(weeks);
    // Both in one week: 1 of 2 converted → 50 %.
    if (Object.keys(weeks).length === 1) {
      expect(Object.values(byWeek)).toEqual([{ started: 2, converted: 1, percent: 50 }]);
    }
  });

  it('is time-zone independent except for the week keys', () => {
    const utc = revenueOf(book, 'UTC').kpis(asOf);
    const tokyo = revenueOf(book, 'Asia/Tokyo').kpis(asOf);
    expect({ ...tokyo, free_to_paid_by_start_week: {} }).toEqual({
      ...utc,
      free_to_paid_by_start_week: {},
    });
  });
});
