// Hand-computed cases for the onboarding KPIs, from KPIS.md "Onboarding" and the decisions at
// the top of ./onboarding.ts. as_of is Tuesday 2026-11-10T10:17:23.456Z; the `_30d` window is
// local days 2026-10-12 (a Monday) … 2026-11-10, `_7d` is 2026-11-04 … 2026-11-10. The default
// funnel is signed_up → profile_completed → first_project_created → teammate_invited →
// activated; step counts are written as arrays in that order.
import { describe, expect, it } from 'vitest';
import { validateEvent, type KpiEvent } from '@kpiwall/shared';
import { onboardingKpisSchema, type OnboardingKpis } from '@kpiwall/shared';
import { createLocalCalendar } from './local-calendar.ts';
import { Onboarding, type OnboardingOptions } from './onboarding.ts';

const asOf = Date.parse('2026-11-10T10:17:23.456Z');
const second = 1_000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;
const at = (iso: string): number => Date.parse(iso);

const steps = [
  'signed_up',
  'profile_completed',
  'first_project_created',
  'teammate_invited',
  'activated',
] as const;
type Step = (typeof steps)[number];

let sequence = 0;
const event = (raw: Record<string, unknown>): KpiEvent => {
  sequence++;
  const time = raw['time'] as number;
  const result = validateEvent({ id: `e${sequence}`, account_id: 'acc', ...raw }, time, sequence);
  if (!result.ok) throw new Error(`bad test event: ${result.reason}`);
  return result.event;
};
const signup = (user: string, time: number, plan = 'free'): KpiEvent =>
  event({ type: 'user.signed_up', user_id: user, time, plan });
const activated = (user: string, time: number): KpiEvent =>
  event({ type: 'user.activated', user_id: user, time });
const step = (user: string, name: string, time: number): KpiEvent =>
  event({ type: 'onboarding.step_completed', user_id: user, time, step: name });

/** A state fed with the events in the given order, its KPIs as of `asOf`, schema-checked. */
const kpisOf = (
  events: readonly KpiEvent[],
  timeZone = 'UTC',
  options: OnboardingOptions = {},
  asOfMs = asOf,
): OnboardingKpis => {
  const state = new Onboarding(createLocalCalendar(timeZone), options);
  for (const e of events) state.apply(e);
  return onboardingKpisSchema.parse(state.kpis(asOfMs));
};

const counts = (reach: readonly number[]): Record<Step, number> =>
  Object.fromEntries(steps.map((s, k) => [s, reach[k] ?? 0])) as Record<Step, number>;

const s0 = at('2026-11-02T09:00:00.000Z');

describe('Onboarding: which steps one user reaches', () => {
  // Each row: one user's events (s0 = signup on 2026-11-02 09:00Z) and the steps they reach,
  // following "steps 1…k in order (equal times allowed), step k ≤ signup + 14 × 24 h, a step done
  // twice counts once at its first time, only events with time ≤ as_of".
  it.each<[string, KpiEvent[], number[]]>([
    [
      'all five steps in order → 5',
      [
        signup('u', s0),
        step('u', 'profile_completed', s0 + minute),
        step('u', 'first_project_created', s0 + hour),
        step('u', 'teammate_invited', s0 + day),
        activated('u', s0 + 2 * day),
      ],
      [1, 1, 1, 1, 1],
    ],
    [
      'skips first_project_created: the later teammate_invited and activated do not count → 2',
      [
        signup('u', s0),
        step('u', 'profile_completed', s0 + minute),
        step('u', 'teammate_invited', s0 + day),
        activated('u', s0 + 2 * day),
      ],
      [1, 1, 0, 0, 0],
    ],
    [
      // windowFunnel over every event would give 3 (the second project after the profile);
      // at its first time (before the profile) the step is out of order.
      'first_project_created done twice, first before profile_completed → 2',
      [
        signup('u', s0),
        step('u', 'first_project_created', s0 + 30 * minute),
        step('u', 'profile_completed', s0 + hour),
        step('u', 'first_project_created', s0 + 2 * hour),
      ],
      [1, 1, 0, 0, 0],
    ],
    [
      'profile_completed done twice, both in order: counts once → 3',
      [
        signup('u', s0),
        step('u', 'profile_completed', s0 + minute),
        step('u', 'profile_completed', s0 + 2 * minute),
        step('u', 'first_project_created', s0 + hour),
      ],
      [1, 1, 1, 0, 0],
    ],
    [
      'all five at the signup millisecond (equal times allowed) → 5',
      [
        activated('u', s0),
        step('u', 'teammate_invited', s0),
        step('u', 'first_project_created', s0),
        step('u', 'profile_completed', s0),
        signup('u', s0),
      ],
      [1, 1, 1, 1, 1],
    ],
    [
      'activated exactly 14 × 24 h after signup → 5',
      [
        signup('u', at('2026-10-20T10:00:00.000Z')),
        step('u', 'profile_completed', at('2026-10-20T10:01:00.000Z')),
        step('u', 'first_project_created', at('2026-10-21T10:00:00.000Z')),
        step('u', 'teammate_invited', at('2026-10-22T10:00:00.000Z')),
        activated('u', at('2026-11-03T10:00:00.000Z')),
      ],
      [1, 1, 1, 1, 1],
    ],
    [
      'activated 14 × 24 h + 1 ms after signup → 4',
      [
        signup('u', at('2026-10-20T10:00:00.000Z')),
        step('u', 'profile_completed', at('2026-10-20T10:01:00.000Z')),
        step('u', 'first_project_created', at('2026-10-21T10:00:00.000Z')),
        step('u', 'teammate_invited', at('2026-10-22T10:00:00.000Z')),
        activated('u', at('2026-11-03T10:00:00.001Z')),
      ],
      [1, 1, 1, 1, 0],
    ],
    [
      'profile_completed 1 ms before signup → 1',
      [signup('u', s0), step('u', 'profile_completed', s0 - 1)],
      [1, 0, 0, 0, 0],
    ],
    [
      'a step name outside the funnel is ignored → 1',
      [signup('u', s0), step('u', 'product_tour_viewed', s0 + minute)],
      [1, 0, 0, 0, 0],
    ],
    [
      'onboarding steps named like the first and last step are not signup / activation → 1',
      [
        signup('u', s0),
        step('u', 'profile_completed', s0 + minute),
        step('u', 'signed_up', s0 + 2 * minute),
        step('u', 'activated', s0 + 3 * minute),
      ],
      [1, 1, 0, 0, 0],
    ],
    [
      'first_project_created 1 ms after as_of does not count yet → 2',
      [
        signup('u', s0),
        step('u', 'profile_completed', s0 + minute),
        step('u', 'first_project_created', asOf + 1),
      ],
      [1, 1, 0, 0, 0],
    ],
    ['steps without a signup → no one', [step('u', 'profile_completed', s0)], [0, 0, 0, 0, 0]],
    ['signup 1 ms after as_of → no one', [signup('u', asOf + 1)], [0, 0, 0, 0, 0]],
    [
      'signup at 2026-10-11T23:59:59.999Z, before the UTC window → no one',
      [signup('u', at('2026-10-11T23:59:59.999Z'))],
      [0, 0, 0, 0, 0],
    ],
    [
      'signup at 2026-10-12T00:00:00.000Z, the UTC window start → 1',
      [signup('u', at('2026-10-12T00:00:00.000Z'))],
      [1, 0, 0, 0, 0],
    ],
    [
      'two signups, the first before the window: the first counts → no one',
      [signup('u', at('2026-10-05T10:00:00Z')), signup('u', s0)],
      [0, 0, 0, 0, 0],
    ],
    [
      // The 14 days run from the first signup (2026-10-20): 2026-11-06 is 17 days later.
      'two signups in the window: activation 17 days after the first, 1 after the second → 4',
      [
        signup('u', at('2026-10-20T10:00:00Z')),
        step('u', 'profile_completed', at('2026-10-21T10:00:00Z')),
        step('u', 'first_project_created', at('2026-10-22T10:00:00Z')),
        step('u', 'teammate_invited', at('2026-10-23T10:00:00Z')),
        signup('u', at('2026-11-05T10:00:00Z')),
        activated('u', at('2026-11-06T10:00:00Z')),
      ],
      [1, 1, 1, 1, 0],
    ],
  ])('%s', (_name, events, reach) => {
    expect(kpisOf(events).funnel_step_counts).toEqual(counts(reach));
    // Any arrival order gives the same: here reversed.
    expect(kpisOf([...events].reverse()).funnel_step_counts).toEqual(counts(reach));
  });
});

describe('Onboarding: the cohort', () => {
  // Users (UTC), with the steps each reaches and the gaps between consecutive first times:
  //   A free  signup 2026-11-02 09:00; profile +60 s, project +3600 s, teammate +7200 s,
  //           activated +86 400 s (2026-11-03 12:01)                         → 5; gaps 60, 3600, 7200, 86400
  //   B trial signup 2026-11-02 12:00; profile +120 s; skips project; teammate, activated
  //           2026-11-02 16:00                                               → 2; gap 120
  //   C paid  signup 2026-11-03 08:00; profile +30 s, project +600 s          → 3; gaps 30, 600
  //   D free  signup 2026-11-09 23:00; profile +600 s                         → 2; gap 600
  //   E free  signup 2026-10-12 00:00:00.000 (window start)                   → 1
  //   F trial signup 2026-10-11 23:59:59.999 (before the window), profile     → not in the cohort
  // reach = [5, 4, 2, 1, 1]
  // conversion: 4/5 → 80, 2/4 → 50, 1/2 → 50, 1/1 → 100; drop-off 20, 50, 50, 0
  // bottleneck: 50 at first_project_created and teammate_invited → the earlier one
  // completion: 1/5 → 20
  // medians: profile [30, 60, 120, 600] → 60 + 0.5·(120 − 60) = 90; project [600, 3600] → 2100;
  //          teammate [7200] → 7200; activated [86400] → 86400
  // TTFV (first activation − first signup), activations A 2026-11-03 12:01 and B 2026-11-02 16:00,
  // both before the 7d window (2026-11-04…): 30d values [14 400 (B), 97 260 (A)]:
  //   median 14 400 + 0.5·82 860 = 55 830; p90 14 400 + 0.9·82 860 = 88 974
  const a = at('2026-11-02T09:00:00.000Z');
  const b = at('2026-11-02T12:00:00.000Z');
  const c = at('2026-11-03T08:00:00.000Z');
  const d = at('2026-11-09T23:00:00.000Z');
  const cohort = [
    signup('A', a, 'free'),
    step('A', 'profile_completed', a + 60 * second),
    step('A', 'first_project_created', a + 60 * second + 3600 * second),
    step('A', 'teammate_invited', a + 60 * second + 3600 * second + 7200 * second),
    activated('A', a + 60 * second + 3600 * second + 7200 * second + 86_400 * second),
    signup('B', b, 'trial'),
    step('B', 'profile_completed', b + 120 * second),
    step('B', 'teammate_invited', b + hour),
    activated('B', b + 4 * hour),
    signup('C', c, 'paid'),
    step('C', 'profile_completed', c + 30 * second),
    step('C', 'first_project_created', c + 30 * second + 600 * second),
    signup('D', d, 'free'),
    step('D', 'profile_completed', d + 600 * second),
    signup('E', at('2026-10-12T00:00:00.000Z'), 'free'),
    signup('F', at('2026-10-11T23:59:59.999Z'), 'trial'),
    step('F', 'profile_completed', at('2026-10-12T00:00:01.000Z')),
  ];

  const zeroDays = (from: string, days: number): Record<string, Record<Step, number>> =>
    Object.fromEntries(
      Array.from({ length: days }, (_, i) => [
        new Date(at(`${from}T00:00:00Z`) + i * day).toISOString().slice(0, 10),
        counts([0, 0, 0, 0, 0]),
      ]),
    );

  it('gives every funnel KPI of the hand table', () => {
    const kpis = kpisOf(cohort);
    expect(kpis).toEqual({
      funnel_step_counts: counts([5, 4, 2, 1, 1]),
      funnel_step_counts_by_signup_day: {
        ...zeroDays('2026-10-12', 30),
        '2026-10-12': counts([1, 0, 0, 0, 0]),
        '2026-11-02': counts([2, 2, 1, 1, 1]),
        '2026-11-03': counts([1, 1, 1, 0, 0]),
        '2026-11-09': counts([1, 1, 0, 0, 0]),
      },
      funnel_step_counts_by_signup_week: {
        '2026-10-12': counts([1, 0, 0, 0, 0]),
        '2026-10-19': counts([0, 0, 0, 0, 0]),
        '2026-10-26': counts([0, 0, 0, 0, 0]),
        '2026-11-02': counts([3, 3, 2, 1, 1]),
        '2026-11-09': counts([1, 1, 0, 0, 0]),
      },
      funnel_step_counts_by_plan: {
        free: counts([3, 2, 1, 1, 1]),
        trial: counts([1, 1, 0, 0, 0]),
        paid: counts([1, 1, 1, 0, 0]),
      },
      funnel_conversion: {
        profile_completed: 80,
        first_project_created: 50,
        teammate_invited: 50,
        activated: 100,
      },
      funnel_dropoff_percent: {
        profile_completed: 20,
        first_project_created: 50,
        teammate_invited: 50,
        activated: 0,
      },
      funnel_bottleneck_step: 'first_project_created',
      onboarding_completion_rate_percent: 20,
      funnel_time_between_steps_median_seconds: {
        profile_completed: 90,
        first_project_created: 2100,
        teammate_invited: 7200,
        activated: 86_400,
      },
      ttfv_median_seconds_today: null,
      ttfv_median_seconds_7d: null,
      ttfv_median_seconds_30d: 55_830,
      ttfv_p90_seconds_today: null,
      ttfv_p90_seconds_7d: null,
      ttfv_p90_seconds_30d: expect.closeTo(88_974, 6) as number,
      ttfv_count_today: 0,
      ttfv_count_7d: 0,
      ttfv_count_30d: 2,
    });
    // The step keys come in funnel order, the days and weeks in calendar order.
    expect(Object.keys(kpis.funnel_step_counts)).toEqual(steps);
    expect(Object.keys(kpis.funnel_conversion)).toEqual(steps.slice(1));
    const days = Object.keys(kpis.funnel_step_counts_by_signup_day);
    expect([days[0], days.at(-1), days.length]).toEqual(['2026-10-12', '2026-11-10', 30]);
  });

  it('is the same whatever the arrival order', () => {
    const expected = kpisOf(cohort);
    expect(kpisOf([...cohort].reverse())).toEqual(expected);
    // Every second event first, then the rest.
    expect(
      kpisOf([...cohort.filter((_, i) => i % 2), ...cohort.filter((_, i) => !(i % 2))]),
    ).toEqual(expected);
  });

  it('ignores events after as_of: as of 2026-11-02 12:30Z only A and B have signed up', () => {
    // A: profile 09:01, project 10:01, teammate 12:01 (≤ 12:30), activation next day → 4.
    // B: signup 12:00, profile 12:02, teammate 13:00 (after as_of) → 2. C, D sign up later.
    // The window is now 2026-10-04 … 2026-11-02: E → 1, and F (2026-10-11) is in it → 2.
    const kpis = kpisOf(cohort, 'UTC', {}, at('2026-11-02T12:30:00.000Z'));
    expect(kpis.funnel_step_counts).toEqual(counts([4, 3, 1, 1, 0]));
    expect(kpis.ttfv_count_30d).toBe(0);
  });

  it('has nothing to divide by without signups', () => {
    const kpis = kpisOf([activated('x', s0), step('x', 'profile_completed', s0)]);
    expect(kpis.funnel_step_counts).toEqual(counts([0, 0, 0, 0, 0]));
    expect(kpis.funnel_conversion).toEqual({
      profile_completed: null,
      first_project_created: null,
      teammate_invited: null,
      activated: null,
    });
    expect(kpis.funnel_dropoff_percent).toEqual(kpis.funnel_conversion);
    expect(kpis.funnel_time_between_steps_median_seconds).toEqual(kpis.funnel_conversion);
    expect(kpis.funnel_bottleneck_step).toBeNull();
    expect(kpis.onboarding_completion_rate_percent).toBeNull();
    expect(kpis.funnel_step_counts_by_plan.trial).toEqual(counts([0, 0, 0, 0, 0]));
  });

  it('has no bottleneck when no step loses anyone, and null conversion after an empty step', () => {
    // One user reaching every step: conversions 100 (drop-off 0) → no bottleneck.
    const complete = kpisOf([
      signup('u', s0),
      step('u', 'profile_completed', s0),
      step('u', 'first_project_created', s0),
      step('u', 'teammate_invited', s0),
      activated('u', s0),
    ]);
    expect(complete.funnel_dropoff_percent).toEqual({
      profile_completed: 0,
      first_project_created: 0,
      teammate_invited: 0,
      activated: 0,
    });
    expect(complete.funnel_bottleneck_step).toBeNull();
    expect(complete.onboarding_completion_rate_percent).toBe(100);
    // One user at signup only: 0/1 → drop-off 100 at profile; later steps divide by 0 → null.
    const stuck = kpisOf([signup('u', s0)]);
    expect(stuck.funnel_conversion).toEqual({
      profile_completed: 0,
      first_project_created: null,
      teammate_invited: null,
      activated: null,
    });
    expect(stuck.funnel_bottleneck_step).toBe('profile_completed');
    expect(stuck.onboarding_completion_rate_percent).toBe(0);
  });

  it('takes the plan of the first signup (first received on equal times)', () => {
    const plans = kpisOf([
      signup('late-arriving-first', at('2026-11-06T10:00:00Z'), 'trial'),
      signup('late-arriving-first', at('2026-11-05T10:00:00Z'), 'paid'),
      signup('tie', at('2026-11-05T10:00:00Z'), 'free'),
      signup('tie', at('2026-11-05T10:00:00Z'), 'trial'),
    ]).funnel_step_counts_by_plan;
    expect(plans).toEqual({
      free: counts([1, 0, 0, 0, 0]),
      trial: counts([0, 0, 0, 0, 0]),
      paid: counts([1, 0, 0, 0, 0]),
    });
  });
});

describe('Onboarding: signup day and week at a local midnight', () => {
  // 2026-11-01T23:00:00.000Z is Monday 2026-11-02 00:00 in Berlin (CET, UTC+1) but still Sunday
  // 2026-11-01 in UTC; 1 ms earlier is Sunday in both. 2026-10-11T22:00:00.000Z is Berlin's
  // window start (2026-10-12 00:00 CEST, UTC+2), before UTC's.
  const events = [
    signup('midnight', at('2026-11-01T23:00:00.000Z')),
    signup('sunday', at('2026-11-01T22:59:59.999Z')),
    signup('berlin-start', at('2026-10-11T22:00:00.000Z')),
    signup('before-berlin', at('2026-10-11T21:59:59.999Z')),
  ];
  it.each([
    {
      timeZone: 'UTC',
      total: 2,
      days: { '2026-11-01': 2, '2026-11-02': 0, '2026-10-12': 0 },
      weeks: { '2026-10-26': 2, '2026-11-02': 0, '2026-10-12': 0 },
    },
    {
      timeZone: 'Europe/Berlin',
      total: 3,
      days: { '2026-11-01': 1, '2026-11-02': 1, '2026-10-12': 1 },
      weeks: { '2026-10-26': 1, '2026-11-02': 1, '2026-10-12': 1 },
    },
  ])('$timeZone', ({ timeZone, total, days, weeks }) => {
    const kpis = kpisOf(events, timeZone);
    expect(kpis.funnel_step_counts['signed_up']).toBe(total);
    for (const [key, signedUp] of Object.entries(days)) {
      expect(kpis.funnel_step_counts_by_signup_day[key]?.['signed_up'], key).toBe(signedUp);
    }
    for (const [key, signedUp] of Object.entries(weeks)) {
      expect(kpis.funnel_step_counts_by_signup_week[key]?.['signed_up'], key).toBe(signedUp);
    }
  });
});

describe('Onboarding: time to first value', () => {
  // (UTC) first activation − first signup, over users whose first activation is in the window:
  //   T1 signup 2026-11-10 08:00, activated 09:00                → 3600 s       today, 7d, 30d
  //   T2 signup 2026-10-01 10:00, activated 2026-11-10 10:00     → 3 456 000 s  today, 7d, 30d
  //      (40 days: no 14-day cap)
  //   T3 signup 2026-11-05 00:00, activated 2026-11-06 00:00     → 86 400 s     7d, 30d
  //   T4 signup 2026-09-01, activated 2026-10-05 (before the window)            none
  //   T5 activated 1 ms after as_of                                              none
  //   T6 activated, never signed up                                              none
  //   T7 signup 2026-10-19 12:00, activated 2026-10-20 00:00 and again today → 43 200 s  30d
  //   T8 activated 2026-11-10 07:00, signed up 08:00 (activation first)          none
  // today [3600, 3 456 000]: median 3600 + 0.5·3 452 400 = 1 729 800; p90 3600 + 0.9·3 452 400
  //   = 3 110 760
  // 7d [3600, 86 400, 3 456 000]: median 86 400; p90 h = 0.9·2 + 1 = 2.8 → 86 400 + 0.8·3 369 600
  //   = 2 782 080
  // 30d [3600, 43 200, 86 400, 3 456 000]: median h = 2.5 → 43 200 + 0.5·43 200 = 64 800;
  //   p90 h = 3.7 → 86 400 + 0.7·3 369 600 = 2 445 120
  const events = [
    signup('T1', at('2026-11-10T08:00:00Z')),
    activated('T1', at('2026-11-10T09:00:00Z')),
    activated('T2', at('2026-11-10T10:00:00Z')),
    signup('T2', at('2026-10-01T10:00:00Z')),
    signup('T3', at('2026-11-05T00:00:00Z')),
    activated('T3', at('2026-11-06T00:00:00Z')),
    signup('T4', at('2026-09-01T00:00:00Z')),
    activated('T4', at('2026-10-05T00:00:00Z')),
    signup('T5', at('2026-11-10T09:00:00Z')),
    activated('T5', asOf + 1),
    activated('T6', at('2026-11-10T09:30:00Z')),
    activated('T7', at('2026-11-10T10:00:00Z')),
    signup('T7', at('2026-10-19T12:00:00Z')),
    activated('T7', at('2026-10-20T00:00:00Z')),
    activated('T8', at('2026-11-10T07:00:00Z')),
    signup('T8', at('2026-11-10T08:00:00Z')),
  ];

  it('takes first activation − first signup in each window, with exact quantiles', () => {
    const kpis = kpisOf(events);
    expect({
      count: [kpis.ttfv_count_today, kpis.ttfv_count_7d, kpis.ttfv_count_30d],
      median: [
        kpis.ttfv_median_seconds_today,
        kpis.ttfv_median_seconds_7d,
        kpis.ttfv_median_seconds_30d,
      ],
    }).toEqual({ count: [2, 3, 4], median: [1_729_800, 86_400, 64_800] });
    expect(kpis.ttfv_p90_seconds_today).toBeCloseTo(3_110_760, 6);
    expect(kpis.ttfv_p90_seconds_7d).toBeCloseTo(2_782_080, 6);
    expect(kpis.ttfv_p90_seconds_30d).toBeCloseTo(2_445_120, 6);
    expect(kpisOf([...events].reverse())).toEqual(kpis);
  });

  it("counts an activation at 00:30 Berlin time in Berlin's today, not in UTC's", () => {
    // 2026-11-09T23:30Z is 2026-11-10 00:30 CET: today in Berlin, yesterday in UTC.
    const late = [
      signup('n', at('2026-11-09T23:00:00Z')),
      activated('n', at('2026-11-09T23:30:00Z')),
    ];
    expect(kpisOf(late, 'Europe/Berlin')).toMatchObject({
      ttfv_count_today: 1,
      ttfv_median_seconds_today: 1800,
      ttfv_p90_seconds_today: 1800,
    });
    expect(kpisOf(late, 'UTC')).toMatchObject({
      ttfv_count_today: 0,
      ttfv_median_seconds_today: null,
      ttfv_count_7d: 1,
    });
  });
});

describe('Onboarding: configuration', () => {
  it('follows configured steps and conversion window', () => {
    // Funnel signed_up → profile_completed → activated with a 1-day window:
    //   u1 signup, profile +1 h, activated +1 day exactly             → 3
    //   u2 signup, profile +1 h, activated +1 day + 1 ms               → 2
    //   u3 signup, first_project_created (not a configured step), activated +2 h → 1
    const options = {
      steps: ['signed_up', 'profile_completed', 'activated'],
      conversionWindowMs: day,
    };
    const kpis = kpisOf(
      [
        signup('u1', s0),
        step('u1', 'profile_completed', s0 + hour),
        activated('u1', s0 + day),
        signup('u2', s0),
        step('u2', 'profile_completed', s0 + hour),
        activated('u2', s0 + day + 1),
        signup('u3', s0),
        step('u3', 'first_project_created', s0 + hour),
        activated('u3', s0 + 2 * hour),
      ],
      'UTC',
      options,
    );
    expect(kpis.funnel_step_counts).toEqual({ signed_up: 3, profile_completed: 2, activated: 1 });
    expect(kpis.funnel_conversion).toEqual({ profile_completed: (2 / 3) * 100, activated: 50 });
    expect(kpis.funnel_bottleneck_step).toBe('activated');
    // TTFV has no window cap: u1 1 day, u2 1 day + 1 ms, u3 2 h (all 2026-11-02/03, 30d only).
    expect(kpis.ttfv_count_30d).toBe(3);
  });

  it.each([[['signed_up']], [['signed_up', 'x', 'x', 'activated']]])(
    'refuses the step list %j',
    (stepList) => {
      expect(() => new Onboarding(createLocalCalendar('UTC'), { steps: stepList })).toThrow();
    },
  );
});
