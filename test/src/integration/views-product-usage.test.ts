// The documented product-usage queries (docs/clickhouse/product-usage.md) return, through the
// read-only ClickHouse HTTP interface, exactly the values /api/kpis serves: a simulated month
// (plus hand-made edge cases and duplicates) goes through the real embedded pipeline, once per
// time zone. as_of is 2026-11-10T10:17:23.456Z: in Europe/Berlin the 30-day window crosses the
// 2026-10-25 DST change; the history starts two days before the window and runs 5 minutes past
// as_of, so events on both sides of the window must be left out.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kpiApiResponseSchema, productUsageKpisSchema, type KpiApiResponse } from '@kpiwall/shared';
import { generateHistory } from '@kpiwall/ingest';
import {
  documentedQueries,
  runDocumentedQuery,
  type DocumentedQuery,
} from '../support/documented-queries.ts';
import { postEvents, startTestKpiwall, type TestKpiwall } from '../support/harness.ts';

const asOfIso = '2026-11-10T10:17:23.456Z';
const asOfMs = Date.parse(asOfIso);
const asOfParam = '2026-11-10 10:17:23.456';
const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const historyEnd = asOfMs + 5 * minuteMs;
const batchLines = 5_000;
const markdownPath = join(import.meta.dirname, '../../../docs/clickhouse/product-usage.md');

const iso = (ms: number): string => new Date(ms).toISOString();
const edge = (n: number, ms: number, body: Record<string, unknown>): Record<string, unknown> => ({
  id: `views-product-usage-edge-${String(n)}`,
  time: iso(ms),
  account_id: 'acct-views-edge',
  ...body,
});

// Edge cases the simulation may not produce.
const edgeEvents = [
  // A CTA clicked but never shown: its CTR is null in every window.
  edge(1, asOfMs - hourMs, { type: 'cta.clicked', user_id: 'edge-user-1', cta: 'edge_unshown' }),
  // A session of one feature.used: duration 0, not a bounce.
  edge(2, asOfMs - 2 * hourMs, {
    type: 'feature.used',
    user_id: 'edge-user-1',
    feature: 'edge_feature',
    session_id: 'edge-feature-only',
  }),
  // A session across Berlin's midnight (23:50 → 00:10 local): ends today in Berlin, yesterday
  // in UTC.
  edge(3, Date.parse('2026-11-09T22:50:00.000Z'), {
    type: 'page.viewed',
    user_id: 'edge-user-2',
    session_id: 'edge-midnight',
    path: '/a',
  }),
  edge(4, Date.parse('2026-11-09T23:10:00.250Z'), {
    type: 'page.viewed',
    user_id: 'edge-user-2',
    session_id: 'edge-midnight',
    path: '/b',
  }),
  // A session with one page view before as_of and one after: a bounce as of as_of.
  edge(5, asOfMs - minuteMs, {
    type: 'page.viewed',
    user_id: 'edge-user-3',
    session_id: 'edge-after-as-of',
    path: '/a',
  }),
  edge(6, asOfMs + 2 * minuteMs, {
    type: 'page.viewed',
    user_id: 'edge-user-3',
    session_id: 'edge-after-as-of',
    path: '/b',
  }),
  // A feature.used without a session: adoption, but no session.
  edge(7, asOfMs - 3 * hourMs, {
    type: 'feature.used',
    user_id: 'edge-user-4',
    feature: 'edge_feature',
  }),
];

const history = [
  ...generateHistory({ seed: 20_261_110, accounts: 80, days: 32, end: historyEnd }),
  ...edgeEvents,
];

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const post = async (url: string, events: readonly unknown[]): Promise<void> => {
  const { status, body } = await postEvents(url, events);
  expect(status).toBe(200);
  expect(body).toEqual({ accepted: events.length, rejected: [] });
};

const schemaKeys = productUsageKpisSchema.keyof().options;

let queries: DocumentedQuery[] = [];
beforeAll(async () => {
  queries = await documentedQueries(markdownPath);
});

it('documents one query for every product-usage key, and none for another key', () => {
  const keys = queries.map((query) => query.key);
  expect(new Set(keys).size).toBe(keys.length);
  expect([...keys].sort()).toEqual([...schemaKeys].sort());
});

// One kpiwall at a time: chdb opens one data directory per process.
describe.each(['UTC', 'Europe/Berlin'])('product-usage views (%s)', (tz) => {
  let kpiwall: TestKpiwall | undefined;
  let api: KpiApiResponse | undefined;
  const running = (): TestKpiwall => {
    if (!kpiwall) throw new Error('kpiwall did not start');
    return kpiwall;
  };
  const sqlUrl = (): string => {
    const url = running().sqlUrl;
    if (url === null) throw new Error('the read-only SQL interface is off');
    return url;
  };
  const sql = async <Row>(query: string): Promise<Row[]> => {
    const response = await fetch(
      `${sqlUrl()}/?database=kpiwall&default_format=JSONEachRow&query=${encodeURIComponent(query)}`,
    );
    const text = await response.text();
    expect(response.status, text).toBe(200);
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Row);
  };

  beforeAll(async () => {
    kpiwall = await startTestKpiwall({ now: () => asOfMs, env: { KPIWALL_TIME_ZONE: tz } });
    for (const batch of chunks(history, batchLines)) await post(kpiwall.url, batch);
    // Duplicates change nothing: a batch again verbatim, and again moved to just before as_of
    // under another user and session (the first event received with an id counts).
    const again = chunks(history, batchLines)[1] ?? [];
    await post(kpiwall.url, again);
    await post(
      kpiwall.url,
      again.slice(0, 300).map((event, index) => ({
        ...event,
        time: iso(asOfMs - (index + 1) * minuteMs),
        ...('user_id' in event ? { user_id: `impostor-${String(index)}` } : {}),
        ...('session_id' in event ? { session_id: `impostor-session-${String(index)}` } : {}),
      })),
    );
    const response = await fetch(`${kpiwall.url}/api/kpis`);
    expect(response.status).toBe(200);
    api = kpiApiResponseSchema.parse(await response.json());
    expect(api.as_of).toBe(asOfIso);
    expect(api.tz).toBe(tz);
  }, 300_000);

  afterAll(async () => {
    await kpiwall?.dispose();
  });

  it('answers every documented query with the /api/kpis value', async () => {
    if (!api) throw new Error('no /api/kpis answer');
    const kpis: Record<string, unknown> = api.kpis;
    const viewValues: Record<string, unknown> = {};
    const apiValues: Record<string, unknown> = {};
    for (const query of queries) {
      viewValues[query.key] = await runDocumentedQuery(sqlUrl(), query, {
        as_of: asOfParam,
        tz,
      });
      apiValues[query.key] = kpis[query.key];
    }
    // One comparison, so a failure shows every key that differs; numbers compare exactly.
    expect(viewValues).toEqual(apiValues);
  });

  it('has data that makes the comparison meaningful', () => {
    const kpis = api?.kpis;
    if (!kpis) throw new Error('no /api/kpis answer');
    expect(kpis.dau).toBeGreaterThan(2);
    expect(kpis.dau_rolling_24h).toBeGreaterThan(kpis.dau);
    expect(kpis.mau).toBeGreaterThan(kpis.wau);
    expect(kpis.stickiness_dau_mau).not.toBeNull();
    expect(Object.keys(kpis.feature_adoption_percent_today).length).toBeGreaterThan(2);
    expect(kpis.sessions_ended_today).toBeGreaterThan(2);
    expect(kpis.bounce_rate_percent_30d).toBeGreaterThan(0);
    expect(kpis.ctr_percent_today['edge_unshown']).toBeNull();
    expect(Object.values(kpis.ctr_percent_30d).some((ctr) => ctr !== null && ctr > 0)).toBe(true);
    expect(kpis.cta_counts_7d['edge_unshown']).toEqual({ shown: 0, clicked: 1 });
  });

  it('has rows in each fact view, one per session and per account and local day', async () => {
    const [sessions] = await sql<{ rows: number; keys: number; edge: number }>(
      `SELECT toUInt32(count()) AS rows, toUInt32(uniqExact(account_id, session_id)) AS keys,
         toUInt32(countIf(session_id LIKE 'edge-%')) AS edge
       FROM fact_sessions`,
    );
    expect(sessions?.rows).toBeGreaterThan(1000);
    expect(sessions?.keys).toBe(sessions?.rows);
    expect(sessions?.edge).toBe(3);
    const [midnight] = await sql<Record<string, unknown>>(
      `SELECT user_id, events, page_views, toUInt32(duration_ms) AS duration_ms, duration_seconds, bounced
       FROM fact_sessions WHERE session_id = 'edge-midnight'`,
    );
    expect(midnight).toEqual({
      user_id: 'edge-user-2',
      events: 2,
      page_views: 2,
      duration_ms: 1_200_250,
      duration_seconds: 1200.25,
      bounced: false,
    });

    const [daily] = await sql<{ rows: number; keys: number; days: number; ended: number }>(
      `SELECT toUInt32(count()) AS rows, toUInt32(uniqExact(account_id, day)) AS keys,
         toUInt32(uniqExact(day)) AS days, toUInt32(sum(sessions_ended)) AS ended
       FROM fact_account_daily_activity(tz = '${tz}')`,
    );
    expect(daily?.rows).toBeGreaterThan(1000);
    expect(daily?.keys).toBe(daily?.rows);
    expect(daily?.days).toBeGreaterThanOrEqual(32);
    expect(daily?.ended).toBe(sessions?.rows);
  });
});
