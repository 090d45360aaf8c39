// The onboarding views engineers query (docs/clickhouse/onboarding.md) against the live
// pipeline: a simulated month plus the hand-made edge users of the oracle test go through the
// HTTP collector into an embedded kpiwall, then every documented ```sql kpi=…``` query runs
// through the read-only ClickHouse HTTP interface and must return exactly the value /api/kpis
// serves under that key, in UTC and in Europe/Berlin (the 30-day window crosses the
// 2026-10-25 DST change).
//
// Ties: a signup's plan is the one received first on equal times; the views break ties by
// (time, received_at, id), the order the aggregator replays the table in on a restart. The
// history is posted in id order (same-millisecond arrivals reach the live state in id order),
// and one tied signup arrives a millisecond earlier under the larger id, so received_at decides.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kpiApiResponseSchema, onboardingKpisSchema, type KpiApiResponse } from '@kpiwall/shared';
import { documentedQueries, runDocumentedQuery } from '../support/documented-queries.ts';
import {
  asOfIso,
  asOfMs,
  edgeStartMs,
  edgeUsers,
  minuteMs,
  simulatedHistory,
  steps,
  type RawEvent,
} from '../support/fixtures/onboarding.ts';
import { startTestKpiwall, type TestKpiwall } from '../support/harness.ts';

const markdownPath = fileURLToPath(
  new URL('../../../docs/clickhouse/onboarding.md', import.meta.url),
);
const asOfParam = '2026-11-10 10:17:23.456';
const batchLines = 5_000;

const history = simulatedHistory();

// The oracle test's hand-made users (see the fixture), but two signups of `tied` at one instant:
// `free` arrives first (posted alone, a millisecond earlier) under the larger id, so it counts.
const tiedEarlier: RawEvent[] = [
  {
    id: 'edge-tied-2',
    time: edgeStartMs,
    type: 'user.signed_up',
    account_id: 'edge-account',
    user_id: 'edge-tied',
    plan: 'free',
  },
];
const edges = {
  tiedEarlier,
  main: edgeUsers({ idDigits: 3, tiedSignups: [{ plan: 'paid', id: 'edge-tied-1' }] }),
};

const byId = (a: RawEvent, b: RawEvent): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const main = [...history, ...edges.main].sort(byId);
// Later arrivals under existing ids with another body: dropped as duplicates, they change nothing.
const impostors = main
  .filter((event) => event.type === 'user.signed_up' || event.type === 'onboarding.step_completed')
  .slice(0, 200)
  .map((event, i): RawEvent => ({
    id: event.id,
    time: asOfMs - (i + 1) * minuteMs,
    type: 'user.signed_up',
    account_id: event.account_id,
    user_id: `impostor-${i}`,
    plan: 'paid',
  }));

/** The ```sql blocks of the .md without kpi=: the fact-view examples. */
const factQueries = async (): Promise<string[]> => {
  const text = await readFile(markdownPath, 'utf8');
  return [...text.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => (match[1] ?? '').trim());
};

describe.each(['UTC', 'Europe/Berlin'])('onboarding views equal /api/kpis (%s)', (tz) => {
  let kpiwall: TestKpiwall;
  let clockMs = asOfMs;
  let api: KpiApiResponse;

  const post = async (events: readonly RawEvent[], atMs: number): Promise<number> => {
    clockMs = atMs;
    let accepted = 0;
    for (let i = 0; i < events.length; i += batchLines) {
      const response = await fetch(`${kpiwall.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: events
          .slice(i, i + batchLines)
          .map((event) => JSON.stringify(event))
          .join('\n'),
      });
      expect(response.status).toBe(200);
      accepted += ((await response.json()) as { accepted: number }).accepted;
    }
    return accepted;
  };

  const sqlUrl = (): string => {
    if (kpiwall.sqlUrl === null) throw new Error('the read-only SQL interface is off');
    return kpiwall.sqlUrl;
  };

  const rows = async (query: string): Promise<Record<string, unknown>[]> => {
    const client = createClient({ url: sqlUrl(), database: 'kpiwall' });
    try {
      const result = await client.query({
        query,
        query_params: { as_of: asOfParam, tz },
        format: 'JSONEachRow',
      });
      return await result.json<Record<string, unknown>>();
    } finally {
      await client.close();
    }
  };

  beforeAll(async () => {
    kpiwall = await startTestKpiwall({ now: () => clockMs, env: { KPIWALL_TIME_ZONE: tz } });
    expect(await post(edges.tiedEarlier, asOfMs - 2)).toBe(edges.tiedEarlier.length);
    expect(await post(main, asOfMs - 1)).toBe(main.length);
    // The collector accepts duplicates (not an error); the aggregator drops them.
    expect(await post(impostors, asOfMs)).toBe(impostors.length);
    const response = await fetch(`${kpiwall.url}/api/kpis`);
    api = kpiApiResponseSchema.parse(await response.json());
    expect(api.as_of).toBe(asOfIso);
    expect(api.tz).toBe(tz);
  }, 300_000);

  afterAll(async () => {
    await kpiwall.dispose();
  });

  it('documents one query for every onboarding key, and nothing else', async () => {
    const keys = (await documentedQueries(markdownPath)).map((query) => query.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(Object.keys(onboardingKpisSchema.shape).sort());
  });

  it('has data where every KPI is non-trivial', () => {
    const kpis = api.kpis;
    for (const step of steps) expect(kpis.funnel_step_counts[step]).toBeGreaterThan(2);
    for (const step of steps.slice(1)) {
      expect(kpis.funnel_conversion[step]).toBeGreaterThan(0);
      expect(kpis.funnel_conversion[step]).toBeLessThan(100);
      expect(kpis.funnel_time_between_steps_median_seconds[step]).toBeGreaterThan(0);
    }
    expect(kpis.funnel_bottleneck_step).not.toBeNull();
    expect(Object.keys(kpis.funnel_step_counts_by_signup_day)).toHaveLength(30);
    expect(Object.keys(kpis.funnel_step_counts_by_signup_week)).toHaveLength(5);
    for (const counts of Object.values(kpis.funnel_step_counts_by_plan)) {
      expect(counts['activated']).toBeGreaterThan(0);
    }
    expect(kpis.ttfv_count_today).toBeGreaterThan(2);
    expect(kpis.ttfv_count_7d).toBeGreaterThan(kpis.ttfv_count_today);
    expect(kpis.ttfv_count_30d).toBeGreaterThan(kpis.ttfv_count_7d);
  });

  it('returns the /api/kpis value of every key from its documented query', async () => {
    const queries = await documentedQueries(markdownPath);
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) {
      const value = await runDocumentedQuery(sqlUrl(), query, { as_of: asOfParam, tz });
      const expected = (api.kpis as Record<string, unknown>)[query.key];
      expect(expected, query.key).toBeDefined();
      expect(value, query.key).toEqual(expected);
    }
  });

  it('answers the fact-view examples, and the views agree with the KPIs', async () => {
    const examples = await factQueries();
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const example of examples) {
      expect((await rows(example)).length, example).toBeGreaterThan(0);
    }

    const users = await rows(
      `SELECT user_id, plan, funnel_level, ttfv_seconds FROM fact_user_onboarding
       WHERE user_id LIKE 'edge-%' OR user_id LIKE 'impostor-%' ORDER BY user_id`,
    );
    const edge = Object.fromEntries(users.map((row) => [String(row['user_id']), row]));
    expect(Object.keys(edge).filter((user) => user.startsWith('impostor-'))).toEqual([]);
    // As stored now: the tied signup that arrived first, the 14-day edge in milliseconds, the
    // step after as_of counted here (the fact view has no as_of) but not in the cohort view.
    expect(edge['edge-tied']).toMatchObject({ plan: 'free', funnel_level: 2, ttfv_seconds: null });
    expect(edge['edge-14-days']).toMatchObject({ funnel_level: 5, ttfv_seconds: 14 * 86_400 });
    expect(edge['edge-14-days-1ms']).toMatchObject({ funnel_level: 4 });
    expect(edge['edge-skipper']).toMatchObject({ funnel_level: 3, ttfv_seconds: 3 * 3600 });
    expect(edge['edge-twice']).toMatchObject({ funnel_level: 2 });
    expect(edge['edge-equal-times']).toMatchObject({ funnel_level: 5, ttfv_seconds: 0 });
    expect(edge['edge-after-as-of']).toMatchObject({ funnel_level: 3 });
    const [afterAsOf] = await rows(
      `SELECT steps_reached, first_project_created_at
       FROM onboarding_cohort(as_of = {as_of:DateTime64(3, 'UTC')}, tz = {tz:String})
       WHERE user_id = 'edge-after-as-of'`,
    );
    expect(afterAsOf).toEqual({ steps_reached: 2, first_project_created_at: null });

    // The cohort view, per step, is funnel_step_counts.
    const [reach] = await rows(
      `SELECT countIf(steps_reached >= 1) AS signed_up, countIf(steps_reached >= 2) AS profile_completed,
         countIf(steps_reached >= 3) AS first_project_created,
         countIf(steps_reached >= 4) AS teammate_invited, countIf(steps_reached >= 5) AS activated
       FROM onboarding_cohort(as_of = {as_of:DateTime64(3, 'UTC')}, tz = {tz:String})`,
    );
    expect(reach).toEqual(api.kpis.funnel_step_counts);
  });
});
