/**
 * ClickHouse views of the revenue KPIs (docs/clickhouse/revenue.md); `CREATE OR REPLACE`, run on
 * every start after the migrations. The SQL is the exact oracle of
 * test/src/integration/oracle-revenue.test.ts, split into a fact view and parameterized views,
 * and follows the decisions in the header of aggregator/src/kpi/revenue.ts.
 *
 * - `fact_subscription_periods`: one row per account and period between subscription events.
 * - `fact_account_mrr`: one row per account, its current (latest stored) MRR.
 * - `revenue_account_period(as_of)`: one row per account, its MRR at the period's start and at
 *   as_of and its MRR movements in the period (the inputs of every retention KPI).
 * - `free_to_paid_accounts(as_of, tz)`: one row per account of the free-to-paid cohort.
 * - `kpi_mrr`, `kpi_churn_retention`, `kpi_mrr_movements` (as_of) and `kpi_free_to_paid`
 *   (as_of, tz): one row each, one column per KPIS.md key.
 */

const asOf = `{as_of:DateTime64(3, 'UTC')}`;
const tz = `{tz:String}`;

const factSubscriptionPeriods = `CREATE OR REPLACE VIEW fact_subscription_periods AS
WITH subscription_events AS (
  -- The first received copy of each id: the events table already holds one per id (deduplicated before
  -- insert); this keeps the view exact should a retried insert ever store a row twice.
  SELECT
    id,
    type,
    time,
    received_at,
    account_id,
    multiIf(type = 'subscription.started', plan,
            type = 'subscription.changed', to_plan,
            NULL) AS plan,
    -- The MRR the event sets: started → mrr_cents, changed → mrr_cents_after, cancelled → 0.
    -- Not the event's own mrr_cents_before / mrr_cents_lost: the previous period says what
    -- the MRR was before it.
    toUInt64(multiIf(type = 'subscription.started', ifNull(mrr_cents, 0),
                     type = 'subscription.changed', ifNull(mrr_cents_after, 0),
                     0)) AS mrr_cents
  FROM events
  WHERE type IN ('subscription.started', 'subscription.changed', 'subscription.cancelled')
  ORDER BY received_at, id
  LIMIT 1 BY id
)
SELECT
  account_id,
  time AS valid_from,
  -- The next event's time; NULL for the current period. Equal event times give a period with
  -- valid_from = valid_to, which is never in force.
  leadInFrame(toNullable(time), 1, NULL) OVER whole_account AS valid_to,
  plan,
  mrr_cents,
  type AS set_by_type,
  id AS set_by_id,
  received_at AS set_by_received_at,
  row_number() OVER account_order AS seq,
  lagInFrame(mrr_cents, 1, toUInt64(0)) OVER account_order AS previous_mrr_cents
FROM subscription_events
-- The module's order: event time, ties to the later arrival (received_at); events that arrived
-- in the same batch (same received_at) by id, as the aggregator orders them when it rebuilds
-- its state from ClickHouse.
WINDOW
  account_order AS (PARTITION BY account_id ORDER BY time, received_at, id
    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
  whole_account AS (PARTITION BY account_id ORDER BY time, received_at, id
    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)`;

const factAccountMrr = `CREATE OR REPLACE VIEW fact_account_mrr AS
SELECT
  account_id,
  mrr_cents,
  toBool(mrr_cents > 0) AS is_customer,
  plan,
  valid_from AS since,
  set_by_type,
  set_by_id
FROM fact_subscription_periods
-- The current period; as stored now, so it may be set by an event later than the wall's as_of.
WHERE valid_to IS NULL`;

const revenueAccountPeriod = `CREATE OR REPLACE VIEW revenue_account_period AS
WITH
  periods AS (
    SELECT
      account_id,
      seq,
      set_by_type,
      mrr_cents,
      previous_mrr_cents,
      -- The period is (as_of − 30 × 24 h, as_of]: an event at its start instant belongs to the
      -- start state.
      valid_from > ${asOf} - toIntervalHour(30 * 24) AS in_period
    FROM fact_subscription_periods
    WHERE valid_from <= ${asOf}
  ),
  movements AS (
    SELECT
      *,
      -- Any event taking MRR from > 0 to 0 is churn (a cancellation, a change to 0, a start at 0).
      in_period AND previous_mrr_cents > 0 AND mrr_cents = 0 AS is_churn,
      -- After the account's first churn in the period its events are new business: a restart
      -- and the changes after it are neither added back nor movements.
      sum(toUInt32(is_churn)) OVER (PARTITION BY account_id ORDER BY seq
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS churns_before,
      in_period AND churns_before = 0 AND set_by_type = 'subscription.changed'
        AND previous_mrr_cents > 0 AND mrr_cents > 0 AS is_change
    FROM periods
  ),
  accounts AS (
    SELECT
      account_id,
      -- MRR at an instant: the latest period started at or before it; 0 before any.
      argMaxIf(mrr_cents, seq, NOT in_period) AS start_mrr,
      argMax(mrr_cents, seq) AS end_mrr,
      sumIf(mrr_cents - previous_mrr_cents, is_change AND mrr_cents > previous_mrr_cents) AS up,
      sumIf(previous_mrr_cents - mrr_cents, is_change AND mrr_cents < previous_mrr_cents) AS down,
      sumIf(previous_mrr_cents, is_churn AND churns_before = 0) AS lost
    FROM movements
    GROUP BY account_id
  )
SELECT
  account_id,
  start_mrr AS mrr_cents_at_period_start,
  end_mrr AS mrr_cents_at_as_of,
  toBool(start_mrr > 0) AS customer_at_period_start,
  toBool(end_mrr > 0) AS customer_at_as_of,
  toBool(customer_at_period_start AND NOT customer_at_as_of) AS churned,
  toBool(NOT customer_at_period_start AND customer_at_as_of) AS new_customer,
  -- Movements count only for accounts that were customers at the period's start.
  toUInt64(if(customer_at_period_start, up, 0)) AS expansion_cents,
  toUInt64(if(customer_at_period_start, down, 0)) AS contraction_cents,
  toUInt64(if(customer_at_period_start, lost, 0)) AS churned_cents
FROM accounts`;

const freeToPaidAccounts = `CREATE OR REPLACE VIEW free_to_paid_accounts AS
WITH
  periods AS (
    SELECT
      account_id,
      seq,
      valid_from,
      mrr_cents,
      -- The account's first subscription.started (0: none yet).
      minIf(seq, set_by_type = 'subscription.started') OVER (PARTITION BY account_id)
        AS first_start_seq
    FROM fact_subscription_periods
    WHERE valid_from <= ${asOf}
  ),
  first_starts AS (
    SELECT
      account_id,
      anyIf(valid_from, seq = first_start_seq) AS started_at,
      anyIf(mrr_cents, seq = first_start_seq) AS start_mrr_cents,
      -- It converts at its first later event (same order) that sets MRR > 0.
      minIfOrNull(valid_from, seq > first_start_seq AND mrr_cents > 0) AS converted_at
    FROM periods
    WHERE first_start_seq > 0
    GROUP BY account_id
  )
SELECT
  account_id,
  started_at,
  -- Keyed by the local date of the Monday of the start's ISO week.
  toString(toMonday(toDate(started_at, ${tz}))) AS start_week,
  converted_at,
  toUnixTimestamp64Milli(converted_at) - toUnixTimestamp64Milli(started_at) AS convert_ms,
  toBool(ifNull(convert_ms <= 30 * 86400000, 0)) AS converted
FROM first_starts
-- Free starts between 120 and 30 × 24 h before as_of: every conversion window is complete.
WHERE start_mrr_cents = 0
  AND started_at > ${asOf} - toIntervalHour(120 * 24)
  AND started_at <= ${asOf} - toIntervalHour(30 * 24)`;

const kpiMrr = `CREATE OR REPLACE VIEW kpi_mrr AS
SELECT
  toUInt64(sum(mrr_cents_at_as_of)) AS mrr_cents,
  countIf(customer_at_as_of) AS customers,
  if(customers = 0, NULL, mrr_cents / customers) AS arpa_cents
FROM revenue_account_period(as_of = ${asOf})`;

const kpiChurnRetention = `CREATE OR REPLACE VIEW kpi_churn_retention AS
SELECT
  countIf(customer_at_period_start) AS customers_at_period_start,
  countIf(churned) AS churned_accounts_30d,
  -- Divisions in the module's order, so the Float64 results are bit-identical.
  if(customers_at_period_start = 0, NULL,
    churned_accounts_30d / customers_at_period_start * 100) AS churn_rate_percent,
  (1 - pow(1 - churn_rate_percent / 100, 12)) * 100 AS churn_rate_annualised_percent,
  countIf(new_customer) AS new_customers_30d,
  -- (CE − CN) / CS × 100, so churn + retention = 100.
  if(customers_at_period_start = 0, NULL,
    (countIf(customer_at_as_of) - new_customers_30d) / customers_at_period_start * 100)
    AS retention_rate_percent,
  -- ARPA / (monthly churn / 100); NULL without customers (no ARPA) or when churn is 0 / NULL.
  if(countIf(customer_at_as_of) = 0 OR churn_rate_percent IS NULL OR churn_rate_percent = 0, NULL,
    sum(mrr_cents_at_as_of) / countIf(customer_at_as_of) / (churn_rate_percent / 100)) AS clv_cents
FROM revenue_account_period(as_of = ${asOf})`;

const kpiMrrMovements = `CREATE OR REPLACE VIEW kpi_mrr_movements AS
SELECT
  toUInt64(sum(mrr_cents_at_period_start)) AS mrr_at_period_start_cents,
  toUInt64(sum(expansion_cents)) AS expansion_mrr_cents,
  toUInt64(sum(contraction_cents)) AS contraction_mrr_cents,
  toUInt64(sum(churned_cents)) AS churned_mrr_cents,
  if(mrr_at_period_start_cents = 0, NULL,
    (churned_mrr_cents + contraction_mrr_cents) / mrr_at_period_start_cents * 100)
    AS gross_revenue_churn_percent,
  -- A restart is not added back (revenue_account_period stops at the first churn).
  if(mrr_at_period_start_cents = 0, NULL,
    (toInt64(mrr_at_period_start_cents) + expansion_mrr_cents - contraction_mrr_cents
      - churned_mrr_cents) / mrr_at_period_start_cents * 100) AS nrr_percent
FROM revenue_account_period(as_of = ${asOf})`;

const kpiFreeToPaid = `CREATE OR REPLACE VIEW kpi_free_to_paid AS
WITH cohort AS (
  SELECT start_week, convert_ms, converted
  FROM free_to_paid_accounts(as_of = ${asOf}, tz = ${tz})
)
SELECT
  if(count() = 0, NULL, countIf(converted) / count() * 100) AS free_to_paid_percent_30d,
  if(countIf(converted) = 0, NULL,
    quantileExactInclusiveIf(0.5)(convert_ms, converted) / 1000)
    AS free_to_paid_median_seconds_to_convert,
  -- Only weeks with at least one free start appear; {} when there is none.
  (
    SELECT CAST(
      mapFromArrays(groupArray(start_week), groupArray((started, converted_count, percent))),
      'Map(String, Tuple(started UInt64, converted UInt64, percent Float64))')
    FROM (
      SELECT
        start_week,
        count() AS started,
        countIf(converted) AS converted_count,
        converted_count / started * 100 AS percent
      FROM cohort
      GROUP BY start_week
    )
  ) AS free_to_paid_by_start_week
FROM cohort`;

/** Fact views first: the parameterized views read them. */
export const revenueViews: readonly string[] = [
  factSubscriptionPeriods,
  factAccountMrr,
  revenueAccountPeriod,
  freeToPaidAccounts,
  kpiMrr,
  kpiChurnRetention,
  kpiMrrMovements,
  kpiFreeToPaid,
];
