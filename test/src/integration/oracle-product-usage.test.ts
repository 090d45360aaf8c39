// Oracle test for the product-usage area (KPIS.md "Time", "Product usage"): a simulated history
// is loaded into chdb, the same validated events (shuffled: they arrive in any order) go into
// the ProductUsage state, and every KPI of the area must equal, bit for bit, plain SQL over the
// raw `events` table written straight from the KPIS.md definitions.
//
// as_of is 2026-11-10T10:17:23.456Z: the 30-day window starts on 2026-10-12, so in
// Europe/Berlin it crosses the 2026-10-25 DST change (it starts at 22:00Z, CEST); the history
// starts two days earlier, so there are events before the window, and runs 5 minutes past
// as_of, so there are events after it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent, type KpiEvent } from '@kpiwall/shared';
import {
  ClickHouseStore,
  createLocalCalendar,
  eventToRow,
  ProductUsage,
} from '@kpiwall/aggregator';
import { generateHistory } from '@kpiwall/ingest';
import { productUsageKpisSchema, type ProductUsageKpis } from '@kpiwall/shared';
import { clickHouseTime, shuffled } from '../support/oracle-helpers.ts';

const asOfIso = '2026-11-10T10:17:23.456Z';
const asOfMs = Date.parse(asOfIso);
const minuteMs = 60_000;
const historyEnd = asOfMs + 5 * minuteMs;
const historySeed = 20_261_110;

const activityTypes = [
  'page.viewed',
  'feature.used',
  'onboarding.step_completed',
  'user.activated',
  'user.signed_up',
];

// Each id once, the first received (KPIS.md "Duplicates"): the table also holds altered
// duplicates received later, which this must drop.
const deduped = `(SELECT * FROM events ORDER BY received_at, id LIMIT 1 BY id)`;

const asOf = `{as_of:DateTime64(3, 'UTC')}`;
/** The calendar window of `{days}` local days ending at as_of (today = 1, 7d = 7, 30d = 30). */
const inWindow = (column: string): string =>
  `${column} <= ${asOf} AND toDate(${column}, {tz:String}) > toDate(${asOf}, {tz:String}) - {days:UInt8}`;

// dau / wau / mau, active_accounts_*: distinct user_id / account_id with activity in the window;
// stickiness: mean over the 30 days of each day's DAU (a day without activity is 0, so the
// sum of (user, day) pairs / 30) / MAU × 100, in that order.
const activeSql = `
SELECT
  uniqExact(user_id) AS users,
  uniqExact(account_id) AS accounts,
  uniqExact(user_id, toDate(time, {tz:String})) AS user_days,
  if(users = 0, NULL, user_days / 30 / users * 100) AS stickiness
FROM ${deduped}
WHERE type IN {activity:Array(String)} AND user_id IS NOT NULL AND ${inWindow('time')}`;

// dau_rolling_24h, active_accounts_rolling_24h: (as_of − 24 h, as_of].
const rollingSql = `
SELECT uniqExact(user_id) AS users, uniqExact(account_id) AS accounts
FROM ${deduped}
WHERE type IN {activity:Array(String)} AND user_id IS NOT NULL
  AND time > ${asOf} - INTERVAL 24 HOUR AND time <= ${asOf}`;

// feature_adoption_percent_*: per feature, users with feature.used of it / users with
// activity, × 100, in the window.
const featureSql = `
WITH windowed AS (
  SELECT type, user_id, feature FROM ${deduped}
  WHERE type IN {activity:Array(String)} AND user_id IS NOT NULL AND ${inWindow('time')}
)
SELECT f.feature AS feature, f.users / a.users * 100 AS percent, f.users AS users
FROM (
  SELECT assumeNotNull(feature) AS feature, uniqExact(user_id) AS users
  FROM windowed WHERE type = 'feature.used' GROUP BY feature
) AS f
CROSS JOIN (SELECT uniqExact(user_id) AS users FROM windowed) AS a`;

// Sessions: the page.viewed and feature.used events (at or before as_of) with one
// (account_id, session_id); duration = last − first (integer ms, seconds at the end); counted
// in the window of the last event; a bounce is a session whose only event is one page.viewed.
const sessionSql = `
WITH sessions AS (
  SELECT
    account_id,
    session_id,
    count() AS events,
    countIf(type = 'page.viewed') AS page_views,
    min(time) AS first,
    max(time) AS last,
    toUnixTimestamp64Milli(max(time)) - toUnixTimestamp64Milli(min(time)) AS duration_ms
  FROM ${deduped}
  WHERE type IN ('page.viewed', 'feature.used') AND session_id IS NOT NULL AND time <= ${asOf}
  GROUP BY account_id, session_id
)
SELECT
  count() AS ended,
  countIf(events = 1 AND page_views = 1) AS bounces,
  countIf(events > 1 AND duration_ms > 0) AS multi_event,
  countIf(toDate(first, {tz:String}) != toDate(last, {tz:String})) AS across_midnight,
  if(ended = 0, NULL, quantileExactInclusive(0.5)(duration_ms) / 1000) AS median_seconds,
  if(ended = 0, NULL, sum(duration_ms) / ended / 1000) AS mean_seconds,
  if(ended = 0, NULL, bounces / ended * 100) AS bounce_rate
FROM sessions
WHERE ${inWindow('last')}`;

// ctr_percent_*, cta_counts_*: per cta, cta.clicked events / cta.shown events × 100 in the
// window (null when none shown).
const ctaSql = `
SELECT
  assumeNotNull(cta) AS cta,
  countIf(type = 'cta.shown') AS shown,
  countIf(type = 'cta.clicked') AS clicked,
  if(shown = 0, NULL, clicked / shown * 100) AS ctr
FROM ${deduped}
WHERE type IN ('cta.shown', 'cta.clicked') AND ${inWindow('time')}
GROUP BY cta`;

type ActiveRow = { users: number; accounts: number; user_days: number; stickiness: number | null };
type RollingRow = { users: number; accounts: number };
type FeatureRow = { feature: string; percent: number; users: number };
type SessionRow = {
  ended: number;
  bounces: number;
  multi_event: number;
  across_midnight: number;
  median_seconds: number | null;
  mean_seconds: number | null;
  bounce_rate: number | null;
};
type CtaRow = { cta: string; shown: number; clicked: number; ctr: number | null };

const windows = [
  { suffix: 'today', days: 1 },
  { suffix: '7d', days: 7 },
  { suffix: '30d', days: 30 },
] as const;
type Suffix = (typeof windows)[number]['suffix'];

type WindowOracle = {
  active: ActiveRow;
  features: FeatureRow[];
  sessions: SessionRow;
  ctas: CtaRow[];
};

const validated: KpiEvent[] = generateHistory({
  seed: historySeed,
  accounts: 80,
  days: 32,
  end: historyEnd,
}).map((raw) => {
  const result = validateEvent(raw, historyEnd, historyEnd);
  if (!result.ok) throw new Error(`simulated event rejected: ${result.reason}`);
  return result.event;
});

// Altered duplicates, received later under ids already stored: product events moved to just
// before as_of under another user and session. The module never sees them (dedup is upstream).
const productTypes = new Set(['page.viewed', 'feature.used', 'cta.shown', 'cta.clicked']);
const alteredDuplicates = validated
  .filter((event) => productTypes.has(event.type))
  .slice(0, 400)
  .map((event, index) => ({
    ...eventToRow(event),
    time: clickHouseTime(asOfMs - (index + 1) * minuteMs),
    user_id: `impostor-${index}`,
    session_id: event.type === 'page.viewed' ? `impostor-session-${index}` : null,
    received_at: clickHouseTime(historyEnd + 1000),
  }));

let dataDir = '';
let store: ClickHouseStore | undefined;
const opened = (): ClickHouseStore => {
  if (!store) throw new Error('chdb did not open');
  return store;
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kpiwall-oracle-product-usage-'));
  store = await ClickHouseStore.open({ kind: 'embedded', dataDir }, 'kpiwall');
  await store.migrate();
  const rows = validated.map(eventToRow);
  for (let i = 0; i < rows.length; i += 10_000)
    await store.insert('events', rows.slice(i, i + 10_000));
  await store.insert('events', alteredDuplicates);
}, 300_000);

afterAll(async () => {
  await store?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe.each(['UTC', 'Europe/Berlin'])(
  'oracle: product usage equals exact SQL (%s)',
  (timeZone) => {
    const params = (days: number) => ({
      as_of: clickHouseTime(asOfMs),
      tz: timeZone,
      activity: activityTypes,
      days,
    });

    const live = (): ProductUsageKpis => {
      const state = new ProductUsage(createLocalCalendar(timeZone));
      // forgetBefore first: events before the window must be ignored as they arrive.
      state.forgetBefore(asOfMs);
      for (const event of shuffled(validated, historySeed)) state.apply(event);
      const kpis = state.kpis(asOfMs);
      state.forgetBefore(asOfMs);
      expect(state.kpis(asOfMs)).toEqual(kpis);
      return productUsageKpisSchema.parse(kpis);
    };

    const oracleOf = async (): Promise<{
      rolling: RollingRow;
      byWindow: Record<Suffix, WindowOracle>;
    }> => {
      const db = opened();
      const [rolling] = await db.query<RollingRow>(rollingSql, params(1));
      // One query at a time on the chdb connection.
      const entries: (readonly [Suffix, WindowOracle])[] = [];
      for (const { suffix, days } of windows) {
        const [active] = await db.query<ActiveRow>(activeSql, params(days));
        const features = await db.query<FeatureRow>(featureSql, params(days));
        const [sessions] = await db.query<SessionRow>(sessionSql, params(days));
        const ctas = await db.query<CtaRow>(ctaSql, params(days));
        if (!active || !sessions) throw new Error('an oracle query returned no row');
        entries.push([suffix, { active, features, sessions, ctas }]);
      }
      if (!rolling) throw new Error('the rolling query returned no row');
      return { rolling, byWindow: Object.fromEntries(entries) as Record<Suffix, WindowOracle> };
    };

    it('has data that makes every KPI meaningful', async () => {
      const { rolling, byWindow } = await oracleOf();
      const today = byWindow.today;
      // Rolling 24 h differs from today (as_of is 10:17, so it reaches into yesterday).
      expect(rolling.users).toBeGreaterThan(today.active.users);
      expect(rolling.accounts).toBeGreaterThan(2);
      for (const { suffix } of windows) {
        const w = byWindow[suffix];
        expect(w.active.users, suffix).toBeGreaterThan(2);
        expect(w.active.accounts, suffix).toBeGreaterThan(2);
        expect(w.features.length, suffix).toBeGreaterThan(2);
        expect(
          w.features.some((f) => f.users > 2),
          suffix,
        ).toBe(true);
        expect(w.sessions.ended, suffix).toBeGreaterThan(2);
        expect(w.sessions.bounces, suffix).toBeGreaterThan(0);
        expect(w.sessions.bounces, suffix).toBeLessThan(w.sessions.ended);
        expect(w.sessions.multi_event, suffix).toBeGreaterThan(2);
        expect(w.sessions.median_seconds, suffix).not.toBeNull();
        expect(w.ctas.length, suffix).toBeGreaterThan(1);
        expect(
          w.ctas.some((c) => c.shown > 2),
          suffix,
        ).toBe(true);
      }
      // Clicks and sessions across local midnight exist over the month.
      expect(byWindow['30d'].ctas.some((c) => c.clicked > 0 && c.ctr !== null)).toBe(true);
      expect(byWindow['30d'].sessions.across_midnight).toBeGreaterThan(0);
      expect(byWindow['30d'].active.stickiness).not.toBeNull();
    });

    it('equals exact SQL over the raw events for every key', async () => {
      const { rolling, byWindow } = await oracleOf();
      const features = (suffix: Suffix): Record<string, number> =>
        Object.fromEntries(byWindow[suffix].features.map((f) => [f.feature, f.percent]));
      const ctr = (suffix: Suffix): Record<string, number | null> =>
        Object.fromEntries(byWindow[suffix].ctas.map((c) => [c.cta, c.ctr]));
      const counts = (suffix: Suffix): Record<string, { shown: number; clicked: number }> =>
        Object.fromEntries(
          byWindow[suffix].ctas.map((c) => [c.cta, { shown: c.shown, clicked: c.clicked }]),
        );
      const { today, '7d': week, '30d': month } = byWindow;
      const oracle: ProductUsageKpis = {
        dau: today.active.users,
        dau_rolling_24h: rolling.users,
        wau: week.active.users,
        mau: month.active.users,
        stickiness_dau_mau: month.active.stickiness,
        active_accounts_today: today.active.accounts,
        active_accounts_7d: week.active.accounts,
        active_accounts_30d: month.active.accounts,
        active_accounts_rolling_24h: rolling.accounts,
        feature_adoption_percent_today: features('today'),
        feature_adoption_percent_7d: features('7d'),
        feature_adoption_percent_30d: features('30d'),
        session_duration_median_seconds_today: today.sessions.median_seconds,
        session_duration_median_seconds_7d: week.sessions.median_seconds,
        session_duration_median_seconds_30d: month.sessions.median_seconds,
        session_duration_mean_seconds_today: today.sessions.mean_seconds,
        session_duration_mean_seconds_7d: week.sessions.mean_seconds,
        session_duration_mean_seconds_30d: month.sessions.mean_seconds,
        sessions_ended_today: today.sessions.ended,
        sessions_ended_7d: week.sessions.ended,
        sessions_ended_30d: month.sessions.ended,
        bounce_rate_percent_today: today.sessions.bounce_rate,
        bounce_rate_percent_7d: week.sessions.bounce_rate,
        bounce_rate_percent_30d: month.sessions.bounce_rate,
        ctr_percent_today: ctr('today'),
        ctr_percent_7d: ctr('7d'),
        ctr_percent_30d: ctr('30d'),
        cta_counts_today: counts('today'),
        cta_counts_7d: counts('7d'),
        cta_counts_30d: counts('30d'),
      };
      const kpis = live();
      console.info(
        `oracle product usage ${timeZone}: ${validated.length} events`,
        JSON.stringify(oracle),
      );
      // One object comparison, so a failure shows every key that differs. toEqual compares
      // numbers exactly: both sides take the same Float64 steps (ratios as part / whole × 100,
      // means as integer ms sum / n / 1000, quantiles over integer ms then / 1000).
      expect(kpis).toEqual(oracle);
    });
  },
);
