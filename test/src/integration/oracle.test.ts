// Oracle test (KPIS.md "Time", "Product usage", "Support"): a simulated month goes through the
// real embedded pipeline (HTTP collector → in-process queue → aggregator → chdb), then every
// live KPI must equal, exactly, what plain SQL over the raw `events` table gives when written
// straight from the KPIS.md definitions — independently of the aggregator's TypeScript.
//
// as_of is 2026-11-10T10:17:23.456Z: its 30-day window starts on 2026-10-12, so in
// Europe/Berlin it crosses the 2026-10-25 DST change (the window starts at 22:00Z, CEST, while
// as_of is in CET), and in UTC it does not.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type KpiValues } from '@kpiwall/shared';
import { startEmbedded, type EmbeddedKpiwall } from '@kpiwall/aggregator';
import { generateHistory } from '@kpiwall/ingest';
import { clickHouseTime, shuffled } from '../support/oracle-helpers.ts';

const asOfIso = '2026-11-10T10:17:23.456Z';
const asOfMs = Date.parse(asOfIso);
const minuteMs = 60_000;
// The history runs 5 minutes past as_of: those events are accepted (the collector allows
// 10 minutes of clock skew) but must not count, so the `time <= as_of` rule is exercised.
const historyEnd = asOfMs + 5 * minuteMs;
const historySeed = 20_261_110;
const historyAccounts = 80;
const batchLines = 5_000;

const activityTypes = [
  'page.viewed',
  'feature.used',
  'onboarding.step_completed',
  'user.activated',
  'user.signed_up',
];

type RawEvent = ReturnType<typeof generateHistory>[number];
type CollectorAnswer = { accepted: number; rejected: { index: number; reason: string }[] };

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const postNdjson = async (url: string, events: readonly object[]): Promise<CollectorAnswer> => {
  const response = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: events.map((event) => JSON.stringify(event)).join('\n'),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as CollectorAnswer;
};

// The raw events, each id once: the table should already hold every id once (asserted below),
// but the oracle deduplicates by itself so it does not lean on the aggregator for that.
// KPIS.md: the first event received with an id counts.
const dedupedEvents = `SELECT * FROM events ORDER BY received_at, id LIMIT 1 BY id`;

// Product usage (KPIS.md): distinct user_id with activity in the window; windows are local
// calendar days of the time zone, [local midnight 29 days before as_of's day, as_of].
const productUsageSql = `
WITH
  activity AS (
    SELECT user_id, toDate(time, {tz:String}) AS day
    FROM (${dedupedEvents})
    WHERE type IN {activity:Array(String)}
      AND user_id IS NOT NULL
      AND time <= {as_of:DateTime64(3, 'UTC')}
      AND toDate(time, {tz:String}) >= toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}) - 29
  ),
  daily AS (
    SELECT day, uniqExact(user_id) AS users FROM activity GROUP BY day
  )
SELECT
  u.dau AS dau,
  u.wau AS wau,
  u.mau AS mau,
  d.daily_sum AS daily_sum,
  d.active_days AS active_days,
  -- Mean over the 30 days of each day's DAU (days without activity are 0, so: sum / 30),
  -- divided by MAU, × 100 — in that order, so the floating-point steps are the KPIS.md ones.
  if(u.mau = 0, NULL, d.daily_sum / 30 / u.mau * 100) AS stickiness_dau_mau
FROM (
  SELECT
    uniqExactIf(user_id, day = toDate({as_of:DateTime64(3, 'UTC')}, {tz:String})) AS dau,
    uniqExactIf(user_id, day >= toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}) - 6) AS wau,
    uniqExact(user_id) AS mau
  FROM activity
) AS u
CROSS JOIN (
  SELECT toUInt64(sum(users)) AS daily_sum, count() AS active_days FROM daily
) AS d`;

// Support (KPIS.md): a reply is a ticket.replied with author = agent and public = true; a
// ticket is (account_id, ticket_id), open until solved and again after a reopen: the latest
// solve/reopen at or before as_of (by time, ties to the later received_at) decides.
const supportSql = `
WITH
  ticket_events AS (
    SELECT
      account_id,
      ticket_id,
      type,
      time,
      received_at,
      ifNull(type = 'ticket.replied' AND author = 'agent' AND public = true, false) AS is_reply,
      type IN ('ticket.solved', 'ticket.reopened') AS is_status
    FROM (${dedupedEvents})
    WHERE startsWith(type, 'ticket.') AND ticket_id IS NOT NULL
  ),
  tickets AS (
    SELECT
      account_id,
      ticket_id,
      countIf(type = 'ticket.created') AS creations,
      minIf(time, type = 'ticket.created') AS created,
      countIf(is_reply AND time <= {as_of:DateTime64(3, 'UTC')}) AS replies,
      minIf(time, is_reply AND time <= {as_of:DateTime64(3, 'UTC')}) AS first_reply,
      countIf(is_status AND time <= {as_of:DateTime64(3, 'UTC')}) AS status_changes,
      argMaxIf(
        type = 'ticket.solved',
        (time, received_at),
        is_status AND time <= {as_of:DateTime64(3, 'UTC')}
      ) AS latest_is_solve
    FROM ticket_events
    GROUP BY account_id, ticket_id
    HAVING creations > 0 AND created <= {as_of:DateTime64(3, 'UTC')}
  ),
  classified AS (
    SELECT
      status_changes = 0 OR NOT latest_is_solve AS open,
      replies = 0 AS unreplied,
      replies > 0
        AND toDate(first_reply, {tz:String}) = toDate({as_of:DateTime64(3, 'UTC')}, {tz:String})
        AS first_reply_today,
      toUnixTimestamp64Milli(first_reply) - toUnixTimestamp64Milli(created) AS frt_ms,
      created
    FROM tickets
  )
SELECT
  countIf(open) AS backlog_open,
  countIf(open AND unreplied) AS tickets_waiting_first_reply,
  if(
    tickets_waiting_first_reply = 0,
    NULL,
    (
      toUnixTimestamp64Milli({as_of:DateTime64(3, 'UTC')})
      - toUnixTimestamp64Milli(minIf(created, open AND unreplied))
    ) / 1000
  ) AS oldest_waiting_seconds,
  countIf(first_reply_today) AS frt_count_today,
  if(
    frt_count_today = 0,
    NULL,
    quantileExactInclusiveIf(0.5)(frt_ms, first_reply_today) / 1000
  ) AS frt_median_seconds_today,
  if(
    frt_count_today = 0,
    NULL,
    quantileExactInclusiveIf(0.9)(frt_ms, first_reply_today) / 1000
  ) AS frt_p90_seconds_today,
  count() AS tickets_created_by_as_of,
  countIf(open AND NOT unreplied) AS open_replied
FROM classified`;

type ProductUsageRow = {
  dau: number;
  wau: number;
  mau: number;
  daily_sum: number;
  active_days: number;
  stickiness_dau_mau: number | null;
};

type SupportRow = {
  backlog_open: number;
  tickets_waiting_first_reply: number;
  oldest_waiting_seconds: number | null;
  frt_count_today: number;
  frt_median_seconds_today: number | null;
  frt_p90_seconds_today: number | null;
  tickets_created_by_as_of: number;
  open_replied: number;
};

const history: RawEvent[] = shuffled(
  generateHistory({
    seed: historySeed,
    accounts: historyAccounts,
    days: 30,
    end: historyEnd,
  }),
  historySeed,
);

describe.each([
  { timeZone: 'UTC', windowStartUtc: '2026-10-12 00:00:00.000' },
  // DST-aware calendar days: the first local day of the window is still CEST (UTC+2).
  { timeZone: 'Europe/Berlin', windowStartUtc: '2026-10-11 22:00:00.000' },
])(
  'oracle: live KPIs equal exact SQL over the raw events ($timeZone)',
  ({ timeZone, windowStartUtc }) => {
    const params = { as_of: clickHouseTime(asOfMs), tz: timeZone, activity: activityTypes };
    let dataDir = '';
    let kpiwall: EmbeddedKpiwall | undefined;
    let beforeDuplicates: KpiValues | undefined;
    const running = (): EmbeddedKpiwall => {
      if (!kpiwall) throw new Error('the embedded pipeline did not start');
      return kpiwall;
    };

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'kpiwall-oracle-'));
      const config = parseConfig({
        KPIWALL_HOST: '127.0.0.1',
        KPIWALL_PORT: String(await freePort()),
        KPIWALL_DATA_DIR: dataDir,
        KPIWALL_TIME_ZONE: timeZone,
        LOG_LEVEL: 'warn',
      });
      kpiwall = await startEmbedded({
        config,
        now: () => asOfMs,
        // No wall pages needed here.
        webHandlerPath: join(dataDir, 'no-web-build.js'),
      });
      // The collector answers once the batch is committed, i.e. written to ClickHouse.
      for (const batch of chunks(history, batchLines)) {
        const answer = await postNdjson(kpiwall.url, batch);
        expect(answer.rejected).toEqual([]);
        expect(answer.accepted).toBe(batch.length);
      }
      beforeDuplicates = kpiwall.aggregator.state.kpis(asOfMs);

      // Duplicates: one whole batch again, verbatim, and a few hundred events again under their
      // id with another body (moved in time, other user): both must change nothing.
      const again = chunks(history, batchLines)[1] ?? [];
      const verbatim = await postNdjson(kpiwall.url, again);
      expect(verbatim).toEqual({ accepted: again.length, rejected: [] });
      const altered = again.slice(0, 300).map((event, index) => ({
        ...event,
        time: new Date(asOfMs - (index + 1) * minuteMs).toISOString(),
        ...('user_id' in event ? { user_id: `${event.account_id}-impostor-${index}` } : {}),
      }));
      const alteredAnswer = await postNdjson(kpiwall.url, altered);
      expect(alteredAnswer).toEqual({ accepted: altered.length, rejected: [] });
    }, 300_000);

    afterAll(async () => {
      await kpiwall?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('stores every event once and the data makes the oracle meaningful', async () => {
      const store = running().store;
      const ids = new Set(history.map((event) => event.id));
      expect(ids.size).toBe(history.length);
      const [table] = await store.query<{
        rows: number;
        ids: number;
        after_as_of: number;
        impostors: number;
        dead_letters: number;
      }>(
        `SELECT count() AS rows, uniqExact(id) AS ids,
         countIf(time > {as_of:DateTime64(3, 'UTC')}) AS after_as_of,
         countIf(user_id LIKE '%-impostor-%') AS impostors,
         (SELECT count() FROM dead_letters) AS dead_letters
       FROM events`,
        params,
      );
      const afterAsOf = history.filter(
        (event) => (typeof event.time === 'number' ? event.time : Date.parse(event.time)) > asOfMs,
      ).length;
      expect(afterAsOf).toBeGreaterThan(0);
      // Each id once, the first body received (no impostor from the altered duplicates), nothing
      // rejected anywhere.
      expect(table).toEqual({
        rows: history.length,
        ids: history.length,
        after_as_of: afterAsOf,
        impostors: 0,
        dead_letters: 0,
      });

      // The window's first instant, in UTC, from ClickHouse's own calendar.
      const [window] = await store.query<{ start: string; before_utc_midnight: number }>(
        `SELECT
         toString(toTimeZone(toDateTime64(
           toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}) - 29, 3, {tz:String}), 'UTC')) AS start,
         (SELECT count() FROM events
          WHERE type IN {activity:Array(String)}
            AND time >= toDateTime64('2026-10-11 22:00:00', 3, 'UTC')
            AND time < toDateTime64('2026-10-12 00:00:00', 3, 'UTC')) AS before_utc_midnight`,
        params,
      );
      expect(window?.start).toBe(windowStartUtc);
      // Activity in the two hours that are in Berlin's window but not in UTC's.
      expect(window?.before_utc_midnight).toBeGreaterThan(0);

      // Every ticket is created once, and no ticket has two solve/reopen events at one instant:
      // all events carry the same received_at (the clock is fixed at as_of), so the tie rule
      // ("ties → the later received_at") could not be checked here and must not matter.
      const [shape] = await store.query<{ multi_created: number; status_ties: number }>(
        `SELECT
         (SELECT count() FROM (
            SELECT account_id, ticket_id FROM events WHERE type = 'ticket.created'
            GROUP BY account_id, ticket_id HAVING count() > 1)) AS multi_created,
         (SELECT count() FROM (
            SELECT account_id, ticket_id, time FROM events
            WHERE type IN ('ticket.solved', 'ticket.reopened')
            GROUP BY account_id, ticket_id, time HAVING count() > 1)) AS status_ties`,
      );
      expect(shape).toEqual({ multi_created: 0, status_ties: 0 });

      const [usage] = await store.query<ProductUsageRow>(productUsageSql, params);
      const [support] = await store.query<SupportRow>(supportSql, params);
      expect(usage?.dau).toBeGreaterThan(0);
      expect(usage?.wau).toBeGreaterThan(usage?.dau ?? 0);
      expect(usage?.mau).toBeGreaterThan(usage?.wau ?? 0);
      expect(usage?.active_days).toBe(30);
      expect(support?.tickets_waiting_first_reply).toBeGreaterThan(0);
      expect(support?.open_replied).toBeGreaterThan(0);
      expect(support?.frt_count_today).toBeGreaterThan(2);
      expect(support?.tickets_created_by_as_of).toBeGreaterThan(support?.backlog_open ?? 0);
    });

    it('gives the same live values before and after the duplicates', () => {
      expect(running().aggregator.state.kpis(asOfMs)).toEqual(beforeDuplicates);
    });

    it('equals exact SQL over the raw events', async () => {
      const { store, aggregator } = running();
      const [usage] = await store.query<ProductUsageRow>(productUsageSql, params);
      const [support] = await store.query<SupportRow>(supportSql, params);
      if (!usage || !support) throw new Error('the oracle queries returned no row');
      const oracle: KpiValues = {
        dau: usage.dau,
        wau: usage.wau,
        mau: usage.mau,
        stickiness_dau_mau: usage.stickiness_dau_mau,
        tickets_waiting_first_reply: support.tickets_waiting_first_reply,
        oldest_waiting_seconds: support.oldest_waiting_seconds,
        frt_median_seconds_today: support.frt_median_seconds_today,
        frt_p90_seconds_today: support.frt_p90_seconds_today,
        backlog_open: support.backlog_open,
      };
      const live = aggregator.state.wallKpis(asOfMs);
      console.info(
        `oracle ${timeZone}: ${history.length} events`,
        JSON.stringify({ ...oracle, frt_count_today: support.frt_count_today }),
      );
      // One object comparison, so a failure shows every key that differs.
      expect(live).toEqual(oracle);
      // Bit-exact, not within a tolerance: both sides compute sum / 30 / mau * 100 in Float64
      // in that order, and quantiles the way quantileExactInclusive does.
      expect(live.stickiness_dau_mau).toBe(oracle.stickiness_dau_mau);
      expect(live.frt_p90_seconds_today).toBe(oracle.frt_p90_seconds_today);
    });

    it('serves the same values on /api/kpis', async () => {
      const { url, aggregator } = running();
      const response = await fetch(`${url}/api/kpis`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { as_of: string; tz: string; kpis: KpiValues };
      expect(body).toEqual({ as_of: asOfIso, tz: timeZone, kpis: aggregator.state.kpis(asOfMs) });
    });
  },
);
