/**
 * ClickHouse views of the onboarding KPIs (docs/clickhouse/onboarding.md); run on every start.
 *
 * The same numbers as aggregator/src/kpi/onboarding.ts (the live truth) with its DEFAULT funnel
 * (`signed_up → profile_completed → first_project_created → teammate_invited → activated`,
 * 14 × 24 h conversion window): the module takes steps and window as configuration, these views
 * spell out the defaults. The SQL is the exact oracle of
 * test/src/integration/oracle-onboarding.test.ts, split into a fact view and KPI views.
 *
 * `events` holds every accepted event once (deduplicated by id before insert), so the views read
 * it directly. Order of the statements matters: each view is checked against the ones above it.
 */

/** One row per signed-up user: the first time of each funnel step, as stored now. */
const factUserOnboarding = `
CREATE OR REPLACE VIEW fact_user_onboarding AS
WITH
  -- KPIS.md "Onboarding": step 1 is user.signed_up, step 5 user.activated, steps 2-4
  -- onboarding.step_completed with that step name; other step names are not funnel steps.
  funnel_events AS (
    SELECT
      assumeNotNull(user_id) AS user_id,
      account_id,
      time,
      received_at,
      id,
      plan,
      multiIf(
        type = 'user.signed_up', 1,
        type = 'onboarding.step_completed' AND step = 'profile_completed', 2,
        type = 'onboarding.step_completed' AND step = 'first_project_created', 3,
        type = 'onboarding.step_completed' AND step = 'teammate_invited', 4,
        type = 'user.activated', 5,
        0) AS step_number
    FROM events
    WHERE user_id IS NOT NULL
      AND type IN ('user.signed_up', 'onboarding.step_completed', 'user.activated')
  ),
  -- A step done twice counts once, at its first time. For the signup also its account and plan:
  -- on equal times the first received wins ((received_at, id) is the order the aggregator
  -- replays the store in).
  first_steps AS (
    SELECT
      user_id,
      step_number,
      min(time) AS first_time,
      argMin((account_id, plan), (time, received_at, id)) AS first_event
    FROM funnel_events
    WHERE step_number > 0
    GROUP BY user_id, step_number
  )
SELECT
  user_id,
  anyIf(first_event.1, step_number = 1) AS account_id,
  assumeNotNull(anyIf(first_event.2, step_number = 1)) AS plan,
  minIf(first_time, step_number = 1) AS signed_up_at,
  minOrNullIf(first_time, step_number = 2) AS profile_completed_at,
  minOrNullIf(first_time, step_number = 3) AS first_project_created_at,
  minOrNullIf(first_time, step_number = 4) AS teammate_invited_at,
  minOrNullIf(first_time, step_number = 5) AS activated_at,
  -- Steps 1..k in order (equal times allowed: ClickHouse sorts by (time, condition)), step k at
  -- most 14 x 24 h after signup, in milliseconds (14 days + 1 ms is outside). Over the FIRST
  -- times only: over every occurrence a repeated step could match after a step it preceded.
  windowFunnel(1209600000)(
    toUInt64(toUnixTimestamp64Milli(first_time)),
    step_number = 1, step_number = 2, step_number = 3, step_number = 4, step_number = 5
  ) AS funnel_level,
  -- Time to first value, no 14-day cap; none when the first activation precedes the signup.
  if(activated_at >= signed_up_at,
    (toUnixTimestamp64Milli(activated_at) - toUnixTimestamp64Milli(signed_up_at)) / 1000,
    NULL) AS ttfv_seconds
FROM first_steps
GROUP BY user_id
HAVING countIf(step_number = 1) = 1`;

/** The funnel cohort as of a moment: users whose first signup is in the `_30d` window. */
const onboardingCohort = `
CREATE OR REPLACE VIEW onboarding_cohort AS
WITH
  {as_of:DateTime64(3, 'UTC')} AS as_of_time,
  toDate(as_of_time, {tz:String}) AS today
SELECT
  f.user_id AS user_id,
  f.account_id AS account_id,
  f.plan AS plan,
  toDate(f.signed_up_at, {tz:String}) AS signup_day,
  toMonday(signup_day) AS signup_week,
  -- A step first done after as_of is not done yet as of as_of.
  f.signed_up_at AS signed_up_at,
  if(f.profile_completed_at <= as_of_time, f.profile_completed_at, NULL) AS profile_completed_at,
  if(f.first_project_created_at <= as_of_time, f.first_project_created_at, NULL)
    AS first_project_created_at,
  if(f.teammate_invited_at <= as_of_time, f.teammate_invited_at, NULL) AS teammate_invited_at,
  if(f.activated_at <= as_of_time, f.activated_at, NULL) AS activated_at,
  -- windowFunnel over the events up to as_of: the steps of the stored funnel_level are in time
  -- order, so as of as_of the user reaches those of them done by then.
  toUInt8(arrayCount(
    t -> t <= as_of_time,
    arraySlice(
      [f.signed_up_at, f.profile_completed_at, f.first_project_created_at, f.teammate_invited_at,
        f.activated_at],
      1, f.funnel_level)
  )) AS steps_reached
FROM fact_user_onboarding AS f
WHERE f.signed_up_at <= as_of_time
  AND toDate(f.signed_up_at, {tz:String}) >= today - 29`;

/** Every funnel key: counts, conversion, drop-off, bottleneck, completion, time between steps. */
const kpiFunnel = `
CREATE OR REPLACE VIEW kpi_funnel AS
WITH
  ['signed_up', 'profile_completed', 'first_project_created', 'teammate_invited', 'activated']
    AS steps,
  arraySlice(steps, 2) AS later_steps,
  toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}) AS today,
  cohort AS (
    SELECT * FROM onboarding_cohort(as_of = {as_of:DateTime64(3, 'UTC')}, tz = {tz:String})
  ),
  -- Users of the cohort reaching steps 1..5 (reaching step k means reaching 1..k-1 too).
  totals AS (
    SELECT
      [countIf(steps_reached >= 1), countIf(steps_reached >= 2), countIf(steps_reached >= 3),
        countIf(steps_reached >= 4), countIf(steps_reached >= 5)] AS reach,
      -- Median gap per step k >= 2 over users reaching k, in integer milliseconds first and
      -- then / 1000, as the module does (bit-identical interpolation); null without users.
      [
        if(countIf(steps_reached >= 2) = 0, NULL, quantileExactInclusiveIf(0.5)(
          toUnixTimestamp64Milli(profile_completed_at) - toUnixTimestamp64Milli(signed_up_at),
          steps_reached >= 2) / 1000),
        if(countIf(steps_reached >= 3) = 0, NULL, quantileExactInclusiveIf(0.5)(
          toUnixTimestamp64Milli(first_project_created_at)
            - toUnixTimestamp64Milli(profile_completed_at),
          steps_reached >= 3) / 1000),
        if(countIf(steps_reached >= 4) = 0, NULL, quantileExactInclusiveIf(0.5)(
          toUnixTimestamp64Milli(teammate_invited_at)
            - toUnixTimestamp64Milli(first_project_created_at),
          steps_reached >= 4) / 1000),
        if(countIf(steps_reached >= 5) = 0, NULL, quantileExactInclusiveIf(0.5)(
          toUnixTimestamp64Milli(activated_at) - toUnixTimestamp64Milli(teammate_invited_at),
          steps_reached >= 5) / 1000)
      ] AS gap_medians
    FROM cohort
  ),
  rates AS (
    SELECT
      reach,
      gap_medians,
      -- reach(k) / reach(k-1) x 100 in this order (Float64, like the module); null when
      -- reach(k-1) = 0.
      arrayMap(k -> if(reach[k - 1] = 0, NULL, reach[k] / reach[k - 1] * 100), [2, 3, 4, 5])
        AS conversion,
      arrayMap(c -> 100 - c, conversion) AS dropoff,
      arrayMax(arrayMap(d -> ifNull(d, 0), dropoff)) AS largest_dropoff,
      if(reach[1] = 0, NULL, reach[5] / reach[1] * 100) AS completion
    FROM totals
  ),
  -- Every local day of the window, zeros included.
  by_day AS (
    SELECT
      signup_day,
      countIf(steps_reached >= 1) AS r1, countIf(steps_reached >= 2) AS r2,
      countIf(steps_reached >= 3) AS r3, countIf(steps_reached >= 4) AS r4,
      countIf(steps_reached >= 5) AS r5
    FROM cohort
    GROUP BY signup_day
    ORDER BY signup_day WITH FILL FROM today - 29 TO today + 1
  ),
  -- Every ISO week (its local Monday) overlapping the window, zeros included.
  by_week AS (
    SELECT
      signup_week,
      countIf(steps_reached >= 1) AS r1, countIf(steps_reached >= 2) AS r2,
      countIf(steps_reached >= 3) AS r3, countIf(steps_reached >= 4) AS r4,
      countIf(steps_reached >= 5) AS r5
    FROM cohort
    GROUP BY signup_week
    ORDER BY signup_week WITH FILL FROM toMonday(today - 29) TO toMonday(today) + 7 STEP 7
  ),
  -- All three signup plans, zeros included (LEFT JOIN fills 0 for a plan nobody chose).
  by_plan AS (
    SELECT plans.plan AS plan, r1, r2, r3, r4, r5
    FROM (SELECT arrayJoin(['free', 'trial', 'paid']) AS plan) AS plans
    LEFT JOIN (
      SELECT
        toString(plan) AS plan,
        countIf(steps_reached >= 1) AS r1, countIf(steps_reached >= 2) AS r2,
        countIf(steps_reached >= 3) AS r3, countIf(steps_reached >= 4) AS r4,
        countIf(steps_reached >= 5) AS r5
      FROM cohort
      GROUP BY plan
    ) AS reached ON reached.plan = plans.plan
  )
SELECT
  mapFromArrays(steps, reach) AS funnel_step_counts,
  (SELECT mapFromArrays(groupArray(toString(signup_day)),
      groupArray(mapFromArrays(steps, [r1, r2, r3, r4, r5])))
    FROM by_day) AS funnel_step_counts_by_signup_day,
  (SELECT mapFromArrays(groupArray(toString(signup_week)),
      groupArray(mapFromArrays(steps, [r1, r2, r3, r4, r5])))
    FROM by_week) AS funnel_step_counts_by_signup_week,
  (SELECT mapFromArrays(groupArray(plan), groupArray(mapFromArrays(steps, [r1, r2, r3, r4, r5])))
    FROM by_plan) AS funnel_step_counts_by_plan,
  mapFromArrays(later_steps, conversion) AS funnel_conversion,
  mapFromArrays(later_steps, dropoff) AS funnel_dropoff_percent,
  -- The step with the largest drop-off, the earliest on a tie; none when nobody drops off.
  if(largest_dropoff > 0, later_steps[indexOf(dropoff, largest_dropoff)], NULL)
    AS funnel_bottleneck_step,
  completion AS onboarding_completion_rate_percent,
  mapFromArrays(later_steps, gap_medians) AS funnel_time_between_steps_median_seconds
FROM rates`;

/** TTFV by the calendar window of the first activation. */
const kpiTtfv = `
CREATE OR REPLACE VIEW kpi_ttfv AS
WITH
  toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}) AS today,
  -- Signed-up users whose first activation is at or before as_of and not before the signup
  -- (their signup is then before as_of too); no 14-day cap.
  ttfv AS (
    SELECT
      toUnixTimestamp64Milli(activated_at) - toUnixTimestamp64Milli(signed_up_at) AS ms,
      today - toDate(activated_at, {tz:String}) AS days_ago
    FROM fact_user_onboarding
    WHERE activated_at <= {as_of:DateTime64(3, 'UTC')} AND ttfv_seconds IS NOT NULL
  )
SELECT
  -- Quantiles over integer milliseconds, then / 1000, as the module does; null without users.
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
  countIf(days_ago = 0) AS ttfv_count_today,
  countIf(days_ago <= 6) AS ttfv_count_7d,
  countIf(days_ago <= 29) AS ttfv_count_30d
FROM ttfv`;

export const onboardingViews: readonly string[] = [
  factUserOnboarding,
  onboardingCohort,
  kpiFunnel,
  kpiTtfv,
];
