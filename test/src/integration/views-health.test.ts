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
import { startTestKpiwall, type TestKpiwall } from '../support/harness.ts';

const markdownPath = fileURLToPath(new URL('../../../docs/clickhouse/health.md', import.meta.url));
const asOfIso = '2026-11-10T10:17:23.456Z';
const asOfMs = Date.parse(asOfIso);
const asOfParam = '2026-11-10 10:17:23.456';
const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;
const batchLines = 5_000;

type RawEvent = ReturnType<typeof generateHistory>[number];

const history = generateHistory({
  seed: 20_261_110,
  accounts: 80,
  // 42 days: "the 28 d before" the last 7 d reaches back to as_of − 35 d.
  days: 42,
  // Events a few minutes after as_of are stored but must not count.
  end: asOfMs + 5 * minuteMs,
});

/** Twins at the exact instant of NPS / CSAT answers and subscription events (as the oracle). */
const tieTwins = (events: readonly RawEvent[]): RawEvent[] => {
  const twins: RawEvent[] = [];
  let answers = 0;
  let starts = 0;
  for (const event of events) {
    if (event.type === 'survey.answered' && event.kind !== 'ces' && answers++ % 2 === 0) {
      const score = event.kind === 'nps' ? 10 - event.score : 6 - event.score;
      twins.push({ ...event, id: `tie-${event.id}`, score });
    }
    if (event.type === 'subscription.cancelled') {
      twins.push({
        id: `tie-${event.id}`,
        time: event.time,
        type: 'subscription.started',
        account_id: event.account_id,
        plan: 'starter',
        mrr_cents: 4_100,
      });
    }
    if (event.type === 'subscription.started' && event.mrr_cents > 0 && starts++ % 10 === 0) {
      twins.push({
        id: `tie-${event.id}`,
        time: event.time,
        type: 'subscription.changed',
        account_id: event.account_id,
        from_plan: event.plan,
        to_plan: 'free',
        mrr_cents_before: event.mrr_cents,
        mrr_cents_after: 0,
      });
    }
  }
  return twins;
};

/** Events exactly on the window edges (as_of − 7 d, − 14 d, − 30 d, − 35 d) in a few accounts. */
const edgeEvents = (): RawEvent[] => {
  const edges: RawEvent[] = [];
  for (let n = 1; n <= 12; n++) {
    const account = `acct-${String(n * 6).padStart(3, '0')}`;
    const at = (days: number): number => asOfMs - days * dayMs;
    const id = (what: string) => `edge-${account}-${what}`;
    for (const days of [7, 14, 35]) {
      edges.push({
        id: id(`viewed-${days}`),
        time: at(days),
        type: 'page.viewed',
        account_id: account,
        user_id: `${account}-edge-${days}`,
        session_id: id(`session-${days}`),
        path: '/edge',
      });
    }
    edges.push(
      {
        id: id('reopened'),
        time: at(7),
        type: 'ticket.reopened',
        account_id: account,
        ticket_id: id('t'),
      },
      {
        id: id('created-7'),
        time: at(7),
        type: 'ticket.created',
        account_id: account,
        user_id: `${account}-edge-7`,
        ticket_id: id('t7'),
        priority: 'urgent',
        channel: 'web',
      },
      {
        id: id('created-35'),
        time: at(35),
        type: 'ticket.created',
        account_id: account,
        user_id: `${account}-edge-35`,
        ticket_id: id('t35'),
        priority: 'low',
        channel: 'web',
      },
      {
        id: id('solved-35'),
        time: at(34),
        type: 'ticket.solved',
        account_id: account,
        ticket_id: id('t35'),
      },
      {
        id: id('csat-30'),
        time: at(30),
        type: 'survey.answered',
        account_id: account,
        kind: 'csat',
        score: 1,
      },
      {
        id: id('nps-30'),
        time: at(30),
        type: 'survey.answered',
        account_id: account,
        kind: 'nps',
        score: 0,
      },
      {
        id: id('downgrade-30'),
        time: at(30),
        type: 'subscription.changed',
        account_id: account,
        from_plan: 'growth',
        to_plan: 'starter',
        mrr_cents_before: 50_000,
        mrr_cents_after: 40_000,
      },
    );
  }
  return edges;
};

const byId = (a: RawEvent, b: RawEvent): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const twins = tieTwins(history);
// Odd twins arrive before the history (the original, received later, wins a tie), even ones
// after it (the twin wins).
const twinsBefore = twins.filter((_, index) => index % 2 === 1).sort(byId);
const twinsAfter = twins.filter((_, index) => index % 2 === 0).sort(byId);
const main = [...history, ...edgeEvents()].sort(byId);

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
