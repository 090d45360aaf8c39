// Oracle test for KPIS.md "Onboarding": a simulated month (plus a few hand-made edge users, see
// test/src/support/fixtures/onboarding.ts) is inserted into chdb's `events` table, and the same validated events, shuffled, are fed to the
// pure `Onboarding` state. Every onboarding KPI of the state must equal, exactly, plain SQL over
// the raw events written from KPIS.md — the funnel level through ClickHouse's own
// `windowFunnel` — in UTC and in Europe/Berlin.
//
// as_of is 2026-11-10T10:17:23.456Z: its 30-day window starts on 2026-10-12, so in
// Europe/Berlin it crosses the 2026-10-25 DST change (the window starts at 22:00Z, CEST).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent, type KpiEvent } from '@kpiwall/shared';
import { ClickHouseStore, createLocalCalendar, eventToRow, Onboarding } from '@kpiwall/aggregator';
import { onboardingKpisSchema, type FunnelStepCounts, type OnboardingKpis } from '@kpiwall/shared';
import {
  asOfMs,
  edgeUsers,
  historyEnd,
  historySeed,
  minuteMs,
  simulatedHistory,
  steps,
  type RawEvent,
} from '../support/fixtures/onboarding.ts';
import { clickHouseTime, shuffled } from '../support/oracle-helpers.ts';

// Every arrival gets its own received_at, so "first received" is well defined in SQL too.
const firstArrivalMs = historyEnd + minuteMs;

const validated = (raws: readonly RawEvent[]): KpiEvent[] =>
  raws.map((raw, arrival) => {
    const result = validateEvent(raw, asOfMs, firstArrivalMs + arrival);
    if (!result.ok) throw new Error(`${raw.id}: ${result.reason}`);
    return result.event;
  });

// The raw events, each id once: the first received counts (KPIS.md "Time").
const deduped = `SELECT * FROM events ORDER BY received_at, id LIMIT 1 BY id`;

// KPIS.md "Onboarding": step 1 = user.signed_up, last = user.activated, the others
// onboarding.step_completed with that step; other step names are ignored. Only events with
// time <= as_of. A step done twice counts once, at its first time (the first signup, too, and
// its plan: the first received on equal times).
const firstStepsSql = `
  funnel_events AS (
    SELECT
      user_id,
      time,
      received_at,
      plan,
      multiIf(
        type = 'user.signed_up', 1,
        type = 'onboarding.step_completed' AND step = 'profile_completed', 2,
        type = 'onboarding.step_completed' AND step = 'first_project_created', 3,
        type = 'onboarding.step_completed' AND step = 'teammate_invited', 4,
        type = 'user.activated', 5,
        0) AS step_number
    FROM (${deduped})
    WHERE user_id IS NOT NULL AND time <= {as_of:DateTime64(3, 'UTC')}
  ),
  first_steps AS (
    SELECT user_id, step_number, min(time) AS first_time, argMin(plan, (time, received_at)) AS plan
    FROM funnel_events
    WHERE step_number > 0
    GROUP BY user_id, step_number
  ),
  -- The level windowFunnel gives over the first times: steps in order (equal times allowed,
  -- ClickHouse sorts by (time, condition)), each no later than 14 × 24 h after signup (ms).
  users AS (
    SELECT
      user_id,
      windowFunnel(1209600000)(
        toUInt64(toUnixTimestamp64Milli(first_time)),
        step_number = 1, step_number = 2, step_number = 3, step_number = 4, step_number = 5
      ) AS reached,
      anyIf(plan, step_number = 1) AS signup_plan,
      minIf(first_time, step_number = 1) AS t1,
      minIf(first_time, step_number = 2) AS t2,
      minIf(first_time, step_number = 3) AS t3,
      minIf(first_time, step_number = 4) AS t4,
      minIf(first_time, step_number = 5) AS t5
    FROM first_steps
    GROUP BY user_id
    HAVING countIf(step_number = 1) = 1
  ),
  -- The cohort: users whose (first) signup is in the _30d window.
  cohort AS (
    SELECT *, toDate(t1, {tz:String}) AS signup_day
    FROM users
    WHERE toDate(t1, {tz:String}) >= toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}) - 29
  )`;

const reachColumns = `
  countIf(reached >= 1) AS r1,
  countIf(reached >= 2) AS r2,
  countIf(reached >= 3) AS r3,
  countIf(reached >= 4) AS r4,
  countIf(reached >= 5) AS r5`;

const funnelSql = `
WITH ${firstStepsSql},
  totals AS (SELECT ${reachColumns} FROM cohort),
  rates AS (
    SELECT
      [r1, r2, r3, r4, r5] AS reach,
      -- per step k >= 2: reach(k) / reach(k − 1) × 100, null when reach(k − 1) = 0
      arrayMap(k -> if(reach[k - 1] = 0, NULL, reach[k] / reach[k - 1] * 100), [2, 3, 4, 5])
        AS conversion,
      arrayMap(c -> 100 - c, conversion) AS dropoff,
      arrayMax(arrayMap(d -> ifNull(d, 0), dropoff)) AS largest_dropoff,
      if(r1 = 0, NULL, r5 / r1 * 100) AS completion
    FROM totals
  )
SELECT
  reach,
  conversion,
  dropoff,
  -- the step with the largest drop-off, the earliest on a tie; none when nobody drops off
  if(largest_dropoff > 0, ['profile_completed', 'first_project_created', 'teammate_invited',
    'activated'][indexOf(dropoff, largest_dropoff)], NULL) AS bottleneck,
  completion,
  (SELECT [
    if(countIf(reached >= 2) = 0, NULL, quantileExactInclusiveIf(0.5)(
      toUnixTimestamp64Milli(t2) - toUnixTimestamp64Milli(t1), reached >= 2) / 1000),
    if(countIf(reached >= 3) = 0, NULL, quantileExactInclusiveIf(0.5)(
      toUnixTimestamp64Milli(t3) - toUnixTimestamp64Milli(t2), reached >= 3) / 1000),
    if(countIf(reached >= 4) = 0, NULL, quantileExactInclusiveIf(0.5)(
      toUnixTimestamp64Milli(t4) - toUnixTimestamp64Milli(t3), reached >= 4) / 1000),
    if(countIf(reached >= 5) = 0, NULL, quantileExactInclusiveIf(0.5)(
      toUnixTimestamp64Milli(t5) - toUnixTimestamp64Milli(t4), reached >= 5) / 1000)
  ] FROM cohort) AS gap_medians
FROM rates`;

// Every local day of the window, zeros included.
const byDaySql = `
WITH ${firstStepsSql}
SELECT toString(signup_day) AS key, ${reachColumns}
FROM cohort
GROUP BY signup_day
ORDER BY signup_day WITH FILL
  FROM toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}) - 29
  TO toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}) + 1`;

// ISO weeks (Monday, local) overlapping the window, zeros included.
const byWeekSql = `
WITH ${firstStepsSql}
SELECT toString(toMonday(signup_day)) AS key, ${reachColumns}
FROM cohort
GROUP BY toMonday(signup_day)
ORDER BY toMonday(signup_day) WITH FILL
  FROM toMonday(toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}) - 29)
  TO toMonday(toDate({as_of:DateTime64(3, 'UTC')}, {tz:String})) + 7
  STEP 7`;

const byPlanSql = `
WITH ${firstStepsSql}
SELECT toString(signup_plan) AS key, ${reachColumns}
FROM cohort
GROUP BY signup_plan
ORDER BY signup_plan`;

// TTFV: first user.activated − first user.signed_up over signed-up users whose first activation
// is in the window (no 14-day cap); an activation before the signup has no TTFV.
const ttfvSql = `
WITH
  firsts AS (
    SELECT
      user_id,
      minIf(time, type = 'user.signed_up') AS signed_up_at,
      minIf(time, type = 'user.activated') AS activated_at
    FROM (${deduped})
    WHERE user_id IS NOT NULL
      AND type IN ('user.signed_up', 'user.activated')
      AND time <= {as_of:DateTime64(3, 'UTC')}
    GROUP BY user_id
    HAVING countIf(type = 'user.signed_up') > 0
      AND countIf(type = 'user.activated') > 0
      AND activated_at >= signed_up_at
  ),
  ttfv AS (
    SELECT
      toUnixTimestamp64Milli(activated_at) - toUnixTimestamp64Milli(signed_up_at) AS ms,
      toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}) - toDate(activated_at, {tz:String})
        AS days_ago
    FROM firsts
  )
SELECT
  countIf(days_ago = 0) AS ttfv_count_today,
  countIf(days_ago <= 6) AS ttfv_count_7d,
  countIf(days_ago <= 29) AS ttfv_count_30d,
  if(ttfv_count_today = 0, NULL, quantileExactInclusiveIf(0.5)(ms, days_ago = 0) / 1000)
    AS ttfv_median_seconds_today,
  if(ttfv_count_7d = 0, NULL, quantileExactInclusiveIf(0.5)(ms, days_ago <= 6) / 1000)
    AS ttfv_median_seconds_7d,
  if(ttfv_count_30d = 0, NULL, quantileExactInclusiveIf(0.5)(ms, days_ago <= 29) / 1000)
    AS ttfv_median_seconds_30d,
  if(ttfv_count_today = 0, NULL, quantileExactInclusiveIf(0.9)(ms, days_ago = 0) / 1000)
    AS ttfv_p90_seconds_today,
  if(ttfv_count_7d = 0, NULL, quantileExactInclusiveIf(0.9)(ms, days_ago <= 6) / 1000)
    AS ttfv_p90_seconds_7d,
  if(ttfv_count_30d = 0, NULL, quantileExactInclusiveIf(0.9)(ms, days_ago <= 29) / 1000)
    AS ttfv_p90_seconds_30d,
  count() AS activated_users
FROM ttfv`;

// Facts about the data that make the oracle meaningful (asserted below).
const shapeSql = `
WITH ${firstStepsSql},
  all_occurrences AS (
    SELECT
      user_id,
      windowFunnel(1209600000)(
        toUInt64(toUnixTimestamp64Milli(time)),
        step_number = 1, step_number = 2, step_number = 3, step_number = 4, step_number = 5
      ) AS reached
    FROM funnel_events
    WHERE step_number > 0
    GROUP BY user_id
  )
SELECT
  (SELECT count() FROM cohort WHERE t5 > t1 + INTERVAL 14 DAY) AS activated_after_14_days,
  (SELECT count() FROM cohort WHERE reached < 5 AND t5 <= {as_of:DateTime64(3, 'UTC')}
    AND t5 > toDateTime64('1970-01-01', 3)) AS activated_outside_funnel,
  (SELECT count() FROM (
     SELECT user_id FROM funnel_events WHERE step_number IN (2, 3, 4)
     GROUP BY user_id, step_number HAVING count() > 1)) AS steps_done_twice,
  (SELECT count() FROM users u INNER JOIN all_occurrences a USING user_id
     WHERE u.reached != a.reached) AS first_time_rule_matters,
  (SELECT count() FROM (${deduped}) WHERE type = 'onboarding.step_completed'
     AND step NOT IN ('profile_completed', 'first_project_created', 'teammate_invited'))
    AS other_step_names,
  (SELECT count() FROM (${deduped}) WHERE time > {as_of:DateTime64(3, 'UTC')}
     AND type IN ('user.signed_up', 'onboarding.step_completed', 'user.activated'))
    AS funnel_events_after_as_of,
  (SELECT count() FROM users WHERE toDate(t1, {tz:String})
     < toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}) - 29) AS signed_up_before_window,
  (SELECT count() FROM events) - (SELECT uniqExact(id) FROM events) AS stored_duplicates`;

type ReachRow = { key: string; r1: number; r2: number; r3: number; r4: number; r5: number };
type FunnelRow = {
  reach: number[];
  conversion: (number | null)[];
  dropoff: (number | null)[];
  bottleneck: string | null;
  completion: number | null;
  gap_medians: (number | null)[];
};
type TtfvRow = Pick<OnboardingKpis, Extract<keyof OnboardingKpis, `ttfv_${string}`>> & {
  activated_users: number;
};
type ShapeRow = Record<string, number>;

const named = (values: readonly number[]): FunnelStepCounts =>
  Object.fromEntries(steps.map((step, k) => [step, values[k] ?? 0]));
const namedLater = <T>(values: readonly T[]): Record<string, T> =>
  Object.fromEntries(steps.slice(1).map((step, k) => [step, values[k] as T]));
const reachRecord = (rows: readonly ReachRow[]): Record<string, FunnelStepCounts> =>
  Object.fromEntries(rows.map((row) => [row.key, named([row.r1, row.r2, row.r3, row.r4, row.r5])]));

const rawHistory: RawEvent[] = [
  ...simulatedHistory(),
  // Two signups at one instant with different plans: the first received counts.
  ...edgeUsers({ tiedSignups: [{ plan: 'free' }, { plan: 'paid' }] }),
];
// Arrival order = shuffled order; received_at follows it.
const arrivals = validated(shuffled(rawHistory, historySeed));

let dataDir = '';
let store: ClickHouseStore | undefined;
const opened = (): ClickHouseStore => {
  if (!store) throw new Error('the store did not open');
  return store;
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kpiwall-oracle-onboarding-'));
  store = await ClickHouseStore.open({ kind: 'embedded', dataDir }, 'kpiwall');
  await store.migrate();
  const rows = arrivals.map(eventToRow);
  for (let i = 0; i < rows.length; i += 20_000)
    await store.insert('events', rows.slice(i, i + 20_000));
  // Later arrivals under an existing id with another body (another time, user, plan, step):
  // they are stored but the first received counts, so they must change nothing.
  const impostors = arrivals
    .filter((e) => e.type === 'user.signed_up' || e.type === 'onboarding.step_completed')
    .slice(0, 200)
    .map((e, i) => ({
      ...eventToRow(e),
      time: clickHouseTime(asOfMs - (i + 1) * minuteMs),
      user_id: `impostor-${i}`,
      plan: e.type === 'user.signed_up' ? 'paid' : null,
      step: e.type === 'onboarding.step_completed' ? 'profile_completed' : null,
      received_at: clickHouseTime(firstArrivalMs + arrivals.length + i),
    }));
  await store.insert('events', impostors);
}, 300_000);

afterAll(async () => {
  await store?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe.each(['UTC', 'Europe/Berlin'])('oracle: onboarding KPIs equal exact SQL (%s)', (tz) => {
  const params = { as_of: clickHouseTime(asOfMs), tz };
  const live = (): OnboardingKpis => {
    const state = new Onboarding(createLocalCalendar(tz));
    for (const event of arrivals) state.apply(event);
    return onboardingKpisSchema.parse(state.kpis(asOfMs));
  };

  const oracle = async (): Promise<{ kpis: OnboardingKpis; activatedUsers: number }> => {
    const db = opened();
    const [funnel] = await db.query<FunnelRow>(funnelSql, params);
    const [ttfv] = await db.query<TtfvRow>(ttfvSql, params);
    if (!funnel || !ttfv) throw new Error('the oracle queries returned no row');
    const { activated_users: activatedUsers, ...ttfvKpis } = ttfv;
    return {
      activatedUsers,
      kpis: {
        funnel_step_counts: named(funnel.reach),
        funnel_step_counts_by_signup_day: reachRecord(await db.query<ReachRow>(byDaySql, params)),
        funnel_step_counts_by_signup_week: reachRecord(await db.query<ReachRow>(byWeekSql, params)),
        funnel_step_counts_by_plan: reachRecord(await db.query<ReachRow>(byPlanSql, params)),
        funnel_conversion: namedLater(funnel.conversion),
        funnel_dropoff_percent: namedLater(funnel.dropoff),
        funnel_bottleneck_step: funnel.bottleneck,
        onboarding_completion_rate_percent: funnel.completion,
        funnel_time_between_steps_median_seconds: namedLater(funnel.gap_medians),
        ...ttfvKpis,
      },
    };
  };

  it('has data that exercises every rule', async () => {
    const [shape] = await opened().query<ShapeRow>(shapeSql, params);
    console.info(`oracle-onboarding ${tz}: data`, JSON.stringify(shape));
    expect(shape?.['activated_after_14_days']).toBeGreaterThan(0);
    expect(shape?.['activated_outside_funnel']).toBeGreaterThan(2);
    expect(shape?.['steps_done_twice']).toBeGreaterThan(2);
    expect(shape?.['first_time_rule_matters']).toBeGreaterThan(0);
    expect(shape?.['other_step_names']).toBeGreaterThan(2);
    expect(shape?.['funnel_events_after_as_of']).toBeGreaterThan(0);
    expect(shape?.['signed_up_before_window']).toBeGreaterThan(2);
    expect(shape?.['stored_duplicates']).toBe(200);
  });

  it('equals exact SQL over the raw events, key by key', async () => {
    const { kpis: expected, activatedUsers } = await oracle();
    const actual = live();
    console.info(`oracle-onboarding ${tz}:`, JSON.stringify({ ...expected, activatedUsers }));
    // One object comparison, so a failure shows every key that differs. Bit-exact: both sides
    // divide the same integers in the same order in Float64, and take quantiles over integer
    // milliseconds the way quantileExactInclusive does before dividing by 1000.
    expect(actual).toEqual(expected);

    // Not trivial: every step, day of signups, plan and window has data.
    for (const count of Object.values(expected.funnel_step_counts)) {
      expect(count).toBeGreaterThan(2);
    }
    for (const counts of Object.values(expected.funnel_step_counts_by_plan)) {
      expect(counts['activated']).toBeGreaterThan(0);
    }
    expect(Object.keys(expected.funnel_step_counts_by_signup_day)).toHaveLength(30);
    const daysWithSignups = Object.values(expected.funnel_step_counts_by_signup_day).filter(
      (counts) => (counts['signed_up'] ?? 0) > 0,
    );
    expect(daysWithSignups.length).toBeGreaterThan(20);
    expect(Object.keys(expected.funnel_step_counts_by_signup_week)).toHaveLength(5);
    for (const counts of Object.values(expected.funnel_step_counts_by_signup_week)) {
      expect(counts['signed_up']).toBeGreaterThan(2);
    }
    for (const key of steps.slice(1)) {
      expect(expected.funnel_conversion[key]).toBeGreaterThan(0);
      expect(expected.funnel_conversion[key]).toBeLessThan(100);
      expect(expected.funnel_time_between_steps_median_seconds[key]).toBeGreaterThan(0);
    }
    expect(expected.funnel_bottleneck_step).not.toBeNull();
    expect(expected.onboarding_completion_rate_percent).toBeGreaterThan(0);
    expect(expected.ttfv_count_today).toBeGreaterThan(2);
    expect(expected.ttfv_count_7d).toBeGreaterThan(expected.ttfv_count_today);
    expect(expected.ttfv_count_30d).toBeGreaterThan(expected.ttfv_count_7d);
    // Some activated users are outside the 30-day window: the window is not a no-op.
    expect(activatedUsers).toBeGreaterThan(expected.ttfv_count_30d);
    expect(expected.ttfv_p90_seconds_30d).toBeGreaterThan(expected.ttfv_median_seconds_30d ?? 0);
  });
});
