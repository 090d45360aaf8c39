// The documented support queries (docs/clickhouse/support.md) through the read-only ClickHouse
// HTTP interface return exactly what GET /api/kpis shows, in UTC and in Europe/Berlin. A
// simulated month goes through the collector (the live pipeline: validation, dedup, state,
// ClickHouse), plus the oracle's hand-made edge tickets (SLA edges at as_of, reopen/solve ties,
// a ticket created twice, escalations awaiting, midnight and window edges).
//
// as_of is 2026-11-10T10:17:23.456Z: its 30-day window crosses Berlin's 2026-10-25 DST change.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kpiApiResponseSchema, supportKpisSchema, type SupportKpis } from '@kpiwall/shared';
import { documentedQueries, runDocumentedQuery } from '../support/documented-queries.ts';
import {
  asOfIso,
  asOfMs,
  edgeAccountId,
  edgeTicketEvents,
  supportHistory,
} from '../support/fixtures/support.ts';
import { postEvents, startTestKpiwall, type TestKpiwall } from '../support/harness.ts';

const asOfParam = '2026-11-10 10:17:23.456';
const batchSize = 5_000;

/** An event as a sender posts it (the simulator's, or a hand-made edge case). */
type RawEvent = object;

const docPath = fileURLToPath(new URL('../../../docs/clickhouse/support.md', import.meta.url));
const queries = await documentedQueries(docPath);

// Support events, and one other event in 20 (the views must leave them out). Events up to
// 5 minutes past as_of are stored but must not count.
const history: RawEvent[] = supportHistory();

/**
 * The oracle test's edge cases (test/src/support/fixtures/support.ts) in account `edge`, all
 * posted in script order. Every event of one POST gets the same received_at; ties (solve and
 * reopen at one instant, a ticket created twice) are decided by arrival, i.e. batch order live
 * and `(received_at, id)` in ClickHouse, so the ids are zero-padded in posting order.
 */
const edgeEvents = (): RawEvent[] =>
  edgeTicketEvents().map(({ time, body }, index) => ({
    id: `edge-${String(index).padStart(4, '0')}`,
    time: new Date(time).toISOString(),
    account_id: edgeAccountId,
    ...body,
  }));

const supportKeys = supportKpisSchema.keyof().options;

describe('docs/clickhouse/support.md', () => {
  it('documents one query per support KPI key, each key once', () => {
    const keys = queries.map((query) => query.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual([...supportKeys].sort());
  });
});

describe.each(['UTC', 'Europe/Berlin'])('support views in %s', (tz) => {
  let kpiwall: TestKpiwall | undefined;
  let api: SupportKpis | undefined;
  const started = (): TestKpiwall => {
    if (!kpiwall) throw new Error('kpiwall did not start');
    return kpiwall;
  };
  const sqlUrl = (): string => {
    const url = started().sqlUrl;
    if (url === null) throw new Error('no read-only SQL interface');
    return url;
  };

  beforeAll(async () => {
    kpiwall = await startTestKpiwall({ now: () => asOfMs, env: { KPIWALL_TIME_ZONE: tz } });
    const batches = [history, edgeEvents()].flatMap((events) => {
      const chunks: RawEvent[][] = [];
      for (let i = 0; i < events.length; i += batchSize) {
        chunks.push(events.slice(i, i + batchSize));
      }
      return chunks;
    });
    for (const batch of batches) {
      // The collector answers once the batch is in ClickHouse.
      const answer = await postEvents(kpiwall.url, batch);
      expect(answer).toEqual({ status: 200, body: { accepted: batch.length, rejected: [] } });
    }
    const response = kpiApiResponseSchema.parse(
      await (await fetch(`${kpiwall.url}/api/kpis`)).json(),
    );
    expect(response).toMatchObject({ as_of: asOfIso, tz });
    api = supportKpisSchema.parse(
      Object.fromEntries(supportKeys.map((key) => [key, response.kpis[key]])),
    );
  }, 300_000);

  afterAll(async () => {
    await kpiwall?.dispose();
  });

  it('has data in every window, so equality proves something', () => {
    if (!api) throw new Error('no /api/kpis answer');
    for (const window of ['today', '7d', '30d'] as const) {
      expect(api[`frt_count_${window}`]).toBeGreaterThan(5);
      expect(api[`resolved_count_${window}`]).toBeGreaterThan(2);
      expect(api[`escalation_response_mean_seconds_${window}`]).not.toBeNull();
      expect(api[`csat_percent_${window}`]).not.toBeNull();
      expect(api[`nps_${window}`]).not.toBeNull();
      expect(api[`ces_mean_${window}`]).not.toBeNull();
    }
    expect(api.backlog_open).toBeGreaterThan(api.tickets_waiting_first_reply);
    expect(api.sla_breaching).toBeGreaterThan(2);
    expect(api.sla_about_to_breach).toBeGreaterThan(2);
    expect(api.escalations_awaiting_response).toBeGreaterThan(2);
  });

  it.each(queries)('kpi=$key returns the /api/kpis value', async (query) => {
    if (!api) throw new Error('no /api/kpis answer');
    const value = await runDocumentedQuery(sqlUrl(), query, { as_of: asOfParam, tz });
    expect(value).toEqual(api[query.key as keyof SupportKpis]);
  });

  it.each(['fact_tickets', 'fact_ticket_escalations', 'fact_survey_answers'])(
    '%s returns rows',
    async (view) => {
      const value = await runDocumentedQuery(
        sqlUrl(),
        { key: view, sql: `SELECT count() AS n FROM ${view}` },
        { as_of: asOfParam, tz },
      );
      expect(value).toBeGreaterThan(0);
    },
  );

  it('fact_tickets_as_of agrees with the wall on the backlog', async () => {
    if (!api) throw new Error('no /api/kpis answer');
    const value = await runDocumentedQuery(
      sqlUrl(),
      {
        key: 'backlog',
        sql: `SELECT countIf(is_open) AS n
              FROM fact_tickets_as_of(as_of = {as_of:DateTime64(3, 'UTC')})`,
      },
      { as_of: asOfParam, tz },
    );
    expect(value).toBe(api.backlog_open);
  });
});
