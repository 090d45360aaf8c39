// Oracle test for KPIS.md "Support": a simulated month (plus hand-made edge tickets for what the
// simulator rarely or never produces) is inserted into chdb's `events` table, and the same
// validated events, shuffled, are fed to the pure support state. Every support KPI of the state
// must equal, exactly, plain SQL over the raw events written from KPIS.md, in UTC and in
// Europe/Berlin.
//
// as_of is 2026-11-10T10:17:23.456Z: its 30-day window starts on 2026-10-12, so in
// Europe/Berlin it crosses the 2026-10-25 DST change (the window starts at 22:00Z, CEST).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ticketPriorities,
  validateEvent,
  type KpiEvent,
  type TicketPriority,
} from '@kpiwall/shared';
import { ClickHouseStore, createLocalCalendar, eventToRow, Support } from '@kpiwall/aggregator';
import { supportKpisSchema, type SupportKpis } from '@kpiwall/shared';
import {
  asOfMs,
  edgeAccountId,
  edgeTicketEvents,
  historyEnd,
  historySeed,
  isSupportEvent,
  minuteMs,
  supportHistory,
} from '../support/fixtures/support.ts';
import { clickHouseTime, shuffled } from '../support/oracle-helpers.ts';

// Every arrival gets its own received_at, so "first received" and "ties go to the later
// arrival" are well defined in SQL too.
const firstArrivalMs = historyEnd + minuteMs;

type RawEvent = ReturnType<typeof supportHistory>[number];

/**
 * The hand-made edge tickets (test/src/support/fixtures/support.ts) with ids `edge-1`, `edge-2`,
 * ... in script order and epoch-millisecond times. `ordered` arrive last, in this order: solve/
 * reopen pairs at one instant and a ticket created twice; the rest are shuffled in.
 */
const edgeEvents = (): { shuffledIn: RawEvent[]; ordered: RawEvent[] } => {
  const shuffledIn: RawEvent[] = [];
  const ordered: RawEvent[] = [];
  edgeTicketEvents().forEach(({ time, body, ordered: last }, index) => {
    const event = { id: `edge-${index + 1}`, time, account_id: edgeAccountId, ...body };
    (last ? ordered : shuffledIn).push(event as RawEvent);
  });
  return { shuffledIn, ordered };
};

const validated = (raws: readonly RawEvent[], firstArrival: number): KpiEvent[] =>
  raws.map((raw, arrival) => {
    const result = validateEvent(raw, asOfMs, firstArrival + arrival);
    if (!result.ok) throw new Error(`${raw.id}: ${result.reason}`);
    return result.event;
  });

// ---------------------------------------------------------------------------------------------
// The oracle: SQL written from KPIS.md "Support", over the raw events, each id once (the first
// received counts; the table also holds later duplicates with other bodies).
// ---------------------------------------------------------------------------------------------

const asOf = `{as_of:DateTime64(3, 'UTC')}`;

// A ticket is (account_id, ticket_id), known from its first creation received (with its
// priority). A reply is a ticket.replied by an agent in public. Only events at or before as_of
// count. Open until solved, and again after a reopen: the latest solve/reopen at or before
// as_of (by time, ties to the later received_at) decides, and when it is a solve it is the
// final solve. `replies`: the times of the replies at or before as_of, ascending.
const ticketFactsSql = `
  deduped AS (SELECT * FROM events ORDER BY received_at, id LIMIT 1 BY id),
  ticket_events AS (
    SELECT
      account_id,
      ticket_id,
      type,
      time,
      received_at,
      priority,
      ifNull(type = 'ticket.replied' AND author = 'agent' AND public = true, false) AS is_reply,
      type IN ('ticket.solved', 'ticket.reopened') AS is_status
    FROM deduped
    WHERE startsWith(type, 'ticket.') AND ticket_id IS NOT NULL
  ),
  tickets AS (
    SELECT
      account_id,
      ticket_id,
      countIf(type = 'ticket.created') AS creations,
      argMinIf(time, received_at, type = 'ticket.created') AS created,
      assumeNotNull(argMinIf(priority, received_at, type = 'ticket.created')) AS priority,
      arraySort(groupArrayIf(time, is_reply AND time <= ${asOf})) AS replies,
      countIf(is_status AND time <= ${asOf}) AS status_changes,
      argMaxIf(
        (type = 'ticket.solved', time),
        (time, received_at),
        is_status AND time <= ${asOf}
      ) AS latest_status
    FROM ticket_events
    GROUP BY account_id, ticket_id
    HAVING creations > 0 AND created <= ${asOf}
  ),
  facts AS (
    SELECT
      account_id,
      ticket_id,
      priority,
      replies,
      toUnixTimestamp64Milli(${asOf}) AS as_of_ms,
      toUnixTimestamp64Milli(created) AS created_ms,
      NOT (status_changes > 0 AND latest_status.1) AS open,
      length(replies) > 0 AS replied,
      toUnixTimestamp64Milli(replies[1]) - created_ms AS frt_ms,
      toUnixTimestamp64Milli(replies[1]) AS first_reply_ms,
      -- Calendar days from the first reply's / final solve's local day to as_of's local day:
      -- in the window of N days when < N.
      dateDiff('day', toDate(replies[1], {tz:String}), toDate(${asOf}, {tz:String}))
        AS first_reply_days_ago,
      toUnixTimestamp64Milli(latest_status.2) - created_ms AS resolution_ms,
      dateDiff('day', toDate(latest_status.2, {tz:String}), toDate(${asOf}, {tz:String}))
        AS final_solve_days_ago,
      -- SLA first-reply targets (KPIS.md defaults): urgent 1 h, high 4 h, normal 8 h, low 24 h.
      created_ms + transform(priority, ['urgent', 'high', 'normal', 'low'],
        [3600000, 14400000, 28800000, 86400000], 0) AS due_ms
    FROM tickets
  ),
  -- Each ticket.escalated at or before as_of on a known ticket, with the first reply strictly
  -- after it (replies are those at or before as_of).
  escalations AS (
    SELECT
      f.open AS open,
      arrayExists(r -> r > e.time, f.replies) AS answered,
      arrayFirst(r -> r > e.time, f.replies) AS response,
      toUnixTimestamp64Milli(response) - toUnixTimestamp64Milli(e.time) AS response_ms,
      dateDiff('day', toDate(response, {tz:String}), toDate(${asOf}, {tz:String}))
        AS response_days_ago
    FROM (
      SELECT account_id, ticket_id, time FROM ticket_events
      WHERE type = 'ticket.escalated' AND time <= ${asOf}
    ) AS e
    INNER JOIN facts AS f ON f.account_id = e.account_id AND f.ticket_id = e.ticket_id
  )`;

// The calendar windows as (suffix, days): in the window when days_ago < days.
const calendarWindowsSql = `[('today', 1), ('7d', 7), ('30d', 30)]`;

// Per calendar window: FRT and SLA attainment over tickets whose first reply is in the window
// (on time: first reply <= creation + target); resolution over tickets solved at as_of whose
// final solve is in the window; escalation responses in the window of the reply.
const windowedTicketsSql = `
WITH ${ticketFactsSql},
  by_window AS (
    SELECT
      w.1 AS window,
      countIf(replied AND first_reply_days_ago < w.2) AS frt_count,
      if(frt_count = 0, NULL,
        quantileExactInclusiveIf(0.5)(frt_ms, replied AND first_reply_days_ago < w.2) / 1000)
        AS frt_median,
      if(frt_count = 0, NULL,
        quantileExactInclusiveIf(0.9)(frt_ms, replied AND first_reply_days_ago < w.2) / 1000)
        AS frt_p90,
      if(frt_count = 0, NULL,
        sumIf(frt_ms, replied AND first_reply_days_ago < w.2) / frt_count / 1000) AS frt_mean,
      if(frt_count = 0, NULL,
        countIf(replied AND first_reply_days_ago < w.2 AND first_reply_ms <= due_ms)
          / frt_count * 100) AS sla_attainment,
      countIf(NOT open AND final_solve_days_ago < w.2) AS resolved_count,
      if(resolved_count = 0, NULL,
        quantileExactInclusiveIf(0.5)(resolution_ms, NOT open AND final_solve_days_ago < w.2)
          / 1000) AS resolution_median,
      if(resolved_count = 0, NULL,
        quantileExactInclusiveIf(0.9)(resolution_ms, NOT open AND final_solve_days_ago < w.2)
          / 1000) AS resolution_p90,
      if(resolved_count = 0, NULL,
        sumIf(resolution_ms, NOT open AND final_solve_days_ago < w.2) / resolved_count / 1000)
        AS resolution_mean
    FROM facts
    ARRAY JOIN ${calendarWindowsSql} AS w
    GROUP BY window
  ),
  escalations_by_window AS (
    SELECT
      w.1 AS window,
      countIf(answered AND response_days_ago < w.2) AS escalation_responses,
      if(escalation_responses = 0, NULL,
        quantileExactInclusiveIf(0.5)(response_ms, answered AND response_days_ago < w.2) / 1000)
        AS escalation_median,
      if(escalation_responses = 0, NULL,
        sumIf(response_ms, answered AND response_days_ago < w.2) / escalation_responses / 1000)
        AS escalation_mean
    FROM escalations
    ARRAY JOIN ${calendarWindowsSql} AS w
    GROUP BY window
  )
SELECT * FROM by_window AS t INNER JOIN escalations_by_window AS e USING (window)`;

// SLA attainment per priority and calendar window.
const attainmentByPrioritySql = `
WITH ${ticketFactsSql}
SELECT
  w.1 AS window,
  priority,
  countIf(replied AND first_reply_days_ago < w.2) AS first_replies,
  if(first_replies = 0, NULL,
    countIf(replied AND first_reply_days_ago < w.2 AND first_reply_ms <= due_ms)
      / first_replies * 100) AS sla_attainment
FROM facts
ARRAY JOIN ${calendarWindowsSql} AS w
GROUP BY window, priority`;

// FRT over tickets whose first reply is in (as_of − 24 h, as_of].
const rollingFrtSql = `
WITH ${ticketFactsSql}
SELECT
  countIf(replied AND first_reply_ms > as_of_ms - 86400000) AS frt_count,
  if(frt_count = 0, NULL,
    quantileExactInclusiveIf(0.5)(frt_ms, replied AND first_reply_ms > as_of_ms - 86400000)
      / 1000) AS frt_median,
  if(frt_count = 0, NULL,
    quantileExactInclusiveIf(0.9)(frt_ms, replied AND first_reply_ms > as_of_ms - 86400000)
      / 1000) AS frt_p90,
  if(frt_count = 0, NULL,
    sumIf(frt_ms, replied AND first_reply_ms > as_of_ms - 86400000) / frt_count / 1000)
    AS frt_mean
FROM facts`;

// Live at as_of: open tickets; open with no reply (waiting), the oldest of them; past the
// target (breaching: as_of > due) or 0 <= due − as_of < 15 min (about to breach).
const liveColumnsSql = `
  countIf(open) AS backlog_open,
  countIf(open AND NOT replied) AS waiting,
  countIf(open AND NOT replied AND as_of_ms > due_ms) AS breaching,
  countIf(open AND NOT replied AND due_ms - as_of_ms >= 0 AND due_ms - as_of_ms < 900000)
    AS about_to_breach`;

const liveSql = `
WITH ${ticketFactsSql}
SELECT
  ${liveColumnsSql},
  if(waiting = 0, NULL, (any(as_of_ms) - minIf(created_ms, open AND NOT replied)) / 1000)
    AS oldest_waiting_seconds,
  -- Escalations of open tickets with no reply after them yet.
  (SELECT countIf(open AND NOT answered) FROM escalations) AS escalations_awaiting_response
FROM facts`;

const liveByPrioritySql = `
WITH ${ticketFactsSql}
SELECT priority, ${liveColumnsSql}
FROM facts
GROUP BY priority`;

// Surveys in the window, every answer counting: CSAT 4–5 / all × 100; NPS % promoters (9–10)
// − % detractors (0–6); CES mean.
const surveysSql = `
WITH
  answers AS (
    SELECT
      kind,
      score,
      dateDiff('day', toDate(time, {tz:String}), toDate(${asOf}, {tz:String})) AS days_ago
    FROM (SELECT * FROM events ORDER BY received_at, id LIMIT 1 BY id)
    WHERE type = 'survey.answered' AND time <= ${asOf}
  )
SELECT
  w.1 AS window,
  countIf(kind = 'csat' AND days_ago < w.2) AS csat_answers,
  if(csat_answers = 0, NULL,
    countIf(kind = 'csat' AND score >= 4 AND days_ago < w.2) / csat_answers * 100) AS csat,
  countIf(kind = 'nps' AND days_ago < w.2) AS nps_answers,
  if(nps_answers = 0, NULL,
    countIf(kind = 'nps' AND score >= 9 AND days_ago < w.2) / nps_answers * 100
    - countIf(kind = 'nps' AND score <= 6 AND days_ago < w.2) / nps_answers * 100) AS nps,
  countIf(kind = 'ces' AND days_ago < w.2) AS ces_answers,
  if(ces_answers = 0, NULL, sumIf(score, kind = 'ces' AND days_ago < w.2) / ces_answers)
    AS ces_mean
FROM answers
ARRAY JOIN ${calendarWindowsSql} AS w
GROUP BY window`;

type Stat = number | null;
type WindowRow = {
  window: Window;
  frt_count: number;
  frt_median: Stat;
  frt_p90: Stat;
  frt_mean: Stat;
  sla_attainment: Stat;
  resolved_count: number;
  resolution_median: Stat;
  resolution_p90: Stat;
  resolution_mean: Stat;
  escalation_responses: number;
  escalation_median: Stat;
  escalation_mean: Stat;
};
type AttainmentRow = {
  window: Window;
  priority: TicketPriority;
  first_replies: number;
  sla_attainment: Stat;
};
type RollingRow = { frt_count: number; frt_median: Stat; frt_p90: Stat; frt_mean: Stat };
type LiveCounts = {
  backlog_open: number;
  waiting: number;
  breaching: number;
  about_to_breach: number;
};
type LiveRow = LiveCounts & {
  oldest_waiting_seconds: Stat;
  escalations_awaiting_response: number;
};
type LiveByPriorityRow = LiveCounts & { priority: TicketPriority };
type SurveyRow = {
  window: Window;
  csat_answers: number;
  csat: Stat;
  nps_answers: number;
  nps: Stat;
  ces_answers: number;
  ces_mean: Stat;
};
type Window = 'today' | '7d' | '30d';

type OracleRows = {
  windows: Record<Window, WindowRow>;
  attainment: AttainmentRow[];
  rolling: RollingRow;
  live: LiveRow;
  liveByPriority: LiveByPriorityRow[];
  surveys: Record<Window, SurveyRow>;
};

const byWindow = <R extends { window: Window }>(rows: readonly R[]): Record<Window, R> => {
  const find = (window: Window): R => {
    const row = rows.find((r) => r.window === window);
    if (!row) throw new Error(`no ${window} row`);
    return row;
  };
  return { today: find('today'), '7d': find('7d'), '30d': find('30d') };
};

const single = <R>(rows: readonly R[]): R => {
  const [row] = rows;
  if (row === undefined || rows.length !== 1) throw new Error('expected one row');
  return row;
};

const queryOracle = async (
  store: ClickHouseStore,
  params: Record<string, unknown>,
): Promise<OracleRows> => ({
  windows: byWindow(await store.query<WindowRow>(windowedTicketsSql, params)),
  attainment: await store.query<AttainmentRow>(attainmentByPrioritySql, params),
  rolling: single(await store.query<RollingRow>(rollingFrtSql, params)),
  live: single(await store.query<LiveRow>(liveSql, params)),
  liveByPriority: await store.query<LiveByPriorityRow>(liveByPrioritySql, params),
  surveys: byWindow(await store.query<SurveyRow>(surveysSql, params)),
});

/** A per-priority record from grouped rows: a priority without a row is 0 / null. */
const perPriority = <R extends { priority: TicketPriority }, V>(
  rows: readonly R[],
  value: (row: R) => V,
  absent: V,
): Record<TicketPriority, V> => {
  const of = (priority: TicketPriority): V => {
    const row = rows.find((r) => r.priority === priority);
    return row === undefined ? absent : value(row);
  };
  return { low: of('low'), normal: of('normal'), high: of('high'), urgent: of('urgent') };
};

/** The oracle rows under the KPIS.md keys. */
const oracleKpis = (o: OracleRows): SupportKpis => {
  const w = o.windows;
  const s = o.surveys;
  const attainmentOf = (window: Window) =>
    perPriority(
      o.attainment.filter((row) => row.window === window),
      (row) => row.sla_attainment,
      null,
    );
  const live = (key: keyof LiveCounts) => perPriority(o.liveByPriority, (row) => row[key], 0);
  return {
    frt_median_seconds_today: w.today.frt_median,
    frt_median_seconds_7d: w['7d'].frt_median,
    frt_median_seconds_30d: w['30d'].frt_median,
    frt_median_seconds_rolling_24h: o.rolling.frt_median,
    frt_p90_seconds_today: w.today.frt_p90,
    frt_p90_seconds_7d: w['7d'].frt_p90,
    frt_p90_seconds_30d: w['30d'].frt_p90,
    frt_p90_seconds_rolling_24h: o.rolling.frt_p90,
    frt_mean_seconds_today: w.today.frt_mean,
    frt_mean_seconds_7d: w['7d'].frt_mean,
    frt_mean_seconds_30d: w['30d'].frt_mean,
    frt_mean_seconds_rolling_24h: o.rolling.frt_mean,
    frt_count_today: w.today.frt_count,
    frt_count_7d: w['7d'].frt_count,
    frt_count_30d: w['30d'].frt_count,
    frt_count_rolling_24h: o.rolling.frt_count,
    tickets_waiting_first_reply: o.live.waiting,
    tickets_waiting_first_reply_by_priority: live('waiting'),
    oldest_waiting_seconds: o.live.oldest_waiting_seconds,
    resolution_median_seconds_today: w.today.resolution_median,
    resolution_median_seconds_7d: w['7d'].resolution_median,
    resolution_median_seconds_30d: w['30d'].resolution_median,
    resolution_p90_seconds_today: w.today.resolution_p90,
    resolution_p90_seconds_7d: w['7d'].resolution_p90,
    resolution_p90_seconds_30d: w['30d'].resolution_p90,
    resolution_mean_seconds_today: w.today.resolution_mean,
    resolution_mean_seconds_7d: w['7d'].resolution_mean,
    resolution_mean_seconds_30d: w['30d'].resolution_mean,
    resolved_count_today: w.today.resolved_count,
    resolved_count_7d: w['7d'].resolved_count,
    resolved_count_30d: w['30d'].resolved_count,
    backlog_open: o.live.backlog_open,
    backlog_open_by_priority: live('backlog_open'),
    sla_breaching: o.live.breaching,
    sla_breaching_by_priority: live('breaching'),
    sla_about_to_breach: o.live.about_to_breach,
    sla_about_to_breach_by_priority: live('about_to_breach'),
    sla_attainment_percent_today: w.today.sla_attainment,
    sla_attainment_percent_7d: w['7d'].sla_attainment,
    sla_attainment_percent_30d: w['30d'].sla_attainment,
    sla_attainment_percent_by_priority_today: attainmentOf('today'),
    sla_attainment_percent_by_priority_7d: attainmentOf('7d'),
    sla_attainment_percent_by_priority_30d: attainmentOf('30d'),
    escalation_response_median_seconds_today: w.today.escalation_median,
    escalation_response_median_seconds_7d: w['7d'].escalation_median,
    escalation_response_median_seconds_30d: w['30d'].escalation_median,
    escalation_response_mean_seconds_today: w.today.escalation_mean,
    escalation_response_mean_seconds_7d: w['7d'].escalation_mean,
    escalation_response_mean_seconds_30d: w['30d'].escalation_mean,
    escalations_awaiting_response: o.live.escalations_awaiting_response,
    csat_percent_today: s.today.csat,
    csat_percent_7d: s['7d'].csat,
    csat_percent_30d: s['30d'].csat,
    nps_today: s.today.nps,
    nps_7d: s['7d'].nps,
    nps_30d: s['30d'].nps,
    ces_mean_today: s.today.ces_mean,
    ces_mean_7d: s['7d'].ces_mean,
    ces_mean_30d: s['30d'].ces_mean,
  };
};

// ---------------------------------------------------------------------------------------------

// Support events, and one product event in 20 so that the SQL has other types to leave out
// (all of them would only make the test slower).
const history = supportHistory();

const edges = edgeEvents();
const arrivals: KpiEvent[] = validated(
  shuffled([...history, ...edges.shuffledIn], historySeed),
  firstArrivalMs,
);
arrivals.push(...validated(edges.ordered, firstArrivalMs + arrivals.length));

// Duplicates received after the originals, with other bodies (moved to just before as_of, made
// public agent replies, other scores): the table holds them, the oracle must drop them, and
// the state never sees them (deduplication happens upstream).
// Some product events' ids come again as a public agent reply to a waiting edge ticket: the
// deduplication must come before any filter on the type.
const duplicates: KpiEvent[] = [
  ...arrivals
    .filter((event) => isSupportEvent(event.type))
    .filter((_, index) => index % 40 === 0)
    .map((event, index): KpiEvent => {
      const time = asOfMs - (index + 1) * minuteMs;
      if (event.type === 'ticket.replied') return { ...event, time, author: 'agent' };
      if (event.type === 'survey.answered') return { ...event, time, score: 1 };
      return { ...event, time };
    }),
  ...arrivals
    .filter((event) => event.type === 'page.viewed')
    .slice(0, 50)
    .map((event): KpiEvent => ({
      id: event.id,
      type: 'ticket.replied',
      time: asOfMs - minuteMs,
      account_id: edgeAccountId,
      user_id: null,
      received_at: event.received_at,
      properties: {},
      ticket_id: 'due-now-urgent',
      author: 'agent',
      public: true,
    })),
].map((event, index) => ({ ...event, received_at: firstArrivalMs + arrivals.length + index }));

describe('oracle: support events in chdb', () => {
  let dataDir = '';
  let store: ClickHouseStore | undefined;
  const opened = (): ClickHouseStore => {
    if (!store) throw new Error('the store did not open');
    return store;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kpiwall-oracle-support-'));
    store = await ClickHouseStore.open({ kind: 'embedded', dataDir }, 'kpiwall');
    await store.migrate();
    const rows = [...arrivals, ...duplicates].map(eventToRow);
    for (let i = 0; i < rows.length; i += 20_000) {
      await store.insert('events', rows.slice(i, i + 20_000));
    }
  }, 300_000);

  afterAll(async () => {
    await store?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('holds every event once plus the later duplicates', async () => {
    const [table] = await opened().query<{ rows: number; ids: number; after_as_of: number }>(
      `SELECT count() AS rows, uniqExact(id) AS ids,
         countIf(time > {as_of:DateTime64(3, 'UTC')}) AS after_as_of
       FROM events`,
      { as_of: clickHouseTime(asOfMs) },
    );
    expect(duplicates.length).toBeGreaterThan(100);
    expect(table).toEqual({
      rows: arrivals.length + duplicates.length,
      ids: arrivals.length,
      after_as_of: expect.any(Number) as unknown,
    });
    expect(table?.after_as_of).toBeGreaterThan(0);
  });

  describe.each([
    { timeZone: 'UTC', windowStartUtc: '2026-10-12 00:00:00.000' },
    // DST-aware calendar days: the first local day of the window is still CEST (UTC+2).
    { timeZone: 'Europe/Berlin', windowStartUtc: '2026-10-11 22:00:00.000' },
  ])('$timeZone', ({ timeZone, windowStartUtc }) => {
    const params = { as_of: clickHouseTime(asOfMs), tz: timeZone };
    const state = new Support(createLocalCalendar(timeZone));
    for (const event of arrivals) state.apply(event);
    const live = state.kpis(asOfMs);
    let rows: OracleRows | undefined;
    const oracleRows = (): OracleRows => {
      if (!rows) throw new Error('the oracle queries did not run');
      return rows;
    };

    beforeAll(async () => {
      rows = await queryOracle(opened(), params);
    }, 120_000);

    it('starts the 30-day window where the zone says', async () => {
      const [window] = await opened().query<{ start: string }>(
        `SELECT toString(toTimeZone(toDateTime64(
           toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}) - 29, 3, {tz:String}), 'UTC')) AS start`,
        params,
      );
      expect(window?.start).toBe(windowStartUtc);
    });

    it('has data for every KPI, so the comparison proves something', () => {
      const o = oracleRows();
      for (const window of ['today', '7d', '30d'] as const) {
        expect(o.windows[window].frt_count).toBeGreaterThan(5);
        expect(o.windows[window].resolved_count).toBeGreaterThan(2);
        expect(o.windows[window].escalation_responses).toBeGreaterThan(2);
        expect(o.windows[window].sla_attainment).toBeGreaterThan(0);
        expect(o.windows[window].sla_attainment).toBeLessThan(100);
        expect(o.surveys[window].csat_answers).toBeGreaterThan(2);
        expect(o.surveys[window].nps_answers).toBeGreaterThan(2);
        expect(o.surveys[window].ces_answers).toBeGreaterThan(2);
        // Every priority has first replies in every window (null attainment proves nothing).
        const attainment = o.attainment.filter((row) => row.window === window);
        expect(attainment.map((row) => row.priority).sort()).toEqual([...ticketPriorities].sort());
        for (const row of attainment) expect(row.first_replies).toBeGreaterThan(1);
      }
      expect(o.windows['30d'].frt_count).toBeGreaterThan(o.windows['7d'].frt_count);
      expect(o.windows['7d'].frt_count).toBeGreaterThan(o.windows.today.frt_count);
      expect(o.rolling.frt_count).toBeGreaterThan(2);
      expect(o.live.backlog_open).toBeGreaterThan(o.live.waiting);
      expect(o.live.waiting).toBeGreaterThan(2);
      expect(o.live.breaching).toBeGreaterThan(2);
      expect(o.live.about_to_breach).toBeGreaterThan(2);
      expect(o.live.escalations_awaiting_response).toBeGreaterThan(2);
      expect(o.liveByPriority.map((row) => row.priority).sort()).toEqual(
        [...ticketPriorities].sort(),
      );
      for (const row of o.liveByPriority) {
        expect(row.breaching).toBeGreaterThan(0);
        expect(row.about_to_breach).toBeGreaterThan(0);
      }
    });

    it('equals exact SQL over the raw events, every support KPI', () => {
      const oracle = oracleKpis(oracleRows());
      console.info(`oracle support ${timeZone}: ${arrivals.length} events`, JSON.stringify(oracle));
      expect(supportKpisSchema.parse(live)).toEqual(live);
      // One object comparison, so a failure shows every key that differs. Bit-exact: both sides
      // compute quantiles as quantileExactInclusive over integer milliseconds then / 1000, means
      // as sum / count / 1000 and percentages as part / whole × 100, in Float64, in that order.
      // toEqual compares numbers exactly (no tolerance).
      expect(live).toEqual(oracle);
    });
  });
});
