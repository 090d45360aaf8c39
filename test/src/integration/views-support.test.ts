// The documented support queries (docs/clickhouse/support.md) through the read-only ClickHouse
// HTTP interface return exactly what GET /api/kpis shows, in UTC and in Europe/Berlin. A
// simulated month goes through the collector (the live pipeline: validation, dedup, state,
// ClickHouse), plus the oracle's hand-made edge tickets (SLA edges at as_of, reopen/solve ties,
// a ticket created twice, escalations awaiting, midnight and window edges).
//
// as_of is 2026-11-10T10:17:23.456Z: its 30-day window crosses Berlin's 2026-10-25 DST change.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistory } from '@kpiwall/ingest';
import {
  kpiApiResponseSchema,
  supportKpisSchema,
  ticketPriorities,
  type SupportKpis,
  type TicketPriority,
} from '@kpiwall/shared';
import { documentedQueries, runDocumentedQuery } from '../support/documented-queries.ts';
import { postEvents, startTestKpiwall, type TestKpiwall } from '../support/harness.ts';

const asOfIso = '2026-11-10T10:17:23.456Z';
const asOfMs = Date.parse(asOfIso);
const asOfParam = '2026-11-10 10:17:23.456';
const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const historySeed = 20_261_110;
const batchSize = 5_000;
// KPIS.md defaults: first-reply targets per priority.
const targetMs: Record<TicketPriority, number> = {
  urgent: hourMs,
  high: 4 * hourMs,
  normal: 8 * hourMs,
  low: 24 * hourMs,
};

/** An event as a sender posts it (the simulator's, or a hand-made edge case). */
type RawEvent = object;

const docPath = fileURLToPath(new URL('../../../docs/clickhouse/support.md', import.meta.url));
const queries = await documentedQueries(docPath);

// Support events, and one other event in 20 (the views must leave them out). Events up to
// 5 minutes past as_of are stored but must not count.
const isSupportEvent = (type: string): boolean =>
  type.startsWith('ticket.') || type === 'survey.answered';
const history: RawEvent[] = generateHistory({
  seed: historySeed,
  accounts: 200,
  days: 35,
  end: asOfMs + 5 * minuteMs,
}).filter((event, index) => isSupportEvent(event.type) || index % 20 === 0);

/**
 * The oracle test's edge cases (test/src/integration/oracle-support.test.ts) in account `edge`.
 * Every event of one POST gets the same received_at; ties (solve and reopen at one instant, a
 * ticket created twice) are decided by arrival, i.e. batch order live and `(received_at, id)`
 * in ClickHouse, so the ids are zero-padded in posting order.
 */
const edgeEvents = (): RawEvent[] => {
  const events: RawEvent[] = [];
  const add = (time: number, body: Record<string, unknown>): void => {
    const id = `edge-${String(events.length).padStart(4, '0')}`;
    events.push({ id, time: new Date(time).toISOString(), account_id: 'edge', ...body });
  };
  const created = (ticket: string, time: number, priority: TicketPriority = 'normal'): void => {
    add(time, { type: 'ticket.created', ticket_id: ticket, priority, channel: 'web' });
  };
  const replied = (ticket: string, time: number, author = 'agent', isPublic = true): void => {
    add(time, { type: 'ticket.replied', ticket_id: ticket, author, public: isPublic });
  };
  const status = (ticket: string, time: number, type: string): void => {
    add(time, { type, ticket_id: ticket });
  };
  const escalated = (ticket: string, time: number): void => {
    add(time, { type: 'ticket.escalated', ticket_id: ticket });
  };
  const survey = (kind: string, score: number, time: number, ticket?: string): void => {
    add(time, { type: 'survey.answered', kind, score, ...(ticket ? { ticket_id: ticket } : {}) });
  };
  const a = asOfMs;

  for (const priority of ticketPriorities) {
    const target = targetMs[priority];
    created(`due-now-${priority}`, a - target, priority);
    created(`five-left-${priority}`, a - target + 5 * minuteMs, priority);
    created(`fifteen-left-${priority}`, a - target + 15 * minuteMs, priority);
    created(`one-ms-late-${priority}`, a - target - 1, priority);
    created(`on-time-${priority}`, a - target - 30 * minuteMs, priority);
    replied(`on-time-${priority}`, a - 30 * minuteMs);
    created(`late-${priority}`, a - target - 30 * minuteMs - 1, priority);
    replied(`late-${priority}`, a - 30 * minuteMs);
  }

  created('two-escalations', a - 3 * hourMs);
  replied('two-escalations', a - 170 * minuteMs);
  escalated('two-escalations', a - 2 * hourMs);
  escalated('two-escalations', a - 90 * minuteMs);
  replied('two-escalations', a - 80 * minuteMs, 'agent', false);
  replied('two-escalations', a - 70 * minuteMs, 'bot');
  replied('two-escalations', a - hourMs);
  created('reply-at-escalation', a - 3 * hourMs);
  escalated('reply-at-escalation', a - 2 * hourMs);
  replied('reply-at-escalation', a - 2 * hourMs);
  replied('reply-at-escalation', a - hourMs);
  created('escalation-awaiting', a - 2 * hourMs, 'high');
  escalated('escalation-awaiting', a - hourMs);
  created('escalation-reply-after-as-of', a - 2 * hourMs, 'high');
  escalated('escalation-reply-after-as-of', a - hourMs);
  replied('escalation-reply-after-as-of', a + 2 * minuteMs);
  created('escalation-solved', a - 3 * hourMs);
  escalated('escalation-solved', a - 2 * hourMs);
  status('escalation-solved', a - hourMs, 'ticket.solved');

  created('reopened-open', a - 6 * hourMs);
  replied('reopened-open', a - 5.5 * hourMs);
  status('reopened-open', a - 5 * hourMs, 'ticket.solved');
  status('reopened-open', a - 4 * hourMs, 'ticket.reopened');
  created('reopened-solved', a - 30 * hourMs, 'low');
  replied('reopened-solved', a - 29 * hourMs);
  status('reopened-solved', a - 28 * hourMs, 'ticket.solved');
  status('reopened-solved', a - 3 * hourMs, 'ticket.reopened');
  status('reopened-solved', a - hourMs, 'ticket.solved');

  // Solve and reopen at one instant: the later arrival decides.
  created('tie-reopen-last', a - 5 * hourMs, 'high');
  replied('tie-reopen-last', a - 290 * minuteMs);
  status('tie-reopen-last', a - 2 * hourMs, 'ticket.solved');
  status('tie-reopen-last', a - 2 * hourMs, 'ticket.reopened');
  created('tie-solve-last', a - 7 * hourMs, 'low');
  replied('tie-solve-last', a - 410 * minuteMs);
  status('tie-solve-last', a - 2 * hourMs, 'ticket.reopened');
  status('tie-solve-last', a - 2 * hourMs, 'ticket.solved');

  // Created twice: the first received (urgent, 2 h ago) is the ticket, not the earlier one.
  created('created-twice', a - 2 * hourMs, 'urgent');
  created('created-twice', a - 30 * hourMs, 'low');
  replied('created-twice', a - 90 * minuteMs);

  // Berlin's today starts at 2026-11-09T23:00Z (CET), UTC's at 2026-11-10T00:00Z.
  const berlinMidnight = Date.parse('2026-11-09T23:00:00.000Z');
  const utcMidnight = Date.parse('2026-11-10T00:00:00.000Z');
  created('berlin-midnight', berlinMidnight - 30 * minuteMs);
  replied('berlin-midnight', berlinMidnight);
  created('before-berlin-midnight', berlinMidnight - 30 * minuteMs);
  replied('before-berlin-midnight', berlinMidnight - 1);
  created('utc-midnight', utcMidnight - 30 * minuteMs);
  replied('utc-midnight', utcMidnight);
  status('utc-midnight', utcMidnight + hourMs, 'ticket.solved');
  survey('csat', 1, berlinMidnight);
  survey('nps', 0, berlinMidnight - 1);
  // Berlin's 30-day window starts at 2026-10-11T22:00Z (CEST), UTC's at 2026-10-12T00:00Z.
  const berlinWindowStart = Date.parse('2026-10-11T22:00:00.000Z');
  created('berlin-window-start', berlinWindowStart - hourMs);
  replied('berlin-window-start', berlinWindowStart);
  status('berlin-window-start', berlinWindowStart, 'ticket.solved');
  survey('ces', 7, berlinWindowStart);

  // Events of a ticket never created count nowhere.
  replied('never-created', a - hourMs);
  escalated('never-created', a - 2 * hourMs);
  status('never-created', a - 30 * minuteMs, 'ticket.solved');

  // First replies exactly 24 h before as_of (outside the rolling window) and 1 ms later (in it).
  created('rolling-edge-out', a - 25 * hourMs, 'low');
  replied('rolling-edge-out', a - 24 * hourMs);
  created('rolling-edge-in', a - 25 * hourMs, 'low');
  replied('rolling-edge-in', a - 24 * hourMs + 1);

  created('answered-after-as-of', a - 10 * minuteMs, 'urgent');
  replied('answered-after-as-of', a + minuteMs);

  survey('csat', 2, a - hourMs);
  survey('csat', 5, a - 50 * minuteMs, 'on-time-low');
  survey('csat', 4, a - 40 * minuteMs, 'on-time-low');
  survey('nps', 9, a - 2 * hourMs);
  survey('nps', 6, a - 90 * minuteMs);
  survey('ces', 2, a - hourMs, 'late-high');
  survey('ces', 5, a - 30 * minuteMs);
  survey('ces', 6, a - 20 * minuteMs, 'late-high');
  survey('ces', 1, a + minuteMs);
  return events;
};

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
