// The health views engineers query (docs/clickhouse/health.md) against the live pipeline: a
// simulated history goes through the HTTP collector into an embedded kpiwall, then every
// documented ```sql kpi=…``` query runs through the read-only ClickHouse HTTP interface and
// must return exactly the value /api/kpis serves under that key.
//
// "Latest" (NPS, CSAT, subscription) is by event time, ties to the one received last. The
// views break ties by (time, received_at, id) — the order the aggregator replays the table in
// on a restart. The clock is moved so tie twins arrive in separate batches, some before and
// some after the history (received_at decides), and the history is posted in id order, so
// ties received in the same millisecond reach the live state in the order the views assume.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistory } from '@kpiwall/ingest';
import { healthKpisSchema, kpiApiResponseSchema, type KpiApiResponse } from '@kpiwall/shared';
import { documentedQueries, runDocumentedQuery } from '../support/documented-queries.ts';
import { edgeEvents, tieTwins, type RawEvent } from '../support/fixtures/health.ts';
import { startTestKpiwall, type TestKpiwall } from '../support/harness.ts';

const markdownPath = fileURLToPath(new URL('../../../docs/clickhouse/health.md', import.meta.url));
const asOfIso = '2026-11-10T10:17:23.456Z';
const asOfMs = Date.parse(asOfIso);
const asOfParam = '2026-11-10 10:17:23.456';
const minuteMs = 60_000;
const batchLines = 5_000;

const history = generateHistory({
  seed: 20_261_110,
  accounts: 80,
  // 42 days: "the 28 d before" the last 7 d reaches back to as_of − 35 d.
  days: 42,
  // Events a few minutes after as_of are stored but must not count.
  end: asOfMs + 5 * minuteMs,
});

const byId = (a: RawEvent, b: RawEvent): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const twins = tieTwins(history);
// Odd twins arrive before the history (the original, received later, wins a tie), even ones
// after it (the twin wins).
const twinsBefore = twins.filter((_, index) => index % 2 === 1).sort(byId);
const twinsAfter = twins.filter((_, index) => index % 2 === 0).sort(byId);
const main = [...history, ...edgeEvents(asOfMs)].sort(byId);

/** The ```sql blocks of the .md without kpi=: the fact-view examples. */
const factQueries = async (): Promise<string[]> => {
  const text = await readFile(markdownPath, 'utf8');
  return [...text.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => (match[1] ?? '').trim());
};

describe.each(['UTC', 'Europe/Berlin'])('health views equal /api/kpis (%s)', (tz) => {
  let kpiwall: TestKpiwall;
  let clockMs = asOfMs;
  let api: KpiApiResponse;

  const post = async (events: readonly RawEvent[], atMs: number): Promise<void> => {
    clockMs = atMs;
    for (let i = 0; i < events.length; i += batchLines) {
      const response = await fetch(`${kpiwall.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: events
          .slice(i, i + batchLines)
          .map((event) => JSON.stringify(event))
          .join('\n'),
      });
      const answer = (await response.json()) as { accepted: number };
      expect(response.status).toBe(200);
      expect(answer.accepted).toBe(Math.min(batchLines, events.length - i));
    }
  };

  const sqlUrl = (): string => {
    if (kpiwall.sqlUrl === null) throw new Error('the read-only SQL interface is off');
    return kpiwall.sqlUrl;
  };

  beforeAll(async () => {
    kpiwall = await startTestKpiwall({ now: () => clockMs, env: { KPIWALL_TIME_ZONE: tz } });
    await post(twinsBefore, asOfMs - 2);
    await post(main, asOfMs - 1);
    await post(twinsAfter, asOfMs);
    const response = await fetch(`${kpiwall.url}/api/kpis`);
    api = kpiApiResponseSchema.parse(await response.json());
    expect(api.as_of).toBe(asOfIso);
  }, 300_000);

  afterAll(async () => {
    await kpiwall.dispose();
  });

  it('documents one query for every health key, and nothing else', async () => {
    const keys = (await documentedQueries(markdownPath)).map((query) => query.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(Object.keys(healthKpisSchema.shape).sort());
  });

  it('has data where every KPI is non-trivial', () => {
    const scores = api.kpis.health_scores;
    expect(scores.length).toBe(80);
    expect(scores.filter((entry) => entry.churned).length).toBeGreaterThanOrEqual(2);
    expect(api.kpis.at_risk_accounts.length).toBeGreaterThan(2);
    const fired = new Set(scores.flatMap((entry) => entry.signals));
    expect(fired.size).toBe(9);
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

  it('answers the fact-view examples, and the fact views agree with the KPI', async () => {
    const client = createClient({ url: sqlUrl(), database: 'kpiwall' });
    try {
      const rows = async (query: string): Promise<Record<string, unknown>[]> =>
        (
          await client.query({
            query,
            query_params: { as_of: asOfParam, tz },
            format: 'JSONEachRow',
          })
        ).json<Record<string, unknown>>();
      const examples = await factQueries();
      expect(examples.length).toBeGreaterThanOrEqual(2);
      for (const example of examples)
        expect((await rows(example)).length, example).toBeGreaterThan(0);

      const accounts = api.kpis.health_scores.length;
      const inputs = await rows(
        `SELECT * FROM health_signal_inputs(as_of = {as_of:DateTime64(3, 'UTC')}) ORDER BY account_id`,
      );
      expect(inputs.length).toBe(accounts);
      expect(
        inputs.map(({ account_id, score, churned, mrr_cents, signals }) => ({
          account_id,
          score,
          churned,
          mrr_cents,
          signals,
        })),
      ).toEqual(api.kpis.health_scores);
      const perSignal = await rows(
        `SELECT account_id, signal, weight FROM health_account_signals(as_of = {as_of:DateTime64(3, 'UTC')})
         WHERE fired ORDER BY account_id`,
      );
      expect(perSignal.length).toBe(
        api.kpis.health_scores.reduce((sum, entry) => sum + entry.signals.length, 0),
      );
      expect(
        await rows(
          `SELECT count() AS n FROM health_account_signals(as_of = {as_of:DateTime64(3, 'UTC')})`,
        ),
      ).toEqual([{ n: accounts * 9 }]);
    } finally {
      await client.close();
    }
  });
});
