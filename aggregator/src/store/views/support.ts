import { ticketPriorities } from '@kpiwall/shared';
import { defaultSlaTargetsMs, slaAboutToBreachMs } from '../../kpi/sla.ts';

/**
 * ClickHouse views of the support KPIs (docs/clickhouse/support.md); part of migration 2.
 *
 * Fact views, one row per entity: `fact_tickets_as_of(as_of)` / `fact_tickets` (per ticket),
 * `fact_ticket_escalations_as_of(as_of)` / `fact_ticket_escalations` (per `ticket.escalated`),
 * `fact_survey_answers` (per `survey.answered`). The `_as_of` views take the instant as a
 * parameter; the plain ones are the same rows as of `now64(3)`, i.e. the wall's "now".
 *
 * KPI views, parameterized by `as_of` and `tz`, one row whose columns are the KPIS.md keys:
 * `kpi_frt`, `kpi_backlog`, `kpi_resolution`, `kpi_sla`, `kpi_escalations`, `kpi_surveys`.
 * The SQL is the oracle's (test/src/integration/oracle-support.test.ts), which equals
 * aggregator/src/kpi/support.ts to the bit: statistics over integer milliseconds divided by
 * 1000 last, means as sum / count / 1000, percentages as part / whole × 100.
 */

const asOf = `{as_of:DateTime64(3, 'UTC')}`;
const tz = `{tz:String}`;

// The first-reply targets of aggregator/src/kpi/sla.ts (KPIS.md defaults), in ms.
const slaTargetSql = `transform(priority, ['urgent', 'high', 'normal', 'low'], [${[
  defaultSlaTargetsMs.urgent,
  defaultSlaTargetsMs.high,
  defaultSlaTargetsMs.normal,
  defaultSlaTargetsMs.low,
].join(', ')}], 0)`;

/** `map('low', …, 'normal', …, 'high', …, 'urgent', …)`: all four priorities, always. */
const byPriority = (value: (priority: string) => string): string =>
  `map(\n${ticketPriorities.map((p) => `      '${p}', ${value(`'${p}'`)}`).join(',\n')}\n    )`;

/** Indents embedded SQL by `spaces`, so the stored view definitions stay readable. */
const indent = (sql: string, spaces = 4): string => sql.replaceAll('\n', `\n${' '.repeat(spaces)}`);

/**
 * One row per ticket as of `asOfSql`. A ticket is (account_id, ticket_id), known from its first
 * `ticket.created` received (ties in received_at by id, as the aggregator replays the table),
 * and exists when that creation is at or before as_of. Only events at or before as_of count.
 *
 * Inlined into every view that needs it rather than read from `fact_tickets_as_of(…)`: a
 * parameterized view named inside another view resolves in the *caller's* current database,
 * so `kpiwall.kpi_sla(…)` would fail from another one.
 */
const ticketsSelect = (asOfSql: string): string => `
WITH
  ticket_events AS (
    SELECT
      id,
      account_id,
      assumeNotNull(ticket_id) AS ticket_id,
      type,
      time,
      received_at,
      priority,
      channel,
      team,
      -- A reply is a public agent reply; bot messages, requester messages, internal notes are not.
      ifNull(type = 'ticket.replied' AND author = 'agent' AND public = true, false) AS is_reply,
      type IN ('ticket.solved', 'ticket.reopened') AS is_status,
      time <= ${asOfSql} AS counts
    FROM events
    WHERE type IN ('ticket.created', 'ticket.replied', 'ticket.escalated', 'ticket.solved',
                   'ticket.reopened')
      AND ticket_id IS NOT NULL
  ),
  tickets AS (
    SELECT
      account_id,
      ticket_id,
      countIf(type = 'ticket.created') AS creations,
      -- The first creation received is the ticket, whatever its time (a later one is ignored).
      argMinIf(time, (received_at, id), type = 'ticket.created') AS created_at,
      assumeNotNull(argMinIf(priority, (received_at, id), type = 'ticket.created')) AS priority,
      argMinIf(channel, (received_at, id), type = 'ticket.created') AS channel,
      argMinIf(team, (received_at, id), type = 'ticket.created') AS team,
      arraySort(groupArrayIf(time, is_reply AND counts)) AS reply_times,
      countIf(type = 'ticket.escalated' AND counts) AS escalations,
      countIf(type = 'ticket.reopened' AND counts) AS reopens,
      countIf(type = 'ticket.solved' AND counts) AS solves,
      maxIf(time, type = 'ticket.solved' AND counts) AS latest_solve,
      countIf(is_status AND counts) AS status_changes,
      -- The latest solve/reopen decides open or solved; ties in time go to the later arrival.
      argMaxIf((type = 'ticket.solved', time), (time, received_at, id), is_status AND counts)
        AS latest_status,
      -- Escalations with no reply strictly after them (yet).
      arrayCount(
        e -> NOT arrayExists(r -> r > e, reply_times),
        groupArrayIf(time, type = 'ticket.escalated' AND counts)
      ) AS unanswered_escalations
    FROM ticket_events
    GROUP BY account_id, ticket_id
    HAVING creations > 0 AND created_at <= ${asOfSql}
  ),
  facts AS (
    SELECT
      *,
      toUnixTimestamp64Milli(${asOfSql}) AS as_of_ms,
      toUnixTimestamp64Milli(created_at) AS created_ms,
      length(reply_times) > 0 AS replied,
      NOT (status_changes > 0 AND latest_status.1) AS open,
      created_ms + ${slaTargetSql} AS due_ms
    FROM tickets
  )
SELECT
  account_id,
  ticket_id,
  priority,
  channel,
  team,
  created_at,
  if(replied, reply_times[1], NULL) AS first_reply_at,
  if(replied, toUnixTimestamp64Milli(reply_times[1]) - created_ms, NULL) AS first_reply_ms,
  first_reply_ms / 1000 AS first_reply_seconds,
  toUInt32(length(reply_times)) AS reply_count,
  reply_times,
  toUInt32(intDiv(due_ms - created_ms, 1000)) AS sla_target_seconds,
  fromUnixTimestamp64Milli(due_ms, 'UTC') AS sla_due_at,
  -- A first reply exactly at the due instant is on time.
  if(replied, toBool(toUnixTimestamp64Milli(reply_times[1]) <= due_ms), NULL) AS replied_on_time,
  toBool(open) AS is_open,
  toBool(open AND NOT replied) AS is_waiting_first_reply,
  if(is_waiting_first_reply, (as_of_ms - created_ms) / 1000, NULL) AS waiting_seconds,
  -- Breaching once as_of is past due; about to breach while 0 <= due - as_of < 15 min.
  toBool(is_waiting_first_reply AND as_of_ms > due_ms) AS is_sla_breaching,
  toBool(is_waiting_first_reply AND due_ms - as_of_ms >= 0
    AND due_ms - as_of_ms < ${slaAboutToBreachMs}) AS is_sla_about_to_breach,
  toUInt32(reopens) AS reopen_count,
  if(solves > 0, latest_solve, NULL) AS last_solved_at,
  -- The final solve: set only while the ticket is solved (not reopened since).
  if(open, NULL, latest_status.2) AS solved_at,
  if(open, NULL, toUnixTimestamp64Milli(latest_status.2) - created_ms) AS resolution_ms,
  resolution_ms / 1000 AS resolution_seconds,
  toUInt32(escalations) AS escalation_count,
  -- Only an open ticket awaits a response (one solved without reply awaits nothing).
  toUInt32(if(open, unanswered_escalations, 0)) AS escalations_awaiting_response,
  toDateTime64(${asOfSql}, 3, 'UTC') AS as_of
FROM facts`;

const factTicketsAsOf = `
CREATE OR REPLACE VIEW fact_tickets_as_of AS${ticketsSelect(asOf)}`;

// The tickets as of now: what the wall shows at this moment.
const factTickets = `
CREATE OR REPLACE VIEW fact_tickets AS${ticketsSelect('now64(3)')}`;

/**
 * One row per `ticket.escalated` at or before as_of of a ticket that exists at as_of, with
 * the first reply strictly after it (at or before as_of).
 */
const escalationsSelect = (asOfSql: string): string => `
SELECT
  e.id AS event_id,
  e.account_id AS account_id,
  t.ticket_id AS ticket_id,
  t.priority AS priority,
  e.team AS team,
  e.time AS escalated_at,
  if(arrayExists(r -> r > e.time, t.reply_times), arrayFirst(r -> r > e.time, t.reply_times),
    NULL) AS response_at,
  toUnixTimestamp64Milli(response_at) - toUnixTimestamp64Milli(e.time) AS response_ms,
  response_ms / 1000 AS response_seconds,
  t.is_open AS is_ticket_open,
  -- Awaiting: no reply after it yet, and the ticket is open.
  toBool(response_at IS NULL AND t.is_open) AS is_awaiting_response,
  t.as_of AS as_of
FROM events AS e
INNER JOIN (${indent(ticketsSelect(asOfSql))}
) AS t ON t.account_id = e.account_id AND t.ticket_id = e.ticket_id
WHERE e.type = 'ticket.escalated' AND e.time <= ${asOfSql}`;

const factTicketEscalationsAsOf = `
CREATE OR REPLACE VIEW fact_ticket_escalations_as_of AS${escalationsSelect(asOf)}`;

const factTicketEscalations = `
CREATE OR REPLACE VIEW fact_ticket_escalations AS${escalationsSelect('now64(3)')}`;

// The per-ticket and per-escalation rows as of the `as_of` parameter, as CTEs of a KPI view.
const ticketsAsOfCte = `tickets_as_of AS (${indent(ticketsSelect(asOf))}
  )`;
const escalationsAsOfCte = `escalations_as_of AS (${indent(escalationsSelect(asOf))}
  )`;

const factSurveyAnswers = `
CREATE OR REPLACE VIEW fact_survey_answers AS
SELECT
  id AS event_id,
  account_id,
  user_id,
  ticket_id,
  assumeNotNull(kind) AS kind,
  assumeNotNull(score) AS score,
  time AS answered_at,
  received_at
FROM events
WHERE type = 'survey.answered'`;

/** Local calendar days from `column`'s day to as_of's day in tz: in the N-day window when < N. */
const daysAgo = (column: string): string =>
  `dateDiff('day', toDate(${column}, ${tz}), toDate(${asOf}, ${tz}))`;

const windows = [
  ['today', 1],
  ['7d', 7],
  ['30d', 30],
] as const;

const calendarWindows = windows.map(([window]) => window);
const frtWindows = [...calendarWindows, 'rolling_24h'];

/** `expression(window)` for each window (today, 7d and 30d by default), comma-separated. */
const perWindow = (
  expression: (window: string) => string,
  windowNames: readonly string[] = calendarWindows,
): string => windowNames.map(expression).join(',\n  ');

/**
 * The inner aggregates of a duration KPI over integer milliseconds `ms`, per window (rows
 * flagged `in_<window>`): `n_<window>`, `median_ms_<window>`, `p90_ms_<window>`, `sum_ms_<window>`.
 */
const durationStats = (
  ms: string,
  windowNames: readonly string[],
  quantiles: readonly ('median' | 'p90')[],
): string =>
  windowNames
    .flatMap((w) => [
      `countIf(in_${w}) AS n_${w}`,
      ...quantiles.map(
        (q) =>
          `quantileExactInclusiveIf(${q === 'median' ? '0.5' : '0.9'})(${ms}, in_${w}) AS ${q}_ms_${w}`,
      ),
      `sumIf(${ms}, in_${w}) AS sum_ms_${w}`,
    ])
    .join(',\n      ');

/** `in_today`, `in_7d`, `in_30d`: whether `column` (a time at or before as_of) is in the window. */
const inWindowColumns = (column: string): string =>
  windows.map(([window, days]) => `${daysAgo(column)} < ${days} AS in_${window}`).join(',\n      ');

/** FRT over tickets whose first reply is in the window (calendar, or the rolling 24 h). */
const kpiFrt = `
CREATE OR REPLACE VIEW kpi_frt AS
WITH
  ${ticketsAsOfCte},
  first_replies AS (
    SELECT
      assumeNotNull(first_reply_ms) AS frt_ms,
      ${inWindowColumns('assumeNotNull(first_reply_at)')},
      -- Rolling: first reply in (as_of - 24 h, as_of].
      toUnixTimestamp64Milli(first_reply_at) > toUnixTimestamp64Milli(${asOf}) - 86400000
        AS in_rolling_24h
    FROM tickets_as_of
    WHERE first_reply_at IS NOT NULL
  ),
  stats AS (
    SELECT
      ${durationStats('frt_ms', frtWindows, ['median', 'p90'])}
    FROM first_replies
  )
SELECT
  ${perWindow((w) => `if(n_${w} = 0, NULL, median_ms_${w} / 1000) AS frt_median_seconds_${w}`, frtWindows)},
  ${perWindow((w) => `if(n_${w} = 0, NULL, p90_ms_${w} / 1000) AS frt_p90_seconds_${w}`, frtWindows)},
  ${perWindow((w) => `if(n_${w} = 0, NULL, sum_ms_${w} / n_${w} / 1000) AS frt_mean_seconds_${w}`, frtWindows)},
  ${perWindow((w) => `toUInt32(n_${w}) AS frt_count_${w}`, frtWindows)}
FROM stats`;

/** Live at as_of: open tickets, and those of them with no reply yet. */
const kpiBacklog = `
CREATE OR REPLACE VIEW kpi_backlog AS
WITH
  ${ticketsAsOfCte}
SELECT
  toUInt32(countIf(is_open)) AS backlog_open,
  ${byPriority((p) => `toUInt32(countIf(is_open AND priority = ${p}))`)} AS backlog_open_by_priority,
  toUInt32(countIf(is_waiting_first_reply)) AS tickets_waiting_first_reply,
  ${byPriority((p) => `toUInt32(countIf(is_waiting_first_reply AND priority = ${p}))`)}
    AS tickets_waiting_first_reply_by_priority,
  -- as_of - creation of the oldest waiting ticket; NULL when none waits.
  max(waiting_seconds) AS oldest_waiting_seconds
FROM tickets_as_of`;

/** Final solve − creation over tickets solved at as_of whose final solve is in the window. */
const kpiResolution = `
CREATE OR REPLACE VIEW kpi_resolution AS
WITH
  ${ticketsAsOfCte},
  solved AS (
    SELECT
      assumeNotNull(resolution_ms) AS resolution_ms,
      ${inWindowColumns('assumeNotNull(solved_at)')}
    FROM tickets_as_of
    WHERE solved_at IS NOT NULL
  ),
  stats AS (
    SELECT
      ${durationStats('resolution_ms', calendarWindows, ['median', 'p90'])}
    FROM solved
  )
SELECT
  ${perWindow((w) => `if(n_${w} = 0, NULL, median_ms_${w} / 1000) AS resolution_median_seconds_${w}`)},
  ${perWindow((w) => `if(n_${w} = 0, NULL, p90_ms_${w} / 1000) AS resolution_p90_seconds_${w}`)},
  ${perWindow((w) => `if(n_${w} = 0, NULL, sum_ms_${w} / n_${w} / 1000) AS resolution_mean_seconds_${w}`)},
  ${perWindow((w) => `toUInt32(n_${w}) AS resolved_count_${w}`)}
FROM stats`;

/**
 * Live breaching / about to breach (open, no reply); attainment over the first replies in the
 * window (the tickets of `frt_count_*`): on time / all × 100, NULL when there are none.
 */
const attainment = (window: string, priority?: string): string => {
  const of = `in_${window}${priority === undefined ? '' : ` AND priority = ${priority}`}`;
  return `if(countIf(${of}) = 0, NULL, countIf(${of} AND on_time) / countIf(${of}) * 100)`;
};

const kpiSla = `
CREATE OR REPLACE VIEW kpi_sla AS
WITH
  ${ticketsAsOfCte},
  sla_tickets AS (
    SELECT
      priority,
      is_sla_breaching,
      is_sla_about_to_breach,
      ifNull(replied_on_time, false) AS on_time,
      -- false for tickets without a first reply: attainment counts first replies only.
      ${windows
        .map(
          ([w, days]) =>
            `first_reply_at IS NOT NULL AND ifNull(${daysAgo('first_reply_at')} < ${days}, false) AS in_${w}`,
        )
        .join(',\n      ')}
    FROM tickets_as_of
  )
SELECT
  toUInt32(countIf(is_sla_breaching)) AS sla_breaching,
  ${byPriority((p) => `toUInt32(countIf(is_sla_breaching AND priority = ${p}))`)} AS sla_breaching_by_priority,
  toUInt32(countIf(is_sla_about_to_breach)) AS sla_about_to_breach,
  ${byPriority((p) => `toUInt32(countIf(is_sla_about_to_breach AND priority = ${p}))`)}
    AS sla_about_to_breach_by_priority,
  ${perWindow((w) => `${attainment(w)} AS sla_attainment_percent_${w}`)},
  ${perWindow((w) => `${byPriority((p) => attainment(w, p))} AS sla_attainment_percent_by_priority_${w}`)}
FROM sla_tickets`;

/** Per escalation: time to the first reply strictly after it, in the window of that reply. */
const kpiEscalations = `
CREATE OR REPLACE VIEW kpi_escalations AS
WITH
  ${escalationsAsOfCte},
  escalations AS (
    SELECT
      is_awaiting_response,
      ifNull(response_ms, 0) AS response_ms,
      ${windows
        .map(
          ([w, days]) =>
            `response_at IS NOT NULL AND ifNull(${daysAgo('response_at')} < ${days}, false) AS in_${w}`,
        )
        .join(',\n      ')}
    FROM escalations_as_of
  ),
  stats AS (
    SELECT
      ${durationStats('response_ms', calendarWindows, ['median'])},
      countIf(is_awaiting_response) AS awaiting
    FROM escalations
  )
SELECT
  ${perWindow((w) => `if(n_${w} = 0, NULL, median_ms_${w} / 1000) AS escalation_response_median_seconds_${w}`)},
  ${perWindow((w) => `if(n_${w} = 0, NULL, sum_ms_${w} / n_${w} / 1000) AS escalation_response_mean_seconds_${w}`)},
  -- Escalations of open tickets with no reply after them yet.
  toUInt32(awaiting) AS escalations_awaiting_response
FROM stats`;

/**
 * Survey answers at or before as_of in the window, every answer counting: CSAT 4–5 / all × 100;
 * NPS % promoters (9–10) − % detractors (0–6), each percentage on its own; CES mean.
 */
const kpiSurveys = `
CREATE OR REPLACE VIEW kpi_surveys AS
WITH
  answers AS (
    SELECT kind, score, ${inWindowColumns('answered_at')}
    FROM fact_survey_answers
    WHERE answered_at <= ${asOf}
  ),
  stats AS (
    SELECT
      ${windows
        .map(
          ([w]) => `countIf(kind = 'csat' AND in_${w}) AS csat_n_${w},
      countIf(kind = 'csat' AND in_${w} AND score >= 4) AS csat_satisfied_${w},
      countIf(kind = 'nps' AND in_${w}) AS nps_n_${w},
      countIf(kind = 'nps' AND in_${w} AND score >= 9) AS nps_promoters_${w},
      countIf(kind = 'nps' AND in_${w} AND score <= 6) AS nps_detractors_${w},
      countIf(kind = 'ces' AND in_${w}) AS ces_n_${w},
      sumIf(score, kind = 'ces' AND in_${w}) AS ces_sum_${w}`,
        )
        .join(',\n      ')}
    FROM answers
  )
SELECT
  ${perWindow((w) => `if(csat_n_${w} = 0, NULL, csat_satisfied_${w} / csat_n_${w} * 100) AS csat_percent_${w}`)},
  ${perWindow(
    (w) => `if(nps_n_${w} = 0, NULL,
    nps_promoters_${w} / nps_n_${w} * 100 - nps_detractors_${w} / nps_n_${w} * 100) AS nps_${w}`,
  )},
  ${perWindow((w) => `if(ces_n_${w} = 0, NULL, ces_sum_${w} / ces_n_${w}) AS ces_mean_${w}`)}
FROM stats`;

export const supportViews: readonly string[] = [
  factTicketsAsOf,
  factTickets,
  factTicketEscalationsAsOf,
  factTicketEscalations,
  factSurveyAnswers,
  kpiFrt,
  kpiBacklog,
  kpiResolution,
  kpiSla,
  kpiEscalations,
  kpiSurveys,
];
