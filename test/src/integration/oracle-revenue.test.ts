// Oracle test for "Revenue and retention" (KPIS.md): a simulated 130-day history goes into chdb
// and, shuffled, into the pure Revenue module; every revenue KPI from the module must equal,
// bit for bit, plain SQL over the raw `events` table written straight from KPIS.md — in UTC and
// in Europe/Berlin (only the free-to-paid start weeks depend on the zone).
//
// 130 days, so the free-to-paid cohort (first starts between 120 and 30 days before as_of) is
// populated. as_of is 2026-11-10T10:17:23.456Z as in oracle.test.ts: the period
// (as_of − 30 × 24 h, as_of] crosses the 2026-10-25 DST change in Berlin, which must not matter.
//
// Revenue reads subscription events only: the table gets every subscription event of the
// history plus every 50th other event (so the SQL's type filter is exercised while the load
// stays small), and a few altered duplicates that the oracle must drop by id.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent, type KpiEvent } from '@kpiwall/shared';
import { ClickHouseStore, createLocalCalendar, eventToRow, Revenue } from '@kpiwall/aggregator';
import { generateHistory } from '@kpiwall/ingest';
import { revenueKpisSchema, type FreeToPaidWeek, type RevenueKpis } from '@kpiwall/shared';
import { clickHouseTime, shuffled } from '../support/oracle-helpers.ts';

const asOfIso = '2026-11-10T10:17:23.456Z';
const asOfMs = Date.parse(asOfIso);
const minuteMs = 60_000;
// Events up to 5 minutes past as_of are stored but must not count.
const historyEnd = asOfMs + 5 * minuteMs;
// Seed 6 (not oracle.test.ts's) is one whose period holds a cancel-and-restart and whose free
// cohort has a start on a Sunday night UTC that is Monday in Berlin (checked below).
const historySeed = 6;
const historyAccounts = 120;
const historyDays = 130;
const otherEventsSampling = 50;
const duplicateCount = 25;

// KPIS.md: the first event received with an id counts.
const dedupedEvents = `SELECT * FROM events ORDER BY received_at, id LIMIT 1 BY id`;

// Each subscription event with the MRR it sets (started → mrr_cents, changed → mrr_cents_after,
// cancelled → 0) and the account's MRR just before it: the previous event by event time, ties
// to the later arrival (received_at). Only events with time <= as_of count. The period is
// (as_of − 30 × 24 h, as_of]; an event at its start instant belongs to the start state.
const subscriptionCtes = `
  subscription_events AS (
    SELECT
      account_id,
      type,
      time,
      received_at,
      toUInt64(multiIf(
        type = 'subscription.started', ifNull(mrr_cents, 0),
        type = 'subscription.changed', ifNull(mrr_cents_after, 0),
        0)) AS mrr
    FROM (${dedupedEvents})
    WHERE type IN ('subscription.started', 'subscription.changed', 'subscription.cancelled')
      AND time <= {as_of:DateTime64(3, 'UTC')}
  ),
  ordered AS (
    SELECT
      account_id,
      type,
      time,
      received_at,
      mrr,
      lagInFrame(mrr, 1, toUInt64(0)) OVER account_order AS mrr_before,
      time > {as_of:DateTime64(3, 'UTC')} - toIntervalHour(30 * 24) AS in_period
    FROM subscription_events
    WINDOW account_order AS (PARTITION BY account_id ORDER BY time, received_at
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
  ),
  movements AS (
    SELECT
      *,
      in_period AND mrr_before > 0 AND mrr = 0 AS is_churn,
      -- Churn movements earlier in the period: after the first one, the account's events are
      -- new business (a restart is not added back), not movements.
      sum(toUInt32(is_churn)) OVER (PARTITION BY account_id ORDER BY time, received_at
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS churns_before,
      in_period AND churns_before = 0 AND type = 'subscription.changed'
        AND mrr_before > 0 AND mrr > 0 AS is_change
    FROM ordered
  ),
  accounts AS (
    SELECT
      account_id,
      argMaxIf(mrr, (time, received_at), NOT in_period) AS start_mrr,
      argMax(mrr, (time, received_at)) AS end_mrr,
      sumIf(mrr - mrr_before, is_change AND mrr > mrr_before) AS up,
      sumIf(mrr_before - mrr, is_change AND mrr < mrr_before) AS down,
      sumIf(mrr_before, is_churn AND churns_before = 0) AS lost
    FROM movements
    GROUP BY account_id
  )`;

const retentionSql = `
WITH ${subscriptionCtes}
SELECT
  toUInt64(sumIf(end_mrr, end_mrr > 0)) AS mrr_cents,
  countIf(end_mrr > 0) AS customers,
  if(customers = 0, NULL, mrr_cents / customers) AS arpa_cents,
  countIf(start_mrr > 0) AS customers_at_period_start,
  toUInt64(sumIf(start_mrr, start_mrr > 0)) AS mrr_at_period_start_cents,
  countIf(start_mrr > 0 AND end_mrr = 0) AS churned_accounts_30d,
  if(customers_at_period_start = 0, NULL,
    churned_accounts_30d / customers_at_period_start * 100) AS churn_rate_percent,
  (1 - pow(1 - churn_rate_percent / 100, 12)) * 100 AS churn_rate_annualised_percent,
  countIf(start_mrr = 0 AND end_mrr > 0) AS new_customers_30d,
  if(customers_at_period_start = 0, NULL,
    (customers - new_customers_30d) / customers_at_period_start * 100) AS retention_rate_percent,
  -- Movements of the accounts that were customers at the period's start only.
  toUInt64(sumIf(up, start_mrr > 0)) AS expansion_mrr_cents,
  toUInt64(sumIf(down, start_mrr > 0)) AS contraction_mrr_cents,
  toUInt64(sumIf(lost, start_mrr > 0)) AS churned_mrr_cents,
  if(mrr_at_period_start_cents = 0, NULL,
    (churned_mrr_cents + contraction_mrr_cents) / mrr_at_period_start_cents * 100)
    AS gross_revenue_churn_percent,
  if(mrr_at_period_start_cents = 0, NULL,
    (toInt64(mrr_at_period_start_cents) + expansion_mrr_cents - contraction_mrr_cents
      - churned_mrr_cents) / mrr_at_period_start_cents * 100) AS nrr_percent,
  if(arpa_cents IS NULL OR churn_rate_percent IS NULL OR churn_rate_percent = 0, NULL,
    arpa_cents / (churn_rate_percent / 100)) AS clv_cents,
  -- Not KPIs: how much the data exercises each rule.
  countIf(start_mrr > 0 AND end_mrr > 0 AND lost > 0) AS restarted_within_period,
  countIf(start_mrr > 0 AND up > 0) AS accounts_expanding,
  countIf(start_mrr > 0 AND down > 0) AS accounts_contracting
FROM accounts`;

// Free to paid: an account's first subscription.started (by time, ties to the earlier arrival)
// at mrr_cents 0 with time in (as_of − 120 × 24 h, as_of − 30 × 24 h]; it converts at its first
// later event (same order) setting MRR > 0, counted when at most 30 × 24 h after the start.
const freeToPaidCtes = `
  ${subscriptionCtes},
  first_starts AS (
    SELECT account_id, argMin((time, received_at, mrr), (time, received_at)) AS first_start
    FROM subscription_events
    WHERE type = 'subscription.started'
    GROUP BY account_id
  ),
  cohort AS (
    SELECT account_id, first_start.1 AS started_at, first_start.2 AS started_received
    FROM first_starts
    WHERE first_start.3 = 0
      AND first_start.1 > {as_of:DateTime64(3, 'UTC')} - toIntervalHour(120 * 24)
      AND first_start.1 <= {as_of:DateTime64(3, 'UTC')} - toIntervalHour(30 * 24)
  ),
  conversions AS (
    SELECT
      c.account_id AS account_id,
      any(c.started_at) AS started_at,
      countIf(s.mrr > 0 AND (s.time, s.received_at) > (c.started_at, c.started_received))
        AS paid_after,
      minIf(s.time, s.mrr > 0 AND (s.time, s.received_at) > (c.started_at, c.started_received))
        AS converted_at
    FROM cohort AS c
    INNER JOIN subscription_events AS s ON s.account_id = c.account_id
    GROUP BY c.account_id
  ),
  cohort_accounts AS (
    SELECT
      toString(toMonday(toDate(started_at, {tz:String}))) AS start_week,
      toUnixTimestamp64Milli(converted_at) - toUnixTimestamp64Milli(started_at) AS convert_ms,
      paid_after > 0 AND convert_ms <= 30 * 86400000 AS is_converted
    FROM conversions
  )`;

const freeToPaidSql = `
WITH ${freeToPaidCtes}
SELECT
  count() AS started_count,
  countIf(is_converted) AS converted_count,
  if(started_count = 0, NULL, converted_count / started_count * 100) AS free_to_paid_percent_30d,
  if(converted_count = 0, NULL, quantileExactInclusiveIf(0.5)(convert_ms, is_converted) / 1000)
    AS free_to_paid_median_seconds_to_convert
FROM cohort_accounts`;

const freeToPaidByWeekSql = `
WITH ${freeToPaidCtes}
SELECT
  start_week,
  count() AS started_count,
  countIf(is_converted) AS converted_count,
  converted_count / started_count * 100 AS percent
FROM cohort_accounts
GROUP BY start_week
ORDER BY start_week`;

type RetentionRow = Omit<
  RevenueKpis,
  | 'free_to_paid_percent_30d'
  | 'free_to_paid_median_seconds_to_convert'
  | 'free_to_paid_by_start_week'
> & {
  restarted_within_period: number;
  accounts_expanding: number;
  accounts_contracting: number;
};
type FreeToPaidRow = {
  started_count: number;
  converted_count: number;
  free_to_paid_percent_30d: number | null;
  free_to_paid_median_seconds_to_convert: number | null;
};
type WeekRow = {
  start_week: string;
  started_count: number;
  converted_count: number;
  percent: number;
};

const isSubscription = (type: string): boolean => type.startsWith('subscription.');

// The events in their (shuffled) arrival order, validated as the collector would, each with a
// distinct received_at = its arrival, so that ties in event time break the same way on both
// sides (the module counts arrivals; SQL orders by received_at).
const arrivals: KpiEvent[] = shuffled(
  generateHistory({
    seed: historySeed,
    accounts: historyAccounts,
    days: historyDays,
    end: historyEnd,
  }).filter((event, index) => isSubscription(event.type) || index % otherEventsSampling === 0),
  historySeed,
).map((raw, index) => {
  const validation = validateEvent(raw, historyEnd, historyEnd + index);
  if (!validation.ok) throw new Error(`simulated event rejected: ${validation.reason}`);
  return validation.event;
});

// Received after every original: same id, another body (MRR and time moved). Dropped upstream,
// so the module never sees them; the oracle must drop them by itself.
const duplicates: KpiEvent[] = arrivals
  .filter((event) => isSubscription(event.type))
  .slice(0, duplicateCount)
  .map((event, index) => {
    const moved = { ...event, time: asOfMs - (index + 1) * minuteMs };
    const altered: KpiEvent =
      moved.type === 'subscription.started'
        ? { ...moved, mrr_cents: moved.mrr_cents + 12_345 }
        : moved.type === 'subscription.changed'
          ? { ...moved, mrr_cents_after: 0 }
          : moved;
    return { ...altered, received_at: historyEnd + arrivals.length + index };
  });

let dataDir = '';
let store: ClickHouseStore | undefined;
const opened = (): ClickHouseStore => {
  if (!store) throw new Error('the store did not open');
  return store;
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kpiwall-oracle-revenue-'));
  store = await ClickHouseStore.open({ kind: 'embedded', dataDir }, 'kpiwall');
  await store.migrate();
  await store.insert('events', [...arrivals, ...duplicates].map(eventToRow));
}, 300_000);

afterAll(async () => {
  await store?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe.each([{ timeZone: 'UTC' }, { timeZone: 'Europe/Berlin' }])(
  'oracle: revenue KPIs equal exact SQL over the raw events ($timeZone)',
  ({ timeZone }) => {
    const params = { as_of: clickHouseTime(asOfMs), tz: timeZone };
    const revenue = new Revenue(createLocalCalendar(timeZone));
    for (const event of arrivals) revenue.apply(event);

    const oracle = async (): Promise<{
      retention: RetentionRow;
      freeToPaid: FreeToPaidRow;
      weeks: WeekRow[];
    }> => {
      const [retention] = await opened().query<RetentionRow>(retentionSql, params);
      const [freeToPaid] = await opened().query<FreeToPaidRow>(freeToPaidSql, params);
      const weeks = await opened().query<WeekRow>(freeToPaidByWeekSql, params);
      if (!retention || !freeToPaid) throw new Error('the oracle queries returned no row');
      return { retention, freeToPaid, weeks };
    };

    it('has data that makes every KPI meaningful', async () => {
      const [table] = await opened().query<{
        rows: number;
        ids: number;
        subscription_events: number;
        after_as_of: number;
        tied_subscription_events: number;
      }>(
        `SELECT count() AS rows, uniqExact(id) AS ids,
           countIf(type LIKE 'subscription.%') AS subscription_events,
           countIf(time > {as_of:DateTime64(3, 'UTC')}) AS after_as_of,
           (SELECT count() FROM (
              SELECT account_id, time FROM events WHERE type LIKE 'subscription.%'
              GROUP BY account_id, time HAVING uniqExact(id) > 1)) AS tied_subscription_events
         FROM events`,
        params,
      );
      expect(table?.rows).toBe(arrivals.length + duplicates.length);
      expect(table?.ids).toBe(arrivals.length);
      expect(table?.subscription_events).toBeGreaterThan(200);
      console.info(`oracle-revenue ${timeZone}: table`, JSON.stringify(table));

      const { retention, freeToPaid, weeks } = await oracle();
      expect(retention.customers).toBeGreaterThan(20);
      expect(retention.customers_at_period_start).toBeGreaterThan(20);
      expect(retention.churned_accounts_30d).toBeGreaterThan(2);
      expect(retention.new_customers_30d).toBeGreaterThan(2);
      expect(retention.accounts_expanding).toBeGreaterThan(2);
      expect(retention.accounts_contracting).toBeGreaterThan(2);
      expect(retention.churned_mrr_cents).toBeGreaterThan(0);
      for (const key of [
        'arpa_cents',
        'churn_rate_percent',
        'churn_rate_annualised_percent',
        'retention_rate_percent',
        'gross_revenue_churn_percent',
        'nrr_percent',
        'clv_cents',
      ] as const) {
        expect(retention[key], key).not.toBeNull();
      }
      expect(freeToPaid.started_count).toBeGreaterThan(10);
      expect(freeToPaid.converted_count).toBeGreaterThan(2);
      expect(freeToPaid.converted_count).toBeLessThan(freeToPaid.started_count);
      expect(weeks.length).toBeGreaterThan(5);
      // A customer at the start that cancelled and restarted inside the period (not churn).
      expect(retention.restarted_within_period).toBeGreaterThan(0);
      // A free start in the cohort on Sunday in UTC but Monday in Berlin: the start weeks differ.
      const [zones] = await opened().query<{ sunday_utc_monday_berlin: number }>(
        `WITH ${freeToPaidCtes}
         SELECT countIf(toDayOfWeek(started_at, 0, 'UTC') = 7
           AND toDayOfWeek(started_at, 0, 'Europe/Berlin') = 1) AS sunday_utc_monday_berlin
         FROM conversions`,
        params,
      );
      expect(zones?.sunday_utc_monday_berlin).toBeGreaterThan(0);
    });

    it('equals exact SQL over the raw events', async () => {
      const { retention, freeToPaid, weeks } = await oracle();
      const {
        restarted_within_period: restarted,
        accounts_expanding: expanding,
        accounts_contracting: contracting,
        ...retentionKpis
      } = retention;
      const expected: RevenueKpis = {
        ...retentionKpis,
        free_to_paid_percent_30d: freeToPaid.free_to_paid_percent_30d,
        free_to_paid_median_seconds_to_convert: freeToPaid.free_to_paid_median_seconds_to_convert,
        free_to_paid_by_start_week: Object.fromEntries(
          weeks.map((week): [string, FreeToPaidWeek] => [
            week.start_week,
            { started: week.started_count, converted: week.converted_count, percent: week.percent },
          ]),
        ),
      };
      const live = revenueKpisSchema.parse(revenue.kpis(asOfMs));
      console.info(
        `oracle-revenue ${timeZone}:`,
        JSON.stringify({
          ...expected,
          free_to_paid_started: freeToPaid.started_count,
          free_to_paid_converted: freeToPaid.converted_count,
          restarted_within_period: restarted,
          accounts_expanding: expanding,
          accounts_contracting: contracting,
        }),
      );
      // One comparison, so a failure shows every key that differs; bit-exact: both sides divide
      // the same integers in the same order in Float64.
      expect(live).toEqual(expected);
    });
  },
);
