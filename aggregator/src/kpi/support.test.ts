// Unit tests for the support KPIs, written from KPIS.md ("Time", "Support") and DESIGN.md
// ("Event contract": events arrive in any order and days late, KPIs follow event time). Every
// expected number is worked out by hand in the comment next to it.
import { describe, expect, it } from 'vitest';
import {
  kpiEventSchema,
  type EventType,
  type KpiEvent,
  type KpiEventOf,
  type TicketPriority,
} from '@kpiwall/shared';
import { supportKpisSchema, type SupportKpis } from '@kpiwall/shared';
import { createLocalCalendar } from './local-calendar.ts';
import { Support } from './support.ts';

// ---------------------------------------------------------------------------------------------
// Builders: every event goes through the contract's schema, so it is a valid KpiEvent.
// ---------------------------------------------------------------------------------------------

type Envelope = 'id' | 'type' | 'time' | 'account_id' | 'user_id' | 'received_at' | 'properties';
type Body<T extends EventType> = Omit<KpiEventOf<T>, Envelope>;

let nextId = 0;
const makeEvent = <T extends EventType>(
  type: T,
  time: number,
  body: Body<T>,
  account = 'acme',
): KpiEventOf<T> => {
  nextId++;
  return kpiEventSchema.parse({
    id: `evt-${nextId}`,
    type,
    time,
    account_id: account,
    user_id: null,
    received_at: time,
    properties: {},
    ...body,
  }) as KpiEventOf<T>;
};

const at = (iso: string): number => Date.parse(iso);
/** An interpolated quantile: h = level·(n − 1) + 1 is not exact in binary, so 1e-9 is close enough. */
const near = (value: number): unknown => expect.closeTo(value, 9);
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const created = (
  ticket: string,
  iso: string,
  priority: TicketPriority = 'normal',
  account = 'acme',
): KpiEvent =>
  makeEvent('ticket.created', at(iso), { ticket_id: ticket, priority, channel: 'email' }, account);

type Author = 'agent' | 'requester' | 'bot';
const replied = (
  ticket: string,
  iso: string,
  options: { author?: Author; public?: boolean; account?: string } = {},
): KpiEvent =>
  makeEvent(
    'ticket.replied',
    at(iso),
    { ticket_id: ticket, author: options.author ?? 'agent', public: options.public ?? true },
    options.account,
  );

const escalated = (ticket: string, iso: string): KpiEvent =>
  makeEvent('ticket.escalated', at(iso), { ticket_id: ticket });
const solved = (ticket: string, iso: string): KpiEvent =>
  makeEvent('ticket.solved', at(iso), { ticket_id: ticket });
const reopened = (ticket: string, iso: string): KpiEvent =>
  makeEvent('ticket.reopened', at(iso), { ticket_id: ticket });

const survey = (
  kind: 'csat' | 'nps' | 'ces',
  score: number,
  iso: string,
  ticket?: string,
): KpiEvent =>
  makeEvent(
    'survey.answered',
    at(iso),
    ticket === undefined ? { kind, score } : { kind, score, ticket_id: ticket },
  );

/**
 * as_of used unless told: Friday 2026-11-20 18:00 UTC. Windows in UTC:
 *   _today       = [2026-11-20T00:00Z, as_of]
 *   _7d          = [2026-11-14T00:00Z, as_of]   (20 − 6 = 14)
 *   _30d         = [2026-10-22T00:00Z, as_of]   (Nov 20 − 29 days)
 *   _rolling_24h = (2026-11-19T18:00Z, as_of]
 */
const AS_OF = at('2026-11-20T18:00:00Z');

const stateWith = (events: readonly KpiEvent[], timeZone = 'UTC'): Support => {
  const state = new Support(createLocalCalendar(timeZone));
  for (const event of events) state.apply(event);
  return state;
};

/** The KPIs as of `asOf`, checked against the shared schema on the way. */
const kpisOf = (state: Support, asOf = AS_OF): SupportKpis =>
  supportKpisSchema.parse(state.kpis(asOf));

const byPriority = <T>(
  values: Partial<Record<TicketPriority, T>>,
  empty: T,
): Record<TicketPriority, T> => ({
  low: values.low ?? empty,
  normal: values.normal ?? empty,
  high: values.high ?? empty,
  urgent: values.urgent ?? empty,
});
const counts = (values: Partial<Record<TicketPriority, number>> = {}) => byPriority(values, 0);
const percents = (values: Partial<Record<TicketPriority, number | null>> = {}) =>
  byPriority<number | null>(values, null);

const emptyKpis: SupportKpis = {
  frt_median_seconds_today: null,
  frt_median_seconds_7d: null,
  frt_median_seconds_30d: null,
  frt_median_seconds_rolling_24h: null,
  frt_p90_seconds_today: null,
  frt_p90_seconds_7d: null,
  frt_p90_seconds_30d: null,
  frt_p90_seconds_rolling_24h: null,
  frt_mean_seconds_today: null,
  frt_mean_seconds_7d: null,
  frt_mean_seconds_30d: null,
  frt_mean_seconds_rolling_24h: null,
  frt_count_today: 0,
  frt_count_7d: 0,
  frt_count_30d: 0,
  frt_count_rolling_24h: 0,
  tickets_waiting_first_reply: 0,
  tickets_waiting_first_reply_by_priority: counts(),
  oldest_waiting_seconds: null,
  resolution_median_seconds_today: null,
  resolution_median_seconds_7d: null,
  resolution_median_seconds_30d: null,
  resolution_p90_seconds_today: null,
  resolution_p90_seconds_7d: null,
  resolution_p90_seconds_30d: null,
  resolution_mean_seconds_today: null,
  resolution_mean_seconds_7d: null,
  resolution_mean_seconds_30d: null,
  resolved_count_today: 0,
  resolved_count_7d: 0,
  resolved_count_30d: 0,
  backlog_open: 0,
  backlog_open_by_priority: counts(),
  sla_breaching: 0,
  sla_breaching_by_priority: counts(),
  sla_about_to_breach: 0,
  sla_about_to_breach_by_priority: counts(),
  sla_attainment_percent_today: null,
  sla_attainment_percent_7d: null,
  sla_attainment_percent_30d: null,
  sla_attainment_percent_by_priority_today: percents(),
  sla_attainment_percent_by_priority_7d: percents(),
  sla_attainment_percent_by_priority_30d: percents(),
  escalation_response_median_seconds_today: null,
  escalation_response_median_seconds_7d: null,
  escalation_response_median_seconds_30d: null,
  escalation_response_mean_seconds_today: null,
  escalation_response_mean_seconds_7d: null,
  escalation_response_mean_seconds_30d: null,
  escalations_awaiting_response: 0,
  csat_percent_today: null,
  csat_percent_7d: null,
  csat_percent_30d: null,
  nps_today: null,
  nps_7d: null,
  nps_30d: null,
  ces_mean_today: null,
  ces_mean_7d: null,
  ces_mean_30d: null,
};

/** The FRT keys of one window. */
const frtOf = (k: SupportKpis, window: 'today' | '7d' | '30d' | 'rolling_24h') => ({
  median: k[`frt_median_seconds_${window}`],
  p90: k[`frt_p90_seconds_${window}`],
  mean: k[`frt_mean_seconds_${window}`],
  count: k[`frt_count_${window}`],
});

/** The resolution keys of one window. */
const resolutionOf = (k: SupportKpis, window: 'today' | '7d' | '30d') => ({
  median: k[`resolution_median_seconds_${window}`],
  p90: k[`resolution_p90_seconds_${window}`],
  mean: k[`resolution_mean_seconds_${window}`],
  count: k[`resolved_count_${window}`],
});

// ---------------------------------------------------------------------------------------------

describe('support KPIs with no events', () => {
  it('reports every key: zero counts, four-priority records and null for the rest', () => {
    expect(kpisOf(stateWith([]))).toEqual(emptyKpis);
  });

  it('ignores events that are not about tickets or surveys', () => {
    const state = stateWith([
      makeEvent('page.viewed', AS_OF - HOUR, { session_id: 's', path: '/' }),
      makeEvent('subscription.cancelled', AS_OF - HOUR, { mrr_cents_lost: 100 }),
    ]);
    expect(kpisOf(state)).toEqual(emptyKpis);
  });
});

describe('what counts as a reply', () => {
  // Normal ticket created 17:00, one message at 17:10 (as_of 18:00). Only an agent's public
  // message is a reply: FRT 600 s in every window, nothing waits, SLA met (600 s ≤ 8 h).
  // Otherwise the ticket waits (3600 s) with no FRT and no attainment.
  it.each([
    { author: 'agent', isPublic: true, reply: true },
    { author: 'agent', isPublic: false, reply: false },
    { author: 'bot', isPublic: true, reply: false },
    { author: 'bot', isPublic: false, reply: false },
    { author: 'requester', isPublic: true, reply: false },
    { author: 'requester', isPublic: false, reply: false },
  ] as const)('author $author, public $isPublic → reply: $reply', ({ author, isPublic, reply }) => {
    const k = kpisOf(
      stateWith([
        created('T-1', '2026-11-20T17:00:00Z'),
        replied('T-1', '2026-11-20T17:10:00Z', { author, public: isPublic }),
      ]),
    );
    expect({
      frt: frtOf(k, 'rolling_24h'),
      waiting: k.tickets_waiting_first_reply,
      oldest: k.oldest_waiting_seconds,
      attainment: k.sla_attainment_percent_today,
    }).toEqual(
      reply
        ? {
            frt: { median: 600, p90: 600, mean: 600, count: 1 },
            waiting: 0,
            oldest: null,
            attainment: 100,
          }
        : {
            frt: { median: null, p90: null, mean: null, count: 0 },
            waiting: 1,
            oldest: 3600,
            attainment: null,
          },
    );
  });

  it('ignores bot replies, requester messages and internal notes before the first public reply', () => {
    // Urgent, created 17:00; bot 17:01, requester 17:02, internal note 17:05, agent public 17:20.
    // FRT = 20 min = 1200 s. Had the bot (17:01) counted, the FRT would be 60 s.
    // Urgent target 1 h: on time → attainment 100 % overall and for urgent, null elsewhere.
    const k = kpisOf(
      stateWith([
        created('T-1', '2026-11-20T17:00:00Z', 'urgent'),
        replied('T-1', '2026-11-20T17:01:00Z', { author: 'bot' }),
        replied('T-1', '2026-11-20T17:02:00Z', { author: 'requester' }),
        replied('T-1', '2026-11-20T17:05:00Z', { public: false }),
        replied('T-1', '2026-11-20T17:20:00Z'),
      ]),
    );
    expect(frtOf(k, 'today')).toEqual({ median: 1200, p90: 1200, mean: 1200, count: 1 });
    expect(k.sla_attainment_percent_today).toBe(100);
    expect(k.sla_attainment_percent_by_priority_today).toEqual(percents({ urgent: 100 }));
    expect(k.tickets_waiting_first_reply).toBe(0);
  });

  it('keeps an unreplied ticket waiting and breaching when only bots and notes answered', () => {
    // Urgent, created 16:00 (due 17:00); bot 16:01 and internal note 16:30 only. At 18:00:
    // waiting 7200 s and breaching.
    const k = kpisOf(
      stateWith([
        created('T-1', '2026-11-20T16:00:00Z', 'urgent'),
        replied('T-1', '2026-11-20T16:01:00Z', { author: 'bot' }),
        replied('T-1', '2026-11-20T16:30:00Z', { public: false }),
      ]),
    );
    expect(k).toMatchObject({
      tickets_waiting_first_reply: 1,
      oldest_waiting_seconds: 7200,
      sla_breaching: 1,
      sla_breaching_by_priority: counts({ urgent: 1 }),
      frt_count_30d: 0,
    });
  });
});

describe('first reply time windows', () => {
  // First replies (each ticket: created → first reply = FRT), as_of 2026-11-20T18:00Z, UTC:
  //   A 11-20 17:00 → 11-20 17:01            60 s        today, 7d, 30d, rolling
  //   B 11-19 20:00 → 11-19 20:30          1800 s        7d, 30d, rolling (after 11-19 18:00)
  //   C 11-19 16:00 → 11-19 18:00:00.000   7200 s        7d, 30d; not rolling (= as_of − 24 h)
  //   D 11-14 00:00 → 11-14 01:00          3600 s        7d (starts 11-14 00:00), 30d
  //   E 11-13 22:00 → 11-13 23:59:59.999   7199.999 s    30d only
  //   F 10-22 10:00 → 10-22 10:10           600 s        30d (starts 10-22 00:00)
  //   G 10-21 10:00 → 10-21 23:00                        before every window
  //   H 11-20 17:30 → 11-20 18:00:00.001                 after as_of: no FRT, still waiting
  // Quantiles (h = level·(n − 1) + 1, interpolate between ranks h⌋ and h⌋ + 1):
  //   today  [60]: all 60; count 1
  //   rolling [60, 1800]: median h 1.5 → 930; p90 h 1.9 → 60 + 0.9·1740 = 1626; mean 930
  //   7d [60, 1800, 3600, 7200]: median h 2.5 → 2700; p90 h 3.7 → 3600 + 0.7·3600 = 6120;
  //      mean 12 660 / 4 = 3165
  //   30d [60, 600, 1800, 3600, 7199.999, 7200]: median h 3.5 → 2700;
  //      p90 h 5.5 → 7199.999 + 0.5·0.001 = 7199.9995; mean 20 459.999 / 6 = 3409.9998333…
  const events = [
    created('A', '2026-11-20T17:00:00Z'),
    replied('A', '2026-11-20T17:01:00Z'),
    created('B', '2026-11-19T20:00:00Z'),
    replied('B', '2026-11-19T20:30:00Z'),
    created('C', '2026-11-19T16:00:00Z'),
    replied('C', '2026-11-19T18:00:00.000Z'),
    created('D', '2026-11-14T00:00:00Z'),
    replied('D', '2026-11-14T01:00:00Z'),
    created('E', '2026-11-13T22:00:00Z'),
    replied('E', '2026-11-13T23:59:59.999Z'),
    created('F', '2026-10-22T10:00:00Z'),
    replied('F', '2026-10-22T10:10:00Z'),
    created('G', '2026-10-21T10:00:00Z'),
    replied('G', '2026-10-21T23:00:00Z'),
    created('H', '2026-11-20T17:30:00Z'),
    replied('H', '2026-11-20T18:00:00.001Z'),
  ];

  it.each([
    { window: 'today', expected: { median: 60, p90: 60, mean: 60, count: 1 } },
    { window: 'rolling_24h', expected: { median: 930, p90: near(1626), mean: 930, count: 2 } },
    { window: '7d', expected: { median: 2700, p90: near(6120), mean: 3165, count: 4 } },
  ] as const)('$window', ({ window, expected }) => {
    expect(frtOf(kpisOf(stateWith(events)), window)).toEqual(expected);
  });

  it('30d', () => {
    const frt = frtOf(kpisOf(stateWith(events)), '30d');
    expect(frt).toMatchObject({ median: 2700, count: 6 });
    expect(frt.p90).toBeCloseTo(7199.9995, 9);
    expect(frt.mean).toBeCloseTo(3409.9998333333, 9);
  });

  it('leaves the ticket answered after as_of waiting', () => {
    // H waits since 17:30: 1800 s.
    expect(kpisOf(stateWith(events))).toMatchObject({
      tickets_waiting_first_reply: 1,
      oldest_waiting_seconds: 1800,
    });
  });

  it('counts a ticket once, in the window of its first reply, whatever later replies it gets', () => {
    // Created 11-19 09:00, first reply 11-19 23:59:59.999, another 11-20 09:00: no FRT today;
    // 7d: 14 h 59 min 59.999 s = 53 999.999 s.
    const k = kpisOf(
      stateWith([
        created('T-1', '2026-11-19T09:00:00Z'),
        replied('T-1', '2026-11-20T09:00:00Z'),
        replied('T-1', '2026-11-19T23:59:59.999Z'),
      ]),
    );
    expect(frtOf(k, 'today').count).toBe(0);
    expect(frtOf(k, '7d')).toEqual({
      median: 53_999.999,
      p90: 53_999.999,
      mean: 53_999.999,
      count: 1,
    });
  });
});

describe('replies at midnight in Europe/Berlin', () => {
  // as_of 2026-11-20T10:00Z = 11:00 in Berlin (CET, UTC+1). Berlin's "today" starts at
  // 2026-11-19T23:00Z; UTC's at 2026-11-20T00:00Z.
  //   P created 11-19 22:00Z, replied 11-19 23:00:00.000Z (Berlin 00:00:00.000 on the 20th) → 3600 s
  //   Q created 11-19 22:30Z, replied 11-19 22:59:59.999Z (Berlin 23:59:59.999 on the 19th) → 1799.999 s
  //   R created 11-19 23:30Z, replied 11-20 00:00:00.000Z (midnight UTC, Berlin 01:00)     → 1800 s
  // Berlin today: P, R → [1800, 3600]: median 2700, mean 2700, count 2.
  // UTC today: R only → 1800, count 1. Both days are in the 7d window of either zone: 3 each.
  const events = [
    created('P', '2026-11-19T22:00:00Z'),
    replied('P', '2026-11-19T23:00:00.000Z'),
    created('Q', '2026-11-19T22:30:00Z'),
    replied('Q', '2026-11-19T22:59:59.999Z'),
    created('R', '2026-11-19T23:30:00Z'),
    replied('R', '2026-11-20T00:00:00.000Z'),
  ];
  const asOf = at('2026-11-20T10:00:00Z');

  it.each([
    { timeZone: 'Europe/Berlin', today: { median: 2700, mean: 2700, count: 2 }, week: 3 },
    { timeZone: 'UTC', today: { median: 1800, mean: 1800, count: 1 }, week: 3 },
  ])('$timeZone', ({ timeZone, today, week }) => {
    const k = kpisOf(stateWith(events, timeZone), asOf);
    expect(frtOf(k, 'today')).toMatchObject(today);
    expect(frtOf(k, '7d').count).toBe(week);
    // The rolling window does not depend on the zone: all three replies are within 24 h.
    expect(frtOf(k, 'rolling_24h').count).toBe(3);
  });

  it('starts the Berlin 30-day window at 22:00Z when it crosses the October DST change', () => {
    // as_of 2026-11-10T10:17:23.456Z (Berlin CET). 30d = from local 2026-10-12 00:00 CEST =
    // 2026-10-11T22:00Z in Berlin, from 2026-10-12T00:00Z in UTC. A reply at 2026-10-11T22:00Z
    // (created 21:00Z, FRT 3600 s) is in Berlin's window only; one at 21:59:59.999Z in neither.
    const events30 = [
      created('X', '2026-10-11T21:00:00Z'),
      replied('X', '2026-10-11T22:00:00.000Z'),
      created('Y', '2026-10-11T21:00:00Z'),
      replied('Y', '2026-10-11T21:59:59.999Z'),
    ];
    const asOf30 = at('2026-11-10T10:17:23.456Z');
    expect(kpisOf(stateWith(events30, 'Europe/Berlin'), asOf30).frt_count_30d).toBe(1);
    expect(kpisOf(stateWith(events30, 'UTC'), asOf30).frt_count_30d).toBe(0);
  });

  it('counts a survey answered at Berlin midnight in the new day', () => {
    // CSAT 5 at 11-19 23:00Z (Berlin 00:00 on the 20th), CSAT 1 at 11-19 22:59:59.999Z.
    // Berlin today: [5] → 100 %; UTC today (from 11-20 00:00Z): none → null.
    const events2 = [
      survey('csat', 5, '2026-11-19T23:00:00.000Z'),
      survey('csat', 1, '2026-11-19T22:59:59.999Z'),
    ];
    expect(kpisOf(stateWith(events2, 'Europe/Berlin'), asOf).csat_percent_today).toBe(100);
    expect(kpisOf(stateWith(events2, 'UTC'), asOf).csat_percent_today).toBeNull();
    // 7d holds both: 1 of 2 → 50 % in either zone.
    expect(kpisOf(stateWith(events2, 'UTC'), asOf).csat_percent_7d).toBe(50);
  });
});

describe('resolution and reopened tickets', () => {
  // Tickets (UTC), as_of 2026-11-20T18:00Z:
  //   T1 created 11-20 08:00, solved 10:00                                         → 7200 s
  //   T2 created 11-19 08:00, solved 11-19 09:00, reopened 11-20 09:00,
  //      solved 11-20 12:00: the FINAL solve counts                               → 100 800 s (28 h)
  //   T3 created 11-20 07:00, solved 08:00, reopened 09:00, not solved again      → not resolved
  //   T4 created 11-15 00:00, solved 11-16 00:00                                   → 86 400 s (7d)
  //   T5 created 11-20 13:00, solved 19:00 (after as_of)                           → not resolved
  //   T6 created 11-20 11:00; solved 13:00, reopened 14:00, solved 15:00; arriving
  //      solve 15:00, reopen 14:00, creation, solve 13:00                         → 14 400 s
  // today [7200, 14 400, 100 800]: median 14 400; p90 h 2.8 → 14 400 + 0.8·86 400 = 83 520;
  //   mean 122 400 / 3 = 40 800.
  // 7d = 30d [7200, 14 400, 86 400, 100 800]: median h 2.5 → 14 400 + 0.5·72 000 = 50 400;
  //   p90 h 3.7 → 86 400 + 0.7·14 400 = 96 480; mean 208 800 / 4 = 52 200.
  const events = [
    created('T1', '2026-11-20T08:00:00Z'),
    solved('T1', '2026-11-20T10:00:00Z'),
    created('T2', '2026-11-19T08:00:00Z'),
    solved('T2', '2026-11-19T09:00:00Z'),
    reopened('T2', '2026-11-20T09:00:00Z'),
    solved('T2', '2026-11-20T12:00:00Z'),
    created('T3', '2026-11-20T07:00:00Z'),
    solved('T3', '2026-11-20T08:00:00Z'),
    reopened('T3', '2026-11-20T09:00:00Z'),
    created('T4', '2026-11-15T00:00:00Z'),
    solved('T4', '2026-11-16T00:00:00Z'),
    created('T5', '2026-11-20T13:00:00Z'),
    solved('T5', '2026-11-20T19:00:00Z'),
    solved('T6', '2026-11-20T15:00:00Z'),
    reopened('T6', '2026-11-20T14:00:00Z'),
    created('T6', '2026-11-20T11:00:00Z'),
    solved('T6', '2026-11-20T13:00:00Z'),
  ];

  it('uses the final solve, over tickets solved at as_of', () => {
    const k = kpisOf(stateWith(events));
    expect(resolutionOf(k, 'today')).toEqual({
      median: 14_400,
      p90: near(83_520),
      mean: 40_800,
      count: 3,
    });
    expect(resolutionOf(k, '7d')).toEqual({
      median: 50_400,
      p90: near(96_480),
      mean: 52_200,
      count: 4,
    });
    expect(resolutionOf(k, '30d')).toEqual(resolutionOf(k, '7d'));
    // Open: T3 (reopened) and T5 (solved only after as_of).
    expect(k.backlog_open).toBe(2);
  });

  it('reads each ticket as of an earlier as_of', () => {
    // as_of 11-20 08:30: T1 not solved yet; T2 solved (11-19 09:00, 3600 s, not today);
    // T3 solved at 08:00 (3600 s, today; its reopen at 09:00 is later); T4 86 400 s; T5, T6
    // not created. today [3600]; 7d [3600, 3600, 86 400]: median 3600, mean 93 600 / 3 = 31 200,
    // p90 h 2.8 → 3600 + 0.8·82 800 = 69 840.
    const k = kpisOf(stateWith(events), at('2026-11-20T08:30:00Z'));
    expect(resolutionOf(k, 'today')).toEqual({ median: 3600, p90: 3600, mean: 3600, count: 1 });
    expect(resolutionOf(k, '7d')).toEqual({
      median: 3600,
      p90: near(69_840),
      mean: 31_200,
      count: 3,
    });
    // as_of 10:30: T2 and T3 are reopened (open), T1 solved: today [7200].
    const later = kpisOf(stateWith(events), at('2026-11-20T10:30:00Z'));
    expect(resolutionOf(later, 'today')).toEqual({ median: 7200, p90: 7200, mean: 7200, count: 1 });
    expect(later.backlog_open).toBe(2);
  });

  it('breaks a solve/reopen tie at one instant by arrival: the later one decides', () => {
    // Created 10:00; solve and reopen both at 12:00. Reopen received last → open, unresolved;
    // solve received last → resolved, 7200 s.
    const c = created('T-1', '2026-11-20T10:00:00Z');
    const open = kpisOf(
      stateWith([
        c,
        solved('T-1', '2026-11-20T12:00:00Z'),
        reopened('T-1', '2026-11-20T12:00:00Z'),
      ]),
    );
    expect({ backlog: open.backlog_open, resolved: open.resolved_count_today }).toEqual({
      backlog: 1,
      resolved: 0,
    });
    const closed = kpisOf(
      stateWith([
        c,
        reopened('T-1', '2026-11-20T12:00:00Z'),
        solved('T-1', '2026-11-20T12:00:00Z'),
      ]),
    );
    expect(resolutionOf(closed, 'today')).toEqual({
      median: 7200,
      p90: 7200,
      mean: 7200,
      count: 1,
    });
  });

  it('does not resolve a ticket whose creation has not arrived, until it does', () => {
    const state = stateWith([solved('T-9', '2026-11-20T12:00:00Z')]);
    expect(kpisOf(state).resolved_count_today).toBe(0);
    // The creation arrives late (11:00): resolved in 3600 s.
    state.apply(created('T-9', '2026-11-20T11:00:00Z'));
    expect(resolutionOf(kpisOf(state), 'today')).toMatchObject({ median: 3600, count: 1 });
  });
});

describe('backlog and waiting by priority', () => {
  it('counts open tickets and unreplied open tickets per priority at creation', () => {
    // Open: U1 urgent (unreplied, 17:30), U2 urgent (replied), H1 high (unreplied, 12:00),
    // L1 low (unreplied, 11-19 18:00, reopened after a solve). Closed: N1 normal (solved).
    // Other account's ticket "U1" is another ticket: normal, unreplied, 17:00.
    // backlog 5 = urgent 2, high 1, low 1, normal 1; waiting 4 = urgent 1, high 1, low 1, normal 1;
    // oldest waiting L1: 24 h = 86 400 s.
    const k = kpisOf(
      stateWith([
        created('U1', '2026-11-20T17:30:00Z', 'urgent'),
        created('U2', '2026-11-20T17:00:00Z', 'urgent'),
        replied('U2', '2026-11-20T17:05:00Z'),
        created('H1', '2026-11-20T12:00:00Z', 'high'),
        created('L1', '2026-11-19T18:00:00Z', 'low'),
        solved('L1', '2026-11-19T19:00:00Z'),
        reopened('L1', '2026-11-20T09:00:00Z'),
        created('N1', '2026-11-20T10:00:00Z', 'normal'),
        solved('N1', '2026-11-20T11:00:00Z'),
        created('U1', '2026-11-20T17:00:00Z', 'normal', 'globex'),
      ]),
    );
    expect(k).toMatchObject({
      backlog_open: 5,
      backlog_open_by_priority: counts({ urgent: 2, high: 1, low: 1, normal: 1 }),
      tickets_waiting_first_reply: 4,
      tickets_waiting_first_reply_by_priority: counts({ urgent: 1, high: 1, low: 1, normal: 1 }),
      oldest_waiting_seconds: 86_400,
    });
  });

  it('keeps the priority of the first creation received', () => {
    // Two creations of T-1: "high" received first, then "low". High stays (4 h target).
    const k = kpisOf(
      stateWith([
        created('T-1', '2026-11-20T12:00:00Z', 'high'),
        created('T-1', '2026-11-20T11:00:00Z', 'low'),
      ]),
    );
    expect(k.backlog_open_by_priority).toEqual(counts({ high: 1 }));
    // Created 12:00 + 4 h = 16:00 < 18:00 → breaching.
    expect(k.sla_breaching_by_priority).toEqual(counts({ high: 1 }));
  });
});

describe('SLA breaching and about to breach', () => {
  // One urgent ticket created 17:00 (target 1 h → due 18:00), no reply, read at several as_of.
  it.each([
    { asOf: '2026-11-20T17:44:59.999Z', note: '15 min 0.001 s left', breaching: 0, about: 0 },
    { asOf: '2026-11-20T17:45:00.000Z', note: 'exactly 15 min left', breaching: 0, about: 0 },
    { asOf: '2026-11-20T17:45:00.001Z', note: '14 min 59.999 s left', breaching: 0, about: 1 },
    { asOf: '2026-11-20T17:59:59.999Z', note: '1 ms left', breaching: 0, about: 1 },
    { asOf: '2026-11-20T18:00:00.000Z', note: 'exactly at the target', breaching: 0, about: 1 },
    { asOf: '2026-11-20T18:00:00.001Z', note: '1 ms past the target', breaching: 1, about: 0 },
    { asOf: '2026-11-23T18:00:00.000Z', note: 'days past', breaching: 1, about: 0 },
  ])('$note → breaching $breaching, about to breach $about', ({ asOf, breaching, about }) => {
    const k = kpisOf(stateWith([created('T-1', '2026-11-20T17:00:00Z', 'urgent')]), at(asOf));
    expect(k).toMatchObject({
      sla_breaching: breaching,
      sla_breaching_by_priority: counts({ urgent: breaching }),
      sla_about_to_breach: about,
      sla_about_to_breach_by_priority: counts({ urgent: about }),
    });
  });

  // Each priority's target (urgent 1 h, high 4 h, normal 8 h, low 24 h): a ticket created
  // exactly one target before as_of is due at as_of (about to breach), one created 1 ms earlier
  // is breaching, one created 15 min later than the first has 15 min left (neither).
  it.each([
    { priority: 'urgent', targetMs: 1 * HOUR },
    { priority: 'high', targetMs: 4 * HOUR },
    { priority: 'normal', targetMs: 8 * HOUR },
    { priority: 'low', targetMs: 24 * HOUR },
  ] as const)('$priority target', ({ priority, targetMs }) => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const k = kpisOf(
      stateWith([
        created('due-now', iso(AS_OF - targetMs), priority),
        created('late', iso(AS_OF - targetMs - 1), priority),
        created('fifteen-left', iso(AS_OF - targetMs + 15 * MINUTE), priority),
      ]),
    );
    expect(k).toMatchObject({
      sla_breaching_by_priority: counts({ [priority]: 1 }),
      sla_about_to_breach_by_priority: counts({ [priority]: 1 }),
      tickets_waiting_first_reply_by_priority: counts({ [priority]: 3 }),
    });
  });

  it('leaves out replied and solved tickets, and counts a reopened unreplied one', () => {
    // All urgent, created 10:00 (due 11:00), as_of 18:00:
    //   R replied 10:30 → not breaching; S solved 10:45 without reply → not open;
    //   O solved 10:45, reopened 12:00, no reply → open and breaching;
    //   B bot reply only → breaching. Breaching: O, B = 2.
    const k = kpisOf(
      stateWith([
        created('R', '2026-11-20T10:00:00Z', 'urgent'),
        replied('R', '2026-11-20T10:30:00Z'),
        created('S', '2026-11-20T10:00:00Z', 'urgent'),
        solved('S', '2026-11-20T10:45:00Z'),
        created('O', '2026-11-20T10:00:00Z', 'urgent'),
        solved('O', '2026-11-20T10:45:00Z'),
        reopened('O', '2026-11-20T12:00:00Z'),
        created('B', '2026-11-20T10:00:00Z', 'urgent'),
        replied('B', '2026-11-20T10:01:00Z', { author: 'bot' }),
      ]),
    );
    expect(k.sla_breaching).toBe(2);
  });
});

describe('SLA attainment', () => {
  // First replies (created → first reply, target):
  //   today: UA urgent 16:00 → 17:00:00.000 (exactly 1 h: on time)
  //          UB urgent 16:00 → 17:00:00.001 (late)
  //          HA high 09:00 → 12:00 (3 h ≤ 4 h: on time)
  //          LA low 11-19 09:00 → 11-20 10:00 (25 h > 24 h: late)
  //   11-17: NA normal 08:00 → 16:00:00.001 (late) — in 7d and 30d only
  //   11-01: NB normal 08:00 → 09:00 (on time) — in 30d only
  //   XX urgent created 17:00 with no reply: not a first reply, not in attainment.
  // today: 2 on time of 4 → 50 %; urgent 1/2 = 50, high 1/1 = 100, low 0/1 = 0, normal null.
  // 7d: 2 of 5 → 40 %; normal 0/1 = 0.  30d: 3 of 6 → 50 %; normal 1/2 = 50.
  const events = [
    created('UA', '2026-11-20T16:00:00Z', 'urgent'),
    replied('UA', '2026-11-20T17:00:00.000Z'),
    created('UB', '2026-11-20T16:00:00Z', 'urgent'),
    replied('UB', '2026-11-20T17:00:00.001Z'),
    created('HA', '2026-11-20T09:00:00Z', 'high'),
    replied('HA', '2026-11-20T12:00:00Z'),
    created('LA', '2026-11-19T09:00:00Z', 'low'),
    replied('LA', '2026-11-20T10:00:00Z'),
    created('NA', '2026-11-17T08:00:00Z', 'normal'),
    replied('NA', '2026-11-17T16:00:00.001Z'),
    created('NB', '2026-11-01T08:00:00Z', 'normal'),
    replied('NB', '2026-11-01T09:00:00Z'),
    created('XX', '2026-11-20T17:00:00Z', 'urgent'),
  ];

  it.each([
    { window: 'today', overall: 50, byPriority: { urgent: 50, high: 100, low: 0 } },
    { window: '7d', overall: 40, byPriority: { urgent: 50, high: 100, low: 0, normal: 0 } },
    { window: '30d', overall: 50, byPriority: { urgent: 50, high: 100, low: 0, normal: 50 } },
  ] as const)('$window: $overall %', ({ window, overall, byPriority: expected }) => {
    const k = kpisOf(stateWith(events));
    expect(k[`sla_attainment_percent_${window}`]).toBe(overall);
    expect(k[`sla_attainment_percent_by_priority_${window}`]).toEqual(percents(expected));
  });

  it('follows configured targets', () => {
    // Urgent target 2 h instead of 1 h: UB (1 h 0.001 s) is on time too → today 3/4 = 75 %.
    const state = new Support(createLocalCalendar('UTC'), {
      slaTargets: { urgent: 2 * HOUR, high: 4 * HOUR, normal: 8 * HOUR, low: 24 * HOUR },
    });
    for (const event of events) state.apply(event);
    expect(kpisOf(state).sla_attainment_percent_today).toBe(75);
  });
});

describe('escalations', () => {
  // as_of 11-20 18:00 UTC. Escalation → first public agent reply strictly after it:
  //   X: created 09:00, reply 09:10, escalated 10:00 and again 10:30, internal note 10:45,
  //      bot 10:50, reply 11:00 → both escalations count: 3600 s and 1800 s.
  //   Y: created 12:00, escalated 12:05, reply at 12:05 exactly (not after), reply 12:35 → 1800 s.
  //   Z: created 13:00, escalated 14:00, no reply → awaiting.
  //   W: created 14:30, escalated 15:00, reply 18:30 (after as_of) → awaiting.
  //   V: created 14:00, escalated 14:10, solved 15:00 with no reply → not awaiting (closed).
  //   U: created 11-19 19:00, escalated 11-19 20:00, reply 11-20 01:00 → 18 000 s, counted on
  //      the reply's day (today).
  //   S: created 11-13 22:00, escalated 11-13 23:00, reply 11-14 00:30 → 5400 s (7d, by reply).
  //   Q: escalated 11-20 19:00 (after as_of) → ignored.
  // today [1800, 1800, 3600, 18 000]: median h 2.5 → 2700; mean 25 200 / 4 = 6300.
  // 7d [1800, 1800, 3600, 5400, 18 000]: median 3600; mean 30 600 / 5 = 6120.
  // awaiting: Z, W = 2.
  const events = [
    created('X', '2026-11-20T09:00:00Z'),
    replied('X', '2026-11-20T09:10:00Z'),
    escalated('X', '2026-11-20T10:00:00Z'),
    escalated('X', '2026-11-20T10:30:00Z'),
    replied('X', '2026-11-20T10:45:00Z', { public: false }),
    replied('X', '2026-11-20T10:50:00Z', { author: 'bot' }),
    replied('X', '2026-11-20T11:00:00Z'),
    created('Y', '2026-11-20T12:00:00Z'),
    escalated('Y', '2026-11-20T12:05:00Z'),
    replied('Y', '2026-11-20T12:05:00Z'),
    replied('Y', '2026-11-20T12:35:00Z'),
    created('Z', '2026-11-20T13:00:00Z'),
    escalated('Z', '2026-11-20T14:00:00Z'),
    created('W', '2026-11-20T14:30:00Z'),
    escalated('W', '2026-11-20T15:00:00Z'),
    replied('W', '2026-11-20T18:30:00Z'),
    created('V', '2026-11-20T14:00:00Z'),
    escalated('V', '2026-11-20T14:10:00Z'),
    solved('V', '2026-11-20T15:00:00Z'),
    created('U', '2026-11-19T19:00:00Z'),
    escalated('U', '2026-11-19T20:00:00Z'),
    replied('U', '2026-11-20T01:00:00Z'),
    created('S', '2026-11-13T22:00:00Z'),
    escalated('S', '2026-11-13T23:00:00Z'),
    replied('S', '2026-11-14T00:30:00Z'),
    created('Q', '2026-11-20T16:00:00Z'),
    escalated('Q', '2026-11-20T19:00:00Z'),
  ];

  it('measures each escalation to the first reply after it, in the window of that reply', () => {
    expect(kpisOf(stateWith(events))).toMatchObject({
      escalation_response_median_seconds_today: 2700,
      escalation_response_mean_seconds_today: 6300,
      escalation_response_median_seconds_7d: 3600,
      escalation_response_mean_seconds_7d: 6120,
      escalation_response_median_seconds_30d: 3600,
      escalation_response_mean_seconds_30d: 6120,
      escalations_awaiting_response: 2,
    });
  });

  it('moves an escalation from awaiting to answered when its reply time comes', () => {
    // At 18:30 W's reply (escalated 15:00) counts: awaiting 1 (Z); today gains 12 600 s:
    // [1800, 1800, 3600, 12 600, 18 000] → median 3600, mean 37 800 / 5 = 7560. Q (19:00)
    // is still in the future.
    const k = kpisOf(stateWith(events), at('2026-11-20T18:30:00Z'));
    expect(k).toMatchObject({
      escalations_awaiting_response: 1,
      escalation_response_median_seconds_today: 3600,
      escalation_response_mean_seconds_today: 7560,
    });
  });

  it('counts an escalation awaiting again when its ticket is reopened without a reply', () => {
    // V (escalated 14:10, solved 15:00 without reply) reopened at 16:00 → awaiting again: 3.
    const k = kpisOf(stateWith([...events, reopened('V', '2026-11-20T16:00:00Z')]));
    expect(k.escalations_awaiting_response).toBe(3);
  });
});

describe('surveys', () => {
  // Today (11-20): CSAT 5, 4, 3, 1 without ticket; 4 and 5 for ticket T-1 (two answers for one
  //   ticket both count) → 4 of 6 satisfied = 66.666…%.
  //   NPS 10, 9, 8, 7, 6, 0, 10 → promoters 3, detractors 2 of 7 → 300/7 − 200/7 = 14.2857…
  //   CES 1, 7, 4 → mean 4.
  // 11-15 (7d, 30d): CSAT 2; NPS 0; CES 7.
  // 10-25 (30d): CSAT 5.  11-20 18:00:00.001 (after as_of): CSAT 1, NPS 0, CES 1 → ignored.
  // 7d:  CSAT 4 of 7 = 57.142857…%; NPS 3 promoters, 3 detractors of 8 → 0; CES 19 / 4 = 4.75.
  // 30d: CSAT 5 of 8 = 62.5 %; NPS 0; CES 4.75.
  const events = [
    survey('csat', 5, '2026-11-20T08:00:00Z'),
    survey('csat', 4, '2026-11-20T09:00:00Z'),
    survey('csat', 3, '2026-11-20T10:00:00Z'),
    survey('csat', 1, '2026-11-20T11:00:00Z'),
    survey('csat', 4, '2026-11-20T12:00:00Z', 'T-1'),
    survey('csat', 5, '2026-11-20T13:00:00Z', 'T-1'),
    ...[10, 9, 8, 7, 6, 0, 10].map((score, i) =>
      survey('nps', score, `2026-11-20T0${i + 1}:30:00Z`),
    ),
    survey('ces', 1, '2026-11-20T08:00:00Z', 'T-1'),
    survey('ces', 7, '2026-11-20T09:00:00Z'),
    survey('ces', 4, '2026-11-20T10:00:00Z'),
    survey('csat', 2, '2026-11-15T10:00:00Z'),
    survey('nps', 0, '2026-11-15T10:00:00Z'),
    survey('ces', 7, '2026-11-15T10:00:00Z'),
    survey('csat', 5, '2026-10-25T10:00:00Z'),
    survey('csat', 1, '2026-11-20T18:00:00.001Z'),
    survey('nps', 0, '2026-11-20T18:00:00.001Z'),
    survey('ces', 1, '2026-11-20T18:00:00.001Z'),
  ];

  it('today', () => {
    const k = kpisOf(stateWith(events));
    expect(k.csat_percent_today).toBeCloseTo(66.6666666667, 9);
    expect(k.nps_today).toBeCloseTo(14.2857142857, 9);
    expect(k.ces_mean_today).toBe(4);
  });

  it('7d and 30d', () => {
    const k = kpisOf(stateWith(events));
    expect(k.csat_percent_7d).toBeCloseTo(57.1428571429, 9);
    expect(k).toMatchObject({
      nps_7d: 0,
      ces_mean_7d: 4.75,
      csat_percent_30d: 62.5,
      nps_30d: 0,
      ces_mean_30d: 4.75,
    });
  });

  it.each([
    { scores: [10, 10], nps: 100 },
    { scores: [0, 6], nps: -100 },
    { scores: [7, 8], nps: 0 },
    { scores: [9, 6, 8, 8], nps: 0 },
    { scores: [9, 10, 6, 7], nps: 25 },
  ])('NPS of $scores is $nps', ({ scores, nps }) => {
    // 9–10 promoters, 0–6 detractors, 7–8 passives; [9, 10, 6, 7]: 50 % − 25 % = 25.
    const state = stateWith(scores.map((score) => survey('nps', score, '2026-11-20T12:00:00Z')));
    expect(kpisOf(state).nps_today).toBe(nps);
  });

  it('forgets answers no window can reach any more, and ignores them when they come late', () => {
    // forgetBefore(11-20 18:00): 30d starts 10-22, so the 10-21 answer goes, the 10-22 one stays.
    const state = stateWith([
      survey('csat', 1, '2026-10-21T23:59:59.999Z'),
      survey('csat', 5, '2026-10-22T00:00:00.000Z'),
    ]);
    state.forgetBefore(AS_OF);
    state.apply(survey('csat', 1, '2026-10-20T12:00:00Z'));
    expect(kpisOf(state).csat_percent_30d).toBe(100);
    // Reading before the forget point is outside the contract, but shows what is gone: as of
    // 10-22 12:00 the two score-1 answers would be in the 30d window (1 of 3 satisfied → 33.3 %).
    expect(kpisOf(state, at('2026-10-22T12:00:00Z')).csat_percent_30d).toBe(100);
  });
});

describe('event order and late events', () => {
  // A mix of every support event kind (as in the sections above) applied in several orders.
  const events = [
    created('A', '2026-11-20T09:00:00Z', 'urgent'),
    replied('A', '2026-11-20T09:20:00Z', { author: 'bot' }),
    replied('A', '2026-11-20T09:40:00Z'),
    escalated('A', '2026-11-20T10:00:00Z'),
    escalated('A', '2026-11-20T10:10:00Z'),
    replied('A', '2026-11-20T11:00:00Z'),
    solved('A', '2026-11-20T12:00:00Z'),
    reopened('A', '2026-11-20T13:00:00Z'),
    solved('A', '2026-11-20T14:00:00Z'),
    created('B', '2026-11-18T09:00:00Z', 'low'),
    replied('B', '2026-11-19T10:00:00Z'),
    solved('B', '2026-11-19T11:00:00Z'),
    created('C', '2026-11-20T17:00:00Z', 'urgent'),
    escalated('C', '2026-11-20T17:10:00Z'),
    created('D', '2026-11-20T08:00:00Z', 'high'),
    survey('csat', 5, '2026-11-20T15:00:00Z', 'A'),
    survey('nps', 3, '2026-11-19T15:00:00Z'),
    survey('ces', 2, '2026-11-17T15:00:00Z', 'B'),
  ];
  const inOrder = kpisOf(stateWith(events));

  it('gives the same KPIs whatever order the events arrive in', () => {
    expect(kpisOf(stateWith([...events].reverse()))).toEqual(inOrder);
    // Interleaved: odd positions first, then even ones.
    const interleaved = [
      ...events.filter((_, i) => i % 2 === 1),
      ...events.filter((_, i) => i % 2 === 0),
    ];
    expect(kpisOf(stateWith(interleaved))).toEqual(inOrder);
  });

  it('has the values worked out by hand', () => {
    // A: FRT 40 min = 2400 s (urgent, on time); escalations 10:00, 10:10 → 11:00: 3600, 3000;
    //    final solve 14:00 → resolution 5 h = 18 000 s.
    // B: FRT 25 h = 90 000 s (low, late; first reply 11-19: 7d, not today); resolved 11-19
    //    11:00 → 26 h = 93 600 s (7d).
    // C: urgent, created 17:00, due 18:00 = as_of → about to breach; escalation awaiting.
    // D: high, created 08:00, due 12:00 → breaching. Backlog C, D.
    expect(inOrder).toMatchObject({
      frt_median_seconds_today: 2400,
      frt_count_7d: 2,
      frt_mean_seconds_7d: 46_200,
      sla_attainment_percent_today: 100,
      sla_attainment_percent_7d: 50,
      escalation_response_mean_seconds_today: 3300,
      escalations_awaiting_response: 1,
      resolution_median_seconds_today: 18_000,
      resolution_mean_seconds_7d: 55_800,
      backlog_open: 2,
      backlog_open_by_priority: counts({ urgent: 1, high: 1 }),
      sla_breaching_by_priority: counts({ high: 1 }),
      sla_about_to_breach_by_priority: counts({ urgent: 1 }),
      csat_percent_today: 100,
      nps_7d: -100,
      ces_mean_30d: 2,
    });
  });

  it('takes a first reply that arrives days late and earlier than the known one', () => {
    // Created 09:00, reply at 12:00 known; a reply at 09:30 arrives later → FRT 1800 s.
    const state = stateWith([
      created('T-1', '2026-11-20T09:00:00Z'),
      replied('T-1', '2026-11-20T12:00:00Z'),
    ]);
    expect(kpisOf(state).frt_median_seconds_today).toBe(10_800);
    state.apply(replied('T-1', '2026-11-20T09:30:00Z'));
    expect(kpisOf(state).frt_median_seconds_today).toBe(1800);
  });

  it('ignores every event after as_of', () => {
    // Read at 11-17 14:59:59.999, 1 ms before the earliest event (the CES answer 11-17 15:00):
    // every event is after as_of, so nothing counts.
    expect(kpisOf(stateWith(events), at('2026-11-17T14:59:59.999Z'))).toEqual(emptyKpis);
  });
});
