// Oracle test for churn signals and health (KPIS.md "Churn signals and health"): a simulated
// history is inserted into chdb as raw `events` rows, the same validated events go, shuffled,
// through the pure Health module, and every health KPI must equal exactly what plain SQL over
// the deduplicated raw events gives when written straight from KPIS.md.
//
// The history runs 42 days (not 30): "the 28 d before" the last 7 d reaches back to
// as_of − 35 d, so a shorter history would leave the older weeks empty and usage_drop trivial.
// Health windows are rolling N × 24 h and do not depend on the time zone (KPIS.md "Time"), so
// the module takes none and the SQL uses none; the two zones run the same comparison, which is
// the point: nothing may move with the zone.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent, type KpiEvent } from '@kpiwall/shared';
import { ClickHouseStore, eventToRow, Health } from '@kpiwall/aggregator';
import { generateHistory } from '@kpiwall/ingest';
import { edgeEvents, tieTwins } from '../support/fixtures/health.ts';
import {
  healthKpisSchema,
  healthSignalNames,
  type HealthKpis,
  type HealthSignal,
} from '@kpiwall/shared';
import { clickHouseTime, shuffled } from '../support/oracle-helpers.ts';

const asOfIso = '2026-11-10T10:17:23.456Z';
const asOfMs = Date.parse(asOfIso);
const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;
// Events up to 5 minutes after as_of exist (and are stored) but must not count.
const historyEnd = asOfMs + 5 * minuteMs;
const historySeed = 20_261_110;
const historyAccounts = 80;
const historyDays = 42;
const insertRows = 20_000;
// A second, earlier instant (not on a second boundary) read from the same state.
const earlierAsOfMs = asOfMs - 3 * dayMs - 7 * 60 * minuteMs - 12 * minuteMs - 5_678;

const activityTypes = [
  'page.viewed',
  'feature.used',
  'onboarding.step_completed',
  'user.activated',
  'user.signed_up',
];

// The raw events, each id once (KPIS.md: the first event received with an id counts).
const dedupedEvents = `SELECT * FROM events ORDER BY received_at, id LIMIT 1 BY id`;

// Straight from KPIS.md: rolling windows ending at as_of, "last N d" = (as_of − N d, as_of],
// i.e. 0 ≤ as_of − t < N d for events at or before as_of; the 28 d before the last 7 d are the
// four weeks 7k d ≤ as_of − t < (7k + 7) d, k = 1…4. Latest = by (time, received_at).
const healthSelect = `
WITH
  visible AS (
    SELECT
      *,
      toUnixTimestamp64Milli(time) AS t,
      toUnixTimestamp64Milli(received_at) AS r,
      toUnixTimestamp64Milli({as_of:DateTime64(3, 'UTC')}) AS as_of_ms,
      as_of_ms - t AS age
    FROM (${dedupedEvents})
    WHERE time <= {as_of:DateTime64(3, 'UTC')}
  ),
  accounts AS (
    SELECT account_id, any(as_of_ms) AS as_of_ms FROM visible GROUP BY account_id
  ),
  usage AS (
    SELECT
      account_id,
      uniqExactIf(user_id, age < 7 * 86400000) AS active_7d,
      uniqExactIf(user_id, age >= 7 * 86400000 AND age < 14 * 86400000) AS week_1,
      uniqExactIf(user_id, age >= 14 * 86400000 AND age < 21 * 86400000) AS week_2,
      uniqExactIf(user_id, age >= 21 * 86400000 AND age < 28 * 86400000) AS week_3,
      uniqExactIf(user_id, age >= 28 * 86400000 AND age < 35 * 86400000) AS week_4,
      countIf(age < 14 * 86400000) AS activity_14d,
      max(t) AS last_activity_ms
    FROM visible
    WHERE type IN {activity:Array(String)} AND user_id IS NOT NULL
    GROUP BY account_id
  ),
  -- A ticket is (account_id, ticket_id), created at its earliest ticket.created; a reply is a
  -- public agent ticket.replied; open unless the latest solve/reopen is a solve.
  tickets AS (
    SELECT
      account_id,
      any(as_of_ms) AS as_of_ms,
      minIf(t, type = 'ticket.created') AS created_ms,
      argMinIf(priority, (t, -r), type = 'ticket.created') AS created_priority,
      countIf(is_reply) AS replies,
      minIf(t, is_reply) AS first_reply_ms,
      countIf(is_status) AS status_changes,
      argMaxIf(type = 'ticket.solved', (t, r), is_status) AS latest_is_solve,
      -- SLA defaults (KPIS.md "Support"): urgent 1 h, high 4 h, normal 8 h, low 24 h
      created_ms + multiIf(
        created_priority = 'urgent', 1,
        created_priority = 'high', 4,
        created_priority = 'normal', 8,
        24) * 3600000 AS due_ms
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
      countIf(replies > 0 AND as_of_ms - first_reply_ms < 7 * 86400000 AND first_reply_ms > due_ms)
        AS late_first_replies_7d,
      countIf(replies = 0 AND (status_changes = 0 OR NOT latest_is_solve) AND due_ms < as_of_ms)
        AS open_unreplied_past_target
    FROM tickets
    GROUP BY account_id
  ),
  reopens AS (
    SELECT account_id, countIf(age < 7 * 86400000) AS reopened_7d
    FROM visible
    WHERE type = 'ticket.reopened'
    GROUP BY account_id
  ),
  surveys AS (
    SELECT
      account_id,
      if(countIf(kind = 'nps') = 0, NULL, argMaxIf(score, (t, r), kind = 'nps')) AS latest_nps,
      if(countIf(kind = 'csat') = 0, NULL, argMaxIf(score, (t, r), kind = 'csat')) AS latest_csat
    FROM visible
    WHERE type = 'survey.answered' AND age < 30 * 86400000
    GROUP BY account_id
  ),
  subscriptions AS (
    SELECT
      account_id,
      argMax(
        multiIf(
          type = 'subscription.started', mrr_cents,
          type = 'subscription.changed', mrr_cents_after,
          0),
        (t, r)) AS mrr_cents,
      argMax(
        type = 'subscription.cancelled' OR (type = 'subscription.changed' AND mrr_cents_after = 0),
        (t, r)) AS churned,
      countIf(
        type = 'subscription.changed' AND mrr_cents_after < mrr_cents_before
        AND age < 30 * 86400000) AS downgrades_30d
    FROM visible
    WHERE startsWith(type, 'subscription.')
    GROUP BY account_id
  ),
  inputs AS (
    SELECT
      a.account_id AS account_id,
      ifNull(u.active_7d, 0) AS active_users_7d,
      [ifNull(u.week_1, 0), ifNull(u.week_2, 0), ifNull(u.week_3, 0), ifNull(u.week_4, 0)]
        AS active_users_weekly_prior_28d,
      arraySum(active_users_weekly_prior_28d) / 4 AS active_users_weekly_mean_prior_28d,
      if(active_users_weekly_mean_prior_28d = 0, NULL,
        (active_users_weekly_mean_prior_28d - active_users_7d)
          / active_users_weekly_mean_prior_28d * 100) AS usage_drop_percent,
      ifNull(u.activity_14d, 0) = 0 AS dormant,
      (a.as_of_ms - u.last_activity_ms) / 1000 AS seconds_since_last_activity,
      ifNull(ts.tickets_7d, 0) AS tickets_created_7d,
      ifNull(ts.tickets_prior_28d, 0) / 4 AS tickets_created_weekly_mean_prior_28d,
      ifNull(ts.late_first_replies_7d, 0) AS late_first_replies_7d,
      ifNull(ts.open_unreplied_past_target, 0) AS open_unreplied_past_target,
      late_first_replies_7d + open_unreplied_past_target AS sla_breaches_7d,
      ifNull(ro.reopened_7d, 0) AS reopened_7d,
      sv.latest_nps AS latest_nps_score_30d,
      sv.latest_csat AS latest_csat_score_30d,
      ifNull(sb.downgrades_30d, 0) AS downgrades_30d,
      ifNull(sb.mrr_cents, 0) AS mrr_cents,
      toBool(ifNull(sb.churned, false)) AS churned
    FROM accounts AS a
    LEFT JOIN usage AS u ON u.account_id = a.account_id
    LEFT JOIN ticket_stats AS ts ON ts.account_id = a.account_id
    LEFT JOIN reopens AS ro ON ro.account_id = a.account_id
    LEFT JOIN surveys AS sv ON sv.account_id = a.account_id
    LEFT JOIN subscriptions AS sb ON sb.account_id = a.account_id
  ),
  fired AS (
    SELECT
      *,
      ifNull(usage_drop_percent >= 50, false) AS s_usage_drop_50,
      ifNull(usage_drop_percent >= 25 AND usage_drop_percent < 50, false) AS s_usage_drop_25,
      dormant AS s_dormant_14d,
      tickets_created_7d >= 5 AND tickets_created_7d > 1.5 * tickets_created_weekly_mean_prior_28d
        AS s_ticket_spike_7d,
      sla_breaches_7d >= 3 AS s_sla_breaches_7d_ge_3,
      reopened_7d >= 2 AS s_reopened_7d_ge_2,
      ifNull(latest_nps_score_30d <= 6, false) AS s_nps_detractor_latest_30d,
      ifNull(latest_csat_score_30d <= 2, false) AS s_csat_low_latest_30d,
      downgrades_30d > 0 AS s_downgrade_30d
    FROM inputs
  )
SELECT
  *,
  arrayFilter(s -> s != '', [
    if(s_usage_drop_50, 'usage_drop_50', ''),
    if(s_usage_drop_25, 'usage_drop_25', ''),
    if(s_dormant_14d, 'dormant_14d', ''),
    if(s_ticket_spike_7d, 'ticket_spike_7d', ''),
    if(s_sla_breaches_7d_ge_3, 'sla_breaches_7d_ge_3', ''),
    if(s_reopened_7d_ge_2, 'reopened_7d_ge_2', ''),
    if(s_nps_detractor_latest_30d, 'nps_detractor_latest_30d', ''),
    if(s_csat_low_latest_30d, 'csat_low_latest_30d', ''),
    if(s_downgrade_30d, 'downgrade_30d', '')
  ]) AS signals,
  -- KPIS.md default weights; a churned account scores 0, otherwise floor 0
  if(churned, 0, greatest(0, 100
    - if(s_usage_drop_50, 35, 0) - if(s_usage_drop_25, 15, 0) - if(s_dormant_14d, 40, 0)
    - if(s_ticket_spike_7d, 15, 0) - if(s_sla_breaches_7d_ge_3, 15, 0)
    - if(s_reopened_7d_ge_2, 10, 0) - if(s_nps_detractor_latest_30d, 20, 0)
    - if(s_csat_low_latest_30d, 15, 0) - if(s_downgrade_30d, 15, 0))) AS score
FROM fired`;

const healthSql = `${healthSelect}
ORDER BY account_id
SETTINGS join_use_nulls = 1`;

// KPIS.md: non-churned accounts scoring below 40, by MRR (highest first), score (lowest first),
// account_id.
const atRiskSql = `
SELECT account_id, score, mrr_cents, signals
FROM (${healthSelect})
WHERE NOT churned AND score < 40
ORDER BY mrr_cents DESC, score ASC, account_id ASC
SETTINGS join_use_nulls = 1`;

type HealthRow = HealthKpis['health_signals'][number] & {
  churned: boolean;
  mrr_cents: number;
  score: number;
  signals: HealthSignal[];
};
type AtRiskRow = HealthKpis['at_risk_accounts'][number];

const oracleKpis = (rows: readonly HealthRow[], atRisk: readonly AtRiskRow[]): HealthKpis => ({
  health_scores: rows.map(({ account_id, score, churned, mrr_cents, signals }) => ({
    account_id,
    score,
    churned,
    mrr_cents,
    signals,
  })),
  at_risk_accounts: [...atRisk],
  health_signals: rows.map((row) => ({
    account_id: row.account_id,
    active_users_7d: row.active_users_7d,
    active_users_weekly_prior_28d: row.active_users_weekly_prior_28d,
    active_users_weekly_mean_prior_28d: row.active_users_weekly_mean_prior_28d,
    usage_drop_percent: row.usage_drop_percent,
    seconds_since_last_activity: row.seconds_since_last_activity,
    tickets_created_7d: row.tickets_created_7d,
    tickets_created_weekly_mean_prior_28d: row.tickets_created_weekly_mean_prior_28d,
    late_first_replies_7d: row.late_first_replies_7d,
    open_unreplied_past_target: row.open_unreplied_past_target,
    sla_breaches_7d: row.sla_breaches_7d,
    reopened_7d: row.reopened_7d,
    latest_nps_score_30d: row.latest_nps_score_30d,
    latest_csat_score_30d: row.latest_csat_score_30d,
    downgrades_30d: row.downgrades_30d,
  })),
});

const generated = generateHistory({
  seed: historySeed,
  accounts: historyAccounts,
  days: historyDays,
  end: historyEnd,
});
// Tie twins and window-edge events (support/fixtures/health.ts) go in too; the shuffle decides
// which twin arrives last, and the oracle decides on which side of each edge an event falls.
const arrivals = shuffled(
  [...generated, ...tieTwins(generated), ...edgeEvents(asOfMs)],
  historySeed,
);
// Arrival order = received_at order (1 ms apart), in ClickHouse and for the module alike.
const events: KpiEvent[] = arrivals.map((raw, index) => {
  const validation = validateEvent(raw, asOfMs, historyEnd + index);
  if (!validation.ok) throw new Error(`simulated event ${raw.id} rejected: ${validation.reason}`);
  return validation.event;
});

let dataDir = '';
let store: ClickHouseStore | undefined;
const opened = (): ClickHouseStore => {
  if (!store) throw new Error('the store did not open');
  return store;
};

/** One state fed everything; one that forgets before the earlier instant half-way through. */
const health = new Health();
const forgetting = new Health();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kpiwall-oracle-health-'));
  store = await ClickHouseStore.open({ kind: 'embedded', dataDir }, 'kpiwall');
  await store.migrate();
  const rows = events.map(eventToRow);
  for (let i = 0; i < rows.length; i += insertRows) {
    await store.insert('events', rows.slice(i, i + insertRows));
  }
  const half = Math.floor(events.length / 2);
  events.forEach((event, index) => {
    health.apply(event);
    if (index === half) forgetting.forgetBefore(earlierAsOfMs);
    forgetting.apply(event);
  });
}, 300_000);

afterAll(async () => {
  await store?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe.each(['UTC', 'Europe/Berlin'])('oracle: health KPIs equal exact SQL (%s)', (timeZone) => {
  const queryAt = async (atMs: number): Promise<HealthKpis> => {
    const params = { as_of: clickHouseTime(atMs), activity: activityTypes };
    const rows = await opened().query<HealthRow>(healthSql, params);
    const atRisk = await opened().query<AtRiskRow>(atRiskSql, params);
    return oracleKpis(rows, atRisk);
  };

  it('has data that makes every KPI and signal non-trivial', async () => {
    const oracle = await queryAt(asOfMs);
    const [shape] = await opened().query<{
      rows: number;
      after_as_of: number;
      nps_ties: number;
      subscription_ties: number;
    }>(
      `SELECT
         count() AS rows,
         countIf(time > {as_of:DateTime64(3, 'UTC')}) AS after_as_of,
         (SELECT count() FROM (SELECT account_id, time FROM events
            WHERE type = 'survey.answered' AND kind = 'nps'
            GROUP BY account_id, time HAVING count() > 1)) AS nps_ties,
         (SELECT count() FROM (SELECT account_id, time FROM events
            WHERE startsWith(type, 'subscription.')
            GROUP BY account_id, time HAVING count() > 1)) AS subscription_ties
       FROM events`,
      { as_of: clickHouseTime(asOfMs) },
    );
    expect(shape?.rows).toBe(events.length);
    expect(shape?.after_as_of).toBeGreaterThan(0);
    expect(shape?.nps_ties).toBeGreaterThan(2);
    expect(shape?.subscription_ties).toBeGreaterThan(2);

    const scores = oracle.health_scores;
    const inputs = oracle.health_signals;
    expect(scores.length).toBe(historyAccounts);
    // every signal fires for at least two accounts, and at least two accounts fire none
    const firing = Object.fromEntries(
      healthSignalNames.map((signal) => [
        signal,
        scores.filter((entry) => entry.signals.includes(signal)).length,
      ]),
    );
    console.info(`oracle-health ${timeZone}: accounts firing each signal`, JSON.stringify(firing));
    for (const signal of healthSignalNames) expect(firing[signal]).toBeGreaterThanOrEqual(2);
    expect(scores.filter((entry) => entry.signals.length === 0).length).toBeGreaterThanOrEqual(2);
    expect(scores.filter((entry) => entry.churned).length).toBeGreaterThanOrEqual(2);
    expect(scores.filter((entry) => !entry.churned && entry.score < 100).length).toBeGreaterThan(2);
    expect(oracle.at_risk_accounts.length).toBeGreaterThan(2);
    expect(new Set(oracle.at_risk_accounts.map((entry) => entry.mrr_cents)).size).toBeGreaterThan(
      2,
    );
    // inputs are not all null / zero
    const nonNull = (pick: (row: (typeof inputs)[number]) => number | null) =>
      inputs.filter((row) => pick(row) !== null && pick(row) !== 0).length;
    expect(nonNull((row) => row.usage_drop_percent)).toBeGreaterThan(2);
    expect(nonNull((row) => row.seconds_since_last_activity)).toBeGreaterThan(2);
    expect(nonNull((row) => row.tickets_created_weekly_mean_prior_28d)).toBeGreaterThan(2);
    expect(nonNull((row) => row.late_first_replies_7d)).toBeGreaterThan(2);
    expect(nonNull((row) => row.open_unreplied_past_target)).toBeGreaterThan(2);
    expect(nonNull((row) => row.latest_nps_score_30d)).toBeGreaterThan(2);
    expect(nonNull((row) => row.latest_csat_score_30d)).toBeGreaterThan(2);
    expect(inputs.filter((row) => row.seconds_since_last_activity === null).length).toBeLessThan(
      inputs.length,
    );
  });

  it.each([
    { label: 'as_of', atMs: asOfMs },
    { label: 'an earlier instant', atMs: earlierAsOfMs },
  ])('every health KPI equals the SQL as of $label', async ({ atMs }) => {
    const oracle = await queryAt(atMs);
    const live = health.kpis(atMs);
    console.info(
      `oracle-health ${timeZone} ${new Date(atMs).toISOString()}:`,
      JSON.stringify({
        accounts: oracle.health_scores.length,
        churned: oracle.health_scores.filter((entry) => entry.churned).length,
        mean_score:
          oracle.health_scores.reduce((sum, entry) => sum + entry.score, 0) /
          oracle.health_scores.length,
        at_risk: oracle.at_risk_accounts.map(
          (entry) => `${entry.account_id}:${entry.score}:${entry.mrr_cents}`,
        ),
      }),
    );
    expect(healthKpisSchema.parse(live)).toEqual(live);
    // One object comparison, so a failure shows every key that differs. Bit-exact: both sides
    // compute the means, (mean − last7) / mean × 100 and (as_of − last) / 1000 in Float64 in
    // the same order.
    expect(live).toEqual(oracle);
    expect(forgetting.kpis(atMs)).toEqual(oracle);
    // The stored record of fired signals is the same signals, with KPIS.md's default weights.
    const weights: Record<HealthSignal, number> = {
      usage_drop_50: 35,
      usage_drop_25: 15,
      dormant_14d: 40,
      ticket_spike_7d: 15,
      sla_breaches_7d_ge_3: 15,
      reopened_7d_ge_2: 10,
      nps_detractor_latest_30d: 20,
      csat_low_latest_30d: 15,
      downgrade_30d: 15,
    };
    expect(health.firedSignals(atMs)).toEqual(
      oracle.health_scores.flatMap((entry) =>
        entry.signals.map((signal) => ({
          account_id: entry.account_id,
          signal,
          weight: weights[signal],
          fired_at: atMs,
        })),
      ),
    );
  });
});
