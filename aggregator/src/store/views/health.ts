import {
  defaultAtRiskScoreBelow,
  defaultHealthSignalWeights,
  healthSignalNames,
  ticketPriorities,
} from '@kpiwall/shared';
import { activityEventTypes } from '../../kpi/product-usage.ts';
import { defaultSlaTargetsMs } from '../../kpi/sla.ts';

/**
 * ClickHouse views of churn signals and health (docs/clickhouse/health.md), re-created on every
 * start. Every view takes `as_of` (no time zone: health windows are rolling N × 24 h):
 * - `health_signal_inputs(as_of)`: one row per account with the inputs of every signal, the
 *   signals that fired, its score, MRR and churned flag — the module's evaluation, in SQL;
 * - `health_account_signals(as_of)`: the same, one row per account × signal (fired, weight);
 * - `kpi_health_scores`, `kpi_at_risk_accounts`, `kpi_health_signals(as_of)`: one row, one
 *   column named as the KPIS.md key, equal to `/api/kpis`.
 * The constants (signal weights, at-risk threshold, SLA targets, activity types) are the
 * defaults the Health module uses (aggregator/src/kpi/health.ts); the module takes weights, SLA
 * targets and the threshold as configuration, the views only know these defaults.
 */

const quote = (text: string): string => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
const stringArray = (items: Iterable<string>): string => `[${[...items].map(quote).join(', ')}]`;

const asOf = `{as_of:DateTime64(3, 'UTC')}`;
const signalNames = stringArray(healthSignalNames);
const weights = `map(${healthSignalNames
  .map((signal) => `${quote(signal)}, ${defaultHealthSignalWeights[signal]}`)
  .join(', ')})`;
/** The first-reply target in ms of a priority column. */
const slaTargetMs = (column: string): string =>
  `multiIf(${ticketPriorities
    .map((priority) => `${column} = ${quote(priority)}, ${defaultSlaTargetsMs[priority]}`)
    .join(', ')}, NULL)`;

/** One row per account with an event at or before as_of: inputs, signals, score. */
const healthSignalInputs = `
CREATE OR REPLACE VIEW health_signal_inputs AS
WITH
  -- Health (KPIS.md "Churn signals and health"; decisions in aggregator/src/kpi/health.ts).
  -- "Last N d" is (as_of − N × 24 h, as_of]: an event with age = as_of − time in ms is in it
  -- when 0 ≤ age < N × 86400000. The 28 d before the last 7 d are the weeks k = 1…4 with
  -- 7k d ≤ age < (7k + 7) d. "Latest" is by (time, received_at, id): ties to the one received
  -- last, and among events received in the same millisecond the greater id, which is the order
  -- the aggregator replays the table in when it rebuilds its state.
  visible AS (
    SELECT
      *,
      toUnixTimestamp64Milli(time) AS t,
      toUnixTimestamp64Milli(${asOf}) AS as_of_ms,
      as_of_ms - t AS age,
      (time, received_at, id) AS arrival,
      type IN ${stringArray(activityEventTypes)} AND user_id IS NOT NULL AS is_activity,
      type IN ('subscription.started', 'subscription.changed', 'subscription.cancelled')
        AS is_subscription
    FROM events
    -- a plain range filter on time (no toMillisecond in WHERE: DESIGN.md, ClickHouse 26.7 bug)
    WHERE time <= ${asOf}
  ),
  per_account AS (
    SELECT
      account_id,
      any(as_of_ms) AS as_of_ms,
      uniqExactIf(user_id, is_activity AND age < 7 * 86400000) AS active_7d,
      uniqExactIf(user_id, is_activity AND age >= 7 * 86400000 AND age < 14 * 86400000) AS week_1,
      uniqExactIf(user_id, is_activity AND age >= 14 * 86400000 AND age < 21 * 86400000) AS week_2,
      uniqExactIf(user_id, is_activity AND age >= 21 * 86400000 AND age < 28 * 86400000) AS week_3,
      uniqExactIf(user_id, is_activity AND age >= 28 * 86400000 AND age < 35 * 86400000) AS week_4,
      if(countIf(is_activity) = 0, NULL, maxIf(t, is_activity)) AS last_activity_ms,
      countIf(type = 'ticket.reopened' AND age < 7 * 86400000) AS reopened_7d,
      -- the latest answer of each kind in the last 30 d
      if(countIf(type = 'survey.answered' AND kind = 'nps' AND age < 30 * 86400000) = 0, NULL,
        argMaxIf(score, arrival, type = 'survey.answered' AND kind = 'nps' AND age < 30 * 86400000))
        AS latest_nps,
      if(countIf(type = 'survey.answered' AND kind = 'csat' AND age < 30 * 86400000) = 0, NULL,
        argMaxIf(score, arrival, type = 'survey.answered' AND kind = 'csat' AND age < 30 * 86400000))
        AS latest_csat,
      -- the latest subscription event ever (up to as_of) sets MRR and churned
      ifNull(argMaxIf(
        multiIf(
          type = 'subscription.started', mrr_cents,
          type = 'subscription.changed', mrr_cents_after,
          0),
        arrival, is_subscription), 0) AS mrr,
      toBool(countIf(is_subscription) > 0 AND ifNull(argMaxIf(
        type = 'subscription.cancelled' OR (type = 'subscription.changed' AND mrr_cents_after = 0),
        arrival, is_subscription), false)) AS is_churned,
      countIf(type = 'subscription.changed' AND mrr_cents_after < mrr_cents_before
        AND age < 30 * 86400000) AS downgrades
    FROM visible
    GROUP BY account_id
  ),
  -- A ticket is (account_id, ticket_id) with a ticket.created: created at the earliest one
  -- (ties: the first received, its priority). A reply is a public agent ticket.replied; open
  -- unless the latest ticket.solved / ticket.reopened is a solve.
  tickets AS (
    SELECT
      account_id,
      any(as_of_ms) AS as_of_ms,
      minIf(t, type = 'ticket.created') AS created_ms,
      argMinIf(priority, arrival, type = 'ticket.created') AS created_priority,
      countIf(is_reply) AS replies,
      minIf(t, is_reply) AS first_reply_ms,
      countIf(is_status) AS status_changes,
      argMaxIf(type = 'ticket.solved', arrival, is_status) AS latest_is_solve,
      -- SLA first-reply targets (KPIS.md "Support" defaults); a reply exactly at due is on time
      created_ms + ${slaTargetMs('created_priority')} AS due_ms
    FROM (
      SELECT
        *,
        ifNull(type = 'ticket.replied' AND author = 'agent' AND public, false) AS is_reply,
        type IN ('ticket.solved', 'ticket.reopened') AS is_status
      FROM visible
      WHERE startsWith(type, 'ticket.') AND ticket_id IS NOT NULL
    )
    GROUP BY account_id, ticket_id
    HAVING countIf(type = 'ticket.created') > 0
  ),
  ticket_stats AS (
    SELECT
      account_id,
      countIf(as_of_ms - created_ms < 7 * 86400000) AS tickets_7d,
      countIf(as_of_ms - created_ms >= 7 * 86400000 AND as_of_ms - created_ms < 35 * 86400000)
        AS tickets_prior_28d,
      -- a late first reply counts when the reply is in the last 7 d, whenever the ticket was made
      countIf(replies > 0 AND as_of_ms - first_reply_ms < 7 * 86400000 AND first_reply_ms > due_ms)
        AS late_replies_7d,
      countIf(replies = 0 AND (status_changes = 0 OR NOT latest_is_solve) AND due_ms < as_of_ms)
        AS open_unreplied
    FROM tickets
    GROUP BY account_id
  ),
  inputs AS (
    SELECT
      a.account_id AS account_id,
      a.active_7d AS active_users_7d,
      [a.week_1, a.week_2, a.week_3, a.week_4] AS active_users_weekly_prior_28d,
      arraySum(active_users_weekly_prior_28d) AS active_users_prior_28d,
      -- Float64 in the module's order: sum / 4, then (mean − last 7 d) / mean × 100
      active_users_prior_28d / 4 AS active_users_weekly_mean_prior_28d,
      if(active_users_prior_28d = 0, NULL,
        (active_users_weekly_mean_prior_28d - active_users_7d)
          / active_users_weekly_mean_prior_28d * 100) AS usage_drop_percent,
      fromUnixTimestamp64Milli(a.last_activity_ms, 'UTC') AS last_activity_at,
      (a.as_of_ms - a.last_activity_ms) / 1000 AS seconds_since_last_activity,
      ts.tickets_7d AS tickets_created_7d,
      ts.tickets_prior_28d AS tickets_created_prior_28d,
      tickets_created_prior_28d / 4 AS tickets_created_weekly_mean_prior_28d,
      ts.late_replies_7d AS late_first_replies_7d,
      ts.open_unreplied AS open_unreplied_past_target,
      late_first_replies_7d + open_unreplied_past_target AS sla_breaches_7d,
      a.reopened_7d AS reopened_7d,
      a.latest_nps AS latest_nps_score_30d,
      a.latest_csat AS latest_csat_score_30d,
      a.downgrades AS downgrades_30d,
      a.mrr AS mrr_cents,
      a.is_churned AS churned
    FROM per_account AS a
    -- accounts without tickets get 0 counts (join_use_nulls is off)
    LEFT JOIN ticket_stats AS ts ON ts.account_id = a.account_id
  ),
  evaluated AS (
    SELECT
      *,
      -- which signals fire, in KPIS.md's order; comparisons on integers as the module does
      -- (8 × last 7 d ≤ sum of the 4 weeks ⇔ down ≥ 50 %; 16 × … ≤ 3 × sum ⇔ down ≥ 25 %)
      arrayFilter((signal, fires) -> fires, ${signalNames}, [
        active_users_prior_28d > 0 AND 8 * active_users_7d <= active_users_prior_28d,
        active_users_prior_28d > 0 AND 8 * active_users_7d > active_users_prior_28d
          AND 16 * active_users_7d <= 3 * active_users_prior_28d,
        seconds_since_last_activity IS NULL OR seconds_since_last_activity >= 14 * 86400,
        tickets_created_7d >= 5 AND 8 * tickets_created_7d > 3 * tickets_created_prior_28d,
        sla_breaches_7d >= 3,
        reopened_7d >= 2,
        ifNull(latest_nps_score_30d <= 6, false),
        ifNull(latest_csat_score_30d <= 2, false),
        downgrades_30d > 0
      ]) AS signals,
      -- KPIS.md default weights; 100 − the fired weights, floor 0; 0 when churned
      if(churned, 0, greatest(0, 100 - arraySum(signal -> ${weights}[signal], signals))) AS score
    FROM inputs
  )
SELECT
  account_id,
  toUInt8(score) AS score,
  churned,
  mrr_cents,
  signals,
  active_users_7d,
  active_users_weekly_prior_28d,
  active_users_weekly_mean_prior_28d,
  usage_drop_percent,
  last_activity_at,
  seconds_since_last_activity,
  tickets_created_7d,
  tickets_created_prior_28d,
  tickets_created_weekly_mean_prior_28d,
  late_first_replies_7d,
  open_unreplied_past_target,
  sla_breaches_7d,
  reopened_7d,
  latest_nps_score_30d,
  latest_csat_score_30d,
  downgrades_30d
FROM evaluated`;

/** One row per account × signal, so engineers can filter on a signal. */
const healthAccountSignals = `
CREATE OR REPLACE VIEW health_account_signals AS
SELECT
  account_id,
  signal,
  has(signals, signal) AS fired,
  -- KPIS.md default weight, and what it takes off the score while firing
  ${weights}[signal] AS weight,
  if(fired, weight, 0) AS points,
  -- the input the signal compares (see docs/clickhouse/health.md)
  CAST(multiIf(
    signal IN ('usage_drop_50', 'usage_drop_25'), usage_drop_percent,
    signal = 'dormant_14d', seconds_since_last_activity,
    signal = 'ticket_spike_7d', toFloat64(tickets_created_7d),
    signal = 'sla_breaches_7d_ge_3', toFloat64(sla_breaches_7d),
    signal = 'reopened_7d_ge_2', toFloat64(reopened_7d),
    signal = 'nps_detractor_latest_30d', toFloat64(latest_nps_score_30d),
    signal = 'csat_low_latest_30d', toFloat64(latest_csat_score_30d),
    toFloat64(downgrades_30d)), 'Nullable(Float64)') AS input,
  score,
  churned,
  mrr_cents
FROM health_signal_inputs(as_of = ${asOf})
ARRAY JOIN ${signalNames} AS signal`;

/** `health_scores`: every account, sorted by account_id (byte order = code point order). */
const kpiHealthScores = `
CREATE OR REPLACE VIEW kpi_health_scores AS
SELECT
  arraySort(entry -> entry.account_id, groupArray(CAST(
    (account_id, score, churned, mrr_cents, signals),
    'Tuple(account_id String, score UInt8, churned Bool, mrr_cents UInt64, signals Array(String))'
  ))) AS health_scores
FROM health_signal_inputs(as_of = ${asOf})`;

/** `at_risk_accounts`: non-churned, score below 40; MRR desc, score asc, account_id asc. */
const kpiAtRiskAccounts = `
CREATE OR REPLACE VIEW kpi_at_risk_accounts AS
SELECT
  arraySort(
    entry -> (-toInt64(entry.mrr_cents), entry.score, entry.account_id),
    groupArray(CAST(
      (account_id, score, mrr_cents, signals),
      'Tuple(account_id String, score UInt8, mrr_cents UInt64, signals Array(String))'
    ))) AS at_risk_accounts
FROM health_signal_inputs(as_of = ${asOf})
WHERE NOT churned AND score < ${defaultAtRiskScoreBelow}`;

/** `health_signals`: the inputs of every signal, per account, as the API shapes them. */
const kpiHealthSignals = `
CREATE OR REPLACE VIEW kpi_health_signals AS
SELECT
  arraySort(entry -> entry.account_id, groupArray(CAST(
    (
      account_id,
      active_users_7d,
      active_users_weekly_prior_28d,
      active_users_weekly_mean_prior_28d,
      usage_drop_percent,
      seconds_since_last_activity,
      tickets_created_7d,
      tickets_created_weekly_mean_prior_28d,
      late_first_replies_7d,
      open_unreplied_past_target,
      sla_breaches_7d,
      reopened_7d,
      latest_nps_score_30d,
      latest_csat_score_30d,
      downgrades_30d
    ),
    'Tuple(
      account_id String,
      active_users_7d UInt64,
      active_users_weekly_prior_28d Array(UInt64),
      active_users_weekly_mean_prior_28d Float64,
      usage_drop_percent Nullable(Float64),
      seconds_since_last_activity Nullable(Float64),
      tickets_created_7d UInt64,
      tickets_created_weekly_mean_prior_28d Float64,
      late_first_replies_7d UInt64,
      open_unreplied_past_target UInt64,
      sla_breaches_7d UInt64,
      reopened_7d UInt64,
      latest_nps_score_30d Nullable(Int16),
      latest_csat_score_30d Nullable(Int16),
      downgrades_30d UInt64
    )'
  ))) AS health_signals
FROM health_signal_inputs(as_of = ${asOf})`;

export const healthViews: readonly string[] = [
  healthSignalInputs,
  healthAccountSignals,
  kpiHealthScores,
  kpiAtRiskAccounts,
  kpiHealthSignals,
];
