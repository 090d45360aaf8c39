/**
 * ClickHouse views of the product-usage KPIs (docs/clickhouse/product-usage.md); run on every
 * start after the migrations, so each is `CREATE OR REPLACE`.
 *
 * - Fact views, as stored now: `fact_sessions` (one row per (account_id, session_id)) and
 *   `fact_account_daily_activity(tz = …)` (one row per account and local day of `tz`: the wall's
 *   days are local days, so the zone is a parameter rather than fixed to UTC).
 * - KPI views `kpi_…(as_of = …, tz = …)`: one row whose columns are the KPIS.md keys, equal to
 *   /api/kpis (aggregator/src/kpi/product-usage.ts). Their SQL is that of
 *   test/src/integration/oracle-product-usage.test.ts, which proves the module equal to it: only
 *   events with `time <= as_of` count, windows are local calendar days of `tz`, ratios are
 *   part / whole × 100 and means integer ms / n / 1000 in Float64 as the module computes them.
 *
 * `events` holds every id once (deduplicated before insert), so the views read it directly.
 * Counts are cast to UInt32: JSON output quotes 64-bit integers by default, the API has numbers.
 */

/** The activity event types of KPIS.md "Product usage". */
const activityTypes = `('page.viewed', 'feature.used', 'onboarding.step_completed', 'user.activated', 'user.signed_up')`;

/** The calendar windows: key suffix and local days, ending with as_of's day. */
const windows = [
  { suffix: 'today', days: 1 },
  { suffix: '7d', days: 7 },
  { suffix: '30d', days: 30 },
] as const;

/** One column per window, `template(suffix, condition)` with `condition` = "`day` in the window". */
const perWindow = (day: string, template: (suffix: string, inWindow: string) => string): string =>
  windows
    .map(({ suffix, days }) => template(suffix, `${day} > today - ${String(days)}`))
    .join(',\n  ');

/** The parameters every KPI view starts from. */
const asOfAndToday = `{as_of:DateTime64(3, 'UTC')} AS as_of,
  -- as_of's local day; a window of N days is the local days (today - N, today].
  toDate(as_of, {tz:String}) AS today`;

/** Activity at or before as_of in the 30 local days ending today (or the rolling 24 h). */
const activityCte = `activity AS (
    SELECT
      type,
      assumeNotNull(user_id) AS user,
      account_id,
      feature,
      time,
      toDate(time, {tz:String}) AS day
    FROM events
    WHERE type IN ${activityTypes}
      AND user_id IS NOT NULL
      AND time <= as_of
      -- (as_of - 24 h is always inside the 30 days; said anyway so no zone can break it.)
      AND (toDate(time, {tz:String}) > today - 30 OR time > as_of - INTERVAL 24 HOUR)
  )`;

const kpiActiveUsers = `CREATE OR REPLACE VIEW kpi_active_users AS
WITH
  ${asOfAndToday},
  ${activityCte}
SELECT
  toUInt32(uniqExactIf(user, day = today)) AS dau,
  toUInt32(uniqExactIf(user, time > as_of - INTERVAL 24 HOUR)) AS dau_rolling_24h,
  toUInt32(uniqExactIf(user, day > today - 7)) AS wau,
  toUInt32(uniqExactIf(user, day > today - 30)) AS mau,
  -- Mean over the 30 days of each day's DAU (a day without activity is 0, so the number of
  -- (user, day) pairs / 30) / mau × 100, in that order: the module's Float64 steps.
  if(mau = 0, NULL, uniqExactIf(user, day, day > today - 30) / 30 / mau * 100)
    AS stickiness_dau_mau
FROM activity`;

const kpiActiveAccounts = `CREATE OR REPLACE VIEW kpi_active_accounts AS
WITH
  ${asOfAndToday},
  ${activityCte}
SELECT
  ${perWindow('day', (suffix, inWindow) => `toUInt32(uniqExactIf(account_id, ${inWindow})) AS active_accounts_${suffix}`)},
  toUInt32(uniqExactIf(account_id, time > as_of - INTERVAL 24 HOUR)) AS active_accounts_rolling_24h
FROM activity`;

const kpiFeatureAdoption = `CREATE OR REPLACE VIEW kpi_feature_adoption AS
WITH
  ${asOfAndToday},
  ${activityCte},
  -- Users with activity per window: the denominator.
  active AS (
    SELECT
      ${perWindow('day', (suffix, inWindow) => `uniqExactIf(user, ${inWindow}) AS users_${suffix}`)}
    FROM activity
  ),
  -- Users of each feature per window: the numerator (a user of a feature is active).
  per_feature AS (
    SELECT
      CAST(assumeNotNull(feature) AS String) AS feature_name,
      ${perWindow('day', (suffix, inWindow) => `uniqExactIf(user, ${inWindow}) AS users_${suffix}`)}
    FROM activity
    WHERE type = 'feature.used' AND feature IS NOT NULL
    GROUP BY feature_name
  )
SELECT
  -- Feature → users of it / active users × 100, for every feature used in the window.
  ${perWindow(
    '',
    (suffix) => `CAST(
    groupArrayIf((feature_name, f.users_${suffix} / a.users_${suffix} * 100), f.users_${suffix} > 0),
    'Map(String, Float64)'
  ) AS feature_adoption_percent_${suffix}`,
  )}
FROM per_feature AS f
CROSS JOIN active AS a`;

const sessionColumns = `account_id,
      assumeNotNull(session) AS session_id,
      -- The user of its first event (a shared session_id may carry several: see users).
      argMin(assumeNotNull(user), time) AS user_id,
      toUInt32(uniqExact(user)) AS users,
      min(time) AS first_event_at,
      max(time) AS last_event_at,
      toUInt32(count()) AS events,
      toUInt32(countIf(type = 'page.viewed')) AS page_views,
      toUInt32(countIf(type = 'feature.used')) AS feature_uses,
      -- Integer milliseconds, so sums and quantiles are exact; seconds at the end.
      toUnixTimestamp64Milli(last_event_at) - toUnixTimestamp64Milli(first_event_at) AS duration_ms,
      duration_ms / 1000 AS duration_seconds,
      -- A bounce: the only event is one page.viewed (one feature.used is not a bounce).
      toBool(events = 1 AND page_views = 1) AS bounced`;

/**
 * The page.viewed and feature.used events that belong to a session; `extra` narrows them.
 * Renamed (session, user) so that the outer aliases session_id / user_id cannot capture the
 * WHERE's columns (ClickHouse resolves a SELECT alias before a column of the same name).
 */
const sessionEvents = (extra: string): string => `SELECT
        account_id,
        session_id AS session,
        user_id AS user,
        type,
        time
      FROM events
      WHERE type IN ('page.viewed', 'feature.used')
        AND session_id IS NOT NULL
        AND user_id IS NOT NULL${extra}`;

const factSessions = `CREATE OR REPLACE VIEW fact_sessions AS
-- A session is the page.viewed and feature.used events with one (account_id, session_id).
SELECT
  ${sessionColumns.replaceAll('\n      ', '\n  ')}
FROM (
  ${sessionEvents('').replaceAll('\n      ', '\n  ')}
)
GROUP BY account_id, session_id`;

const kpiSessions = `CREATE OR REPLACE VIEW kpi_sessions AS
WITH
  ${asOfAndToday},
  -- fact_sessions as of as_of: a session is its events at or before as_of.
  sessions AS (
    SELECT
      ${sessionColumns},
      -- Counted in the window of its last event.
      toDate(last_event_at, {tz:String}) AS end_day
    FROM (
      ${sessionEvents('\n        AND time <= as_of')}
    )
    GROUP BY account_id, session_id
    HAVING end_day > today - 30
  )
SELECT
  ${perWindow('end_day', (suffix, inWindow) => `toUInt32(countIf(${inWindow})) AS sessions_ended_${suffix}`)},
  ${perWindow(
    'end_day',
    (suffix, inWindow) => `if(
    sessions_ended_${suffix} = 0,
    NULL,
    quantileExactInclusiveIf(0.5)(duration_ms, ${inWindow}) / 1000
  ) AS session_duration_median_seconds_${suffix}`,
  )},
  ${perWindow(
    'end_day',
    (suffix, inWindow) => `if(
    sessions_ended_${suffix} = 0,
    NULL,
    sumIf(duration_ms, ${inWindow}) / sessions_ended_${suffix} / 1000
  ) AS session_duration_mean_seconds_${suffix}`,
  )},
  ${perWindow(
    'end_day',
    (suffix, inWindow) => `if(
    sessions_ended_${suffix} = 0,
    NULL,
    countIf(bounced AND ${inWindow}) / sessions_ended_${suffix} * 100
  ) AS bounce_rate_percent_${suffix}`,
  )}
FROM sessions`;

/** Shown and clicked events of one CTA in one window. */
const ctaCountColumns = (suffix: string, inWindow: string): string =>
  `toUInt32(countIf(type = 'cta.shown' AND ${inWindow})) AS shown_${suffix},
      toUInt32(countIf(type = 'cta.clicked' AND ${inWindow})) AS clicked_${suffix}`;

const kpiCtas = `CREATE OR REPLACE VIEW kpi_ctas AS
WITH
  ${asOfAndToday},
  per_cta AS (
    SELECT
      CAST(assumeNotNull(cta) AS String) AS cta_name,
      ${perWindow('day', ctaCountColumns)}
    FROM (
      SELECT type, cta, toDate(time, {tz:String}) AS day
      FROM events
      WHERE type IN ('cta.shown', 'cta.clicked')
        AND cta IS NOT NULL
        AND user_id IS NOT NULL
        AND time <= as_of
        AND toDate(time, {tz:String}) > today - 30
    )
    GROUP BY cta_name
  )
SELECT
  -- CTA → clicked / shown × 100 for every CTA shown or clicked in the window; NULL when
  -- clicked but not shown. (Pairs, not two groupArrays: groupArray drops NULLs.)
  ${perWindow(
    '',
    (suffix) => `CAST(
    groupArrayIf(
      (cta_name, if(shown_${suffix} = 0, NULL, clicked_${suffix} / shown_${suffix} * 100)),
      shown_${suffix} + clicked_${suffix} > 0
    ),
    'Map(String, Nullable(Float64))'
  ) AS ctr_percent_${suffix}`,
  )},
  -- CTA → {shown, clicked} events in the window.
  ${perWindow(
    '',
    (suffix) => `CAST(
    groupArrayIf(
      (cta_name, (shown_${suffix}, clicked_${suffix})),
      shown_${suffix} + clicked_${suffix} > 0
    ),
    'Map(String, Tuple(shown UInt32, clicked UInt32))'
  ) AS cta_counts_${suffix}`,
  )}
FROM per_cta`;

const factAccountDailyActivity = `CREATE OR REPLACE VIEW fact_account_daily_activity AS
WITH
  daily AS (
    SELECT
      account_id,
      toDate(time, {tz:String}) AS day,
      toUInt32(uniqExact(user_id)) AS active_users,
      arraySort(groupUniqArray(assumeNotNull(user_id))) AS active_user_ids,
      toUInt32(count()) AS activity_events,
      toUInt32(countIf(type = 'page.viewed')) AS page_views,
      toUInt32(countIf(type = 'feature.used')) AS feature_uses,
      toUInt32(uniqExactIf(session_id, type IN ('page.viewed', 'feature.used'))) AS sessions_active,
      min(time) AS first_activity_at,
      max(time) AS last_activity_at
    FROM events
    WHERE type IN ${activityTypes} AND user_id IS NOT NULL
    GROUP BY account_id, day
  ),
  -- Sessions by the local day of their last event, the day the KPIs count them in. Their
  -- events are activity, so every such day has a row in daily.
  ended AS (
    SELECT
      account_id,
      toDate(last_event_at, {tz:String}) AS day,
      toUInt32(count()) AS sessions_ended,
      toUInt32(countIf(bounced)) AS sessions_bounced,
      sum(duration_ms) AS session_duration_ms_sum
    FROM fact_sessions
    GROUP BY account_id, day
  )
SELECT
  daily.account_id AS account_id,
  daily.day AS day,
  active_users,
  active_user_ids,
  activity_events,
  page_views,
  feature_uses,
  sessions_active,
  ended.sessions_ended AS sessions_ended,
  ended.sessions_bounced AS sessions_bounced,
  ended.session_duration_ms_sum AS session_duration_ms_sum,
  first_activity_at,
  last_activity_at
FROM daily
LEFT JOIN ended ON ended.account_id = daily.account_id AND ended.day = daily.day`;

/** In dependency order: fact_account_daily_activity reads fact_sessions. */
export const productUsageViews: readonly string[] = [
  factSessions,
  factAccountDailyActivity,
  kpiActiveUsers,
  kpiActiveAccounts,
  kpiFeatureAdoption,
  kpiSessions,
  kpiCtas,
];
