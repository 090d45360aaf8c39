// Unit tests for the live KPI state, written from KPIS.md ("Time", "Product usage", "Support")
// and DESIGN.md ("Event contract": events arrive in any order and days late, KPIs follow event
// time). Every expected number is computed by hand in the comment next to it.
import { describe, expect, it } from 'vitest';
import {
  activeUsersChartMinutes,
  eventTypes,
  kpiEventSchema,
  type EventType,
  type KpiEvent,
  type KpiEventOf,
  type KpiValues,
} from '@kpiwall/shared';
import { LiveKpiState } from './live-kpis.ts';

// ---------------------------------------------------------------------------------------------
// Event builders: every event goes through the contract's schema, so it is a valid KpiEvent.
// ---------------------------------------------------------------------------------------------

type Envelope = 'id' | 'type' | 'time' | 'account_id' | 'user_id' | 'received_at' | 'properties';
type Body<T extends EventType> = Omit<KpiEventOf<T>, Envelope>;

/** Valid type-specific fields of every event type. */
const bodies: { [T in EventType]: Body<T> } = {
  'user.signed_up': { plan: 'free' },
  'page.viewed': { session_id: 'sess-1', path: '/home' },
  'feature.used': { feature: 'export' },
  'onboarding.step_completed': { step: 'profile_completed' },
  'user.activated': {},
  'cta.shown': { cta: 'upgrade' },
  'cta.clicked': { cta: 'upgrade' },
  'subscription.started': { plan: 'pro', mrr_cents: 4_900 },
  'subscription.changed': {
    from_plan: 'pro',
    to_plan: 'team',
    mrr_cents_before: 4_900,
    mrr_cents_after: 9_900,
  },
  'subscription.cancelled': { mrr_cents_lost: 9_900 },
  'ticket.created': { ticket_id: 'T-1', priority: 'normal', channel: 'email' },
  'ticket.replied': { ticket_id: 'T-1', author: 'agent', public: true },
  'ticket.escalated': { ticket_id: 'T-1' },
  'ticket.solved': { ticket_id: 'T-1' },
  'ticket.reopened': { ticket_id: 'T-1' },
  'survey.answered': { kind: 'csat', score: 5 },
};

let nextId = 0;

const makeEvent = <T extends EventType>(
  type: T,
  time: number,
  options: { user?: string | null; account?: string; fields?: Partial<Body<T>> } = {},
): KpiEventOf<T> => {
  nextId++;
  return kpiEventSchema.parse({
    id: `evt-${nextId}`,
    type,
    time,
    account_id: options.account ?? 'acme',
    user_id: options.user ?? null,
    received_at: time,
    properties: {},
    ...bodies[type],
    ...options.fields,
  }) as KpiEventOf<T>;
};

/** An activity event (page.viewed unless told) of `user` at `time`. */
const active = (user: string, time: number, type: EventType = 'page.viewed'): KpiEvent =>
  makeEvent(type, time, { user });

const created = (ticket: string, time: number, account = 'acme'): KpiEvent =>
  makeEvent('ticket.created', time, { account, fields: { ticket_id: ticket } });

type Author = 'agent' | 'requester' | 'bot';
const replied = (
  ticket: string,
  time: number,
  reply: { author?: Author; public?: boolean; account?: string } = {},
): KpiEvent =>
  makeEvent('ticket.replied', time, {
    account: reply.account ?? 'acme',
    fields: { ticket_id: ticket, author: reply.author ?? 'agent', public: reply.public ?? true },
  });

const solved = (ticket: string, time: number, account = 'acme'): KpiEvent =>
  makeEvent('ticket.solved', time, { account, fields: { ticket_id: ticket } });

const reopened = (ticket: string, time: number, account = 'acme'): KpiEvent =>
  makeEvent('ticket.reopened', time, { account, fields: { ticket_id: ticket } });

const at = (iso: string): number => Date.parse(iso);
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A state in `timeZone` with `events` applied in the given order. */
const stateWith = (events: readonly KpiEvent[], timeZone = 'UTC'): LiveKpiState => {
  const state = new LiveKpiState(timeZone);
  for (const event of events) state.apply(event);
  return state;
};

/**
 * as_of used throughout: Friday 2026-11-20 18:00 UTC. Windows in UTC:
 *   _today = [2026-11-20T00:00Z, as_of]
 *   _7d    = [2026-11-14T00:00Z, as_of]   (20 − 6 = 14)
 *   _30d   = [2026-10-22T00:00Z, as_of]   (Nov 20 − 29 days: 19 days back to Nov 1, 10 more)
 */
const AS_OF = at('2026-11-20T18:00:00Z');

const emptyKpis: KpiValues = {
  dau: 0,
  wau: 0,
  mau: 0,
  stickiness_dau_mau: null,
  tickets_waiting_first_reply: 0,
  oldest_waiting_seconds: null,
  frt_median_seconds_today: null,
  frt_p90_seconds_today: null,
  backlog_open: 0,
};

describe('LiveKpiState with no events', () => {
  it('reports zero counts and null for what cannot be computed', () => {
    expect(new LiveKpiState('UTC').wallKpis(AS_OF)).toEqual(emptyKpis);
  });
});

// ---------------------------------------------------------------------------------------------
// Product usage: DAU / WAU / MAU
// ---------------------------------------------------------------------------------------------

describe('DAU / WAU / MAU', () => {
  const activity: readonly EventType[] = [
    'page.viewed',
    'feature.used',
    'onboarding.step_completed',
    'user.activated',
    'user.signed_up',
  ];

  // One event of each of the 16 types by user u1 an hour before as_of: activity types make u1
  // active today (1/1/1); cta.*, ticket, survey and subscription events do not (0/0/0), even
  // though the event carries a user_id.
  it.each(eventTypes.map((type) => ({ type, counts: activity.includes(type) ? 1 : 0 })))(
    '$type counts as activity: $counts',
    ({ type, counts }) => {
      const kpis = stateWith([makeEvent(type, AS_OF - HOUR, { user: 'u1' })]).wallKpis(AS_OF);
      expect([kpis.dau, kpis.wau, kpis.mau]).toEqual([counts, counts, counts]);
    },
  );

  it('counts a user once however many events and activity types they have', () => {
    // u1: three events today of three activity types; u2: one. Distinct users = 2.
    const kpis = stateWith([
      active('u1', AS_OF - 3 * HOUR, 'page.viewed'),
      active('u1', AS_OF - 2 * HOUR, 'feature.used'),
      active('u1', AS_OF - HOUR, 'user.activated'),
      active('u2', AS_OF - HOUR),
    ]).wallKpis(AS_OF);
    expect([kpis.dau, kpis.wau, kpis.mau]).toEqual([2, 2, 2]);
  });

  it('counts a user active on several days once in WAU and MAU', () => {
    // u1 on Nov 20, 19, 15 and Oct 25; u2 on Nov 16. Today: u1. 7d: u1, u2. 30d: u1, u2.
    const kpis = stateWith([
      active('u1', at('2026-11-20T09:00:00Z')),
      active('u1', at('2026-11-19T09:00:00Z')),
      active('u1', at('2026-11-15T09:00:00Z')),
      active('u1', at('2026-10-25T09:00:00Z')),
      active('u2', at('2026-11-16T09:00:00Z')),
    ]).wallKpis(AS_OF);
    expect([kpis.dau, kpis.wau, kpis.mau]).toEqual([1, 2, 2]);
  });

  it('counts only events with time <= as_of', () => {
    // u1 exactly at as_of (in), u2 1 ms after (out), u3 later the same day (out),
    // u4 active yesterday and again after as_of today: in WAU/MAU only, not today.
    const state = stateWith([
      active('u1', AS_OF),
      active('u2', AS_OF + 1),
      active('u3', AS_OF + 3 * HOUR),
      active('u4', AS_OF - DAY),
      active('u4', AS_OF + HOUR),
    ]);
    const kpis = state.wallKpis(AS_OF);
    expect([kpis.dau, kpis.wau, kpis.mau]).toEqual([1, 2, 2]);
    // Read again one minute earlier: u1's event at 18:00 is now in the future as well.
    const earlier = state.wallKpis(AS_OF - MINUTE);
    expect([earlier.dau, earlier.wau, earlier.mau]).toEqual([0, 1, 1]);
    // And at 21:00, u2, u3 and u4 (today) have happened: today u1, u2, u3, u4.
    const later = state.wallKpis(AS_OF + 3 * HOUR);
    expect([later.dau, later.wau, later.mau]).toEqual([4, 4, 4]);
  });

  it('uses an earlier event of the same user today even when a later one arrived first', () => {
    // u1 after as_of (arrives first), then u1 before as_of: u1 was active by as_of.
    const kpis = stateWith([active('u1', AS_OF + HOUR), active('u1', AS_OF - HOUR)]).wallKpis(
      AS_OF,
    );
    expect([kpis.dau, kpis.wau, kpis.mau]).toEqual([1, 1, 1]);
  });

  // One activity event at `time`; which windows it falls in, by hand, for as_of = 2026-11-20
  // 18:00Z (a Friday, after the October DST change in every zone here).
  //
  // UTC: today from 11-20T00:00Z, 7d from 11-14T00:00Z, 30d from 10-22T00:00Z.
  // Europe/Berlin (CET, +1; the 30d start on Oct 22 is still CEST, +2):
  //   today from 11-19T23:00Z, 7d from 11-13T23:00Z, 30d from 10-21T22:00Z.
  // America/New_York (EST, −5; Oct 22 is EDT, −4):
  //   today from 11-20T05:00Z, 7d from 11-14T05:00Z, 30d from 10-22T04:00Z.
  // Asia/Kolkata (+05:30): today from 11-19T18:30Z, 7d from 11-13T18:30Z, 30d from 10-21T18:30Z.
  it.each([
    { tz: 'UTC', time: '2026-11-20T18:00:00.000Z', dau: 1, wau: 1, mau: 1 },
    { tz: 'UTC', time: '2026-11-20T18:00:00.001Z', dau: 0, wau: 0, mau: 0 },
    { tz: 'UTC', time: '2026-11-20T00:00:00.000Z', dau: 1, wau: 1, mau: 1 },
    { tz: 'UTC', time: '2026-11-19T23:59:59.999Z', dau: 0, wau: 1, mau: 1 },
    { tz: 'UTC', time: '2026-11-14T00:00:00.000Z', dau: 0, wau: 1, mau: 1 },
    { tz: 'UTC', time: '2026-11-13T23:59:59.999Z', dau: 0, wau: 0, mau: 1 },
    { tz: 'UTC', time: '2026-10-22T00:00:00.000Z', dau: 0, wau: 0, mau: 1 },
    { tz: 'UTC', time: '2026-10-21T23:59:59.999Z', dau: 0, wau: 0, mau: 0 },
    { tz: 'Europe/Berlin', time: '2026-11-19T23:00:00.000Z', dau: 1, wau: 1, mau: 1 },
    { tz: 'Europe/Berlin', time: '2026-11-19T22:59:59.999Z', dau: 0, wau: 1, mau: 1 },
    { tz: 'Europe/Berlin', time: '2026-11-13T23:00:00.000Z', dau: 0, wau: 1, mau: 1 },
    { tz: 'Europe/Berlin', time: '2026-11-13T22:59:59.999Z', dau: 0, wau: 0, mau: 1 },
    { tz: 'Europe/Berlin', time: '2026-10-21T22:00:00.000Z', dau: 0, wau: 0, mau: 1 },
    { tz: 'Europe/Berlin', time: '2026-10-21T21:59:59.999Z', dau: 0, wau: 0, mau: 0 },
    { tz: 'America/New_York', time: '2026-11-20T05:00:00.000Z', dau: 1, wau: 1, mau: 1 },
    { tz: 'America/New_York', time: '2026-11-20T04:59:59.999Z', dau: 0, wau: 1, mau: 1 },
    { tz: 'America/New_York', time: '2026-11-14T05:00:00.000Z', dau: 0, wau: 1, mau: 1 },
    { tz: 'America/New_York', time: '2026-11-14T04:59:59.999Z', dau: 0, wau: 0, mau: 1 },
    { tz: 'America/New_York', time: '2026-10-22T04:00:00.000Z', dau: 0, wau: 0, mau: 1 },
    { tz: 'America/New_York', time: '2026-10-22T03:59:59.999Z', dau: 0, wau: 0, mau: 0 },
    { tz: 'Asia/Kolkata', time: '2026-11-19T18:30:00.000Z', dau: 1, wau: 1, mau: 1 },
    { tz: 'Asia/Kolkata', time: '2026-11-19T18:29:59.999Z', dau: 0, wau: 1, mau: 1 },
    { tz: 'Asia/Kolkata', time: '2026-11-13T18:30:00.000Z', dau: 0, wau: 1, mau: 1 },
    { tz: 'Asia/Kolkata', time: '2026-11-13T18:29:59.999Z', dau: 0, wau: 0, mau: 1 },
    { tz: 'Asia/Kolkata', time: '2026-10-21T18:30:00.000Z', dau: 0, wau: 0, mau: 1 },
    { tz: 'Asia/Kolkata', time: '2026-10-21T18:29:59.999Z', dau: 0, wau: 0, mau: 0 },
  ])('$tz: an event at $time → dau $dau, wau $wau, mau $mau', ({ tz, time, dau, wau, mau }) => {
    const kpis = stateWith([active('u1', at(time))], tz).wallKpis(AS_OF);
    expect({ dau: kpis.dau, wau: kpis.wau, mau: kpis.mau }).toEqual({ dau, wau, mau });
  });

  it('Europe/Berlin in summer: the day starts at 22:00Z', () => {
    // as_of 2026-07-15T12:00Z = 14:00 CEST; today = [2026-07-14T22:00Z, as_of].
    const asOf = at('2026-07-15T12:00:00Z');
    const kpis = stateWith(
      [active('u1', at('2026-07-14T22:00:00Z')), active('u2', at('2026-07-14T21:59:59.999Z'))],
      'Europe/Berlin',
    ).wallKpis(asOf);
    expect([kpis.dau, kpis.wau]).toEqual([1, 2]);
  });

  it('Europe/Berlin: a 7-day window across the spring DST change starts at 23:00Z', () => {
    // as_of 2026-04-02T10:00Z = 12:00 CEST on Thursday Apr 2. 6 days before is Mar 27 (CET),
    // so _7d starts 2026-03-27 00:00 CET = 2026-03-26T23:00Z — not 22:00Z (today's offset).
    const asOf = at('2026-04-02T10:00:00Z');
    const kpis = stateWith(
      [
        active('in', at('2026-03-26T23:00:00Z')),
        active('out-by-1ms', at('2026-03-26T22:59:59.999Z')),
        active('out-22z', at('2026-03-26T22:30:00Z')),
      ],
      'Europe/Berlin',
    ).wallKpis(asOf);
    expect(kpis.wau).toBe(1);
  });

  // The same five events (u1 today, u2 three days ago, u3 ten days ago, u4 after as_of, u5 40
  // days ago) in several arrival orders: always dau 1 (u1), wau 2 (u1, u2), mau 3 (u1–u3).
  const scattered: readonly KpiEvent[] = [
    active('u1', AS_OF - HOUR),
    active('u2', AS_OF - 3 * DAY),
    active('u3', AS_OF - 10 * DAY),
    active('u4', AS_OF + HOUR),
    active('u5', AS_OF - 40 * DAY),
  ];
  it.each([
    { order: 'as listed', events: scattered },
    { order: 'reversed', events: [...scattered].reverse() },
    { order: 'oldest first', events: [...scattered].sort((a, b) => a.time - b.time) },
    { order: 'newest first', events: [...scattered].sort((a, b) => b.time - a.time) },
  ])('gives the same result whatever the arrival order ($order)', ({ events }) => {
    const kpis = stateWith(events).wallKpis(AS_OF);
    expect([kpis.dau, kpis.wau, kpis.mau]).toEqual([1, 2, 3]);
  });

  it('counts an event that arrives days late', () => {
    const state = stateWith([active('u1', AS_OF - HOUR)]);
    expect(state.wallKpis(AS_OF).wau).toBe(1);
    state.apply(active('u2', AS_OF - 5 * DAY));
    const kpis = state.wallKpis(AS_OF);
    expect([kpis.dau, kpis.wau, kpis.mau]).toEqual([1, 2, 2]);
  });

  it('still counts a late event inside the 30-day window after forgetBefore(as_of)', () => {
    // forgetBefore only drops what no window ending at or after as_of can reach: the 30d
    // window starts 2026-10-22T00:00Z, so an event exactly then still counts in MAU.
    const state = stateWith([active('u1', AS_OF - HOUR)]);
    state.forgetBefore(AS_OF);
    state.apply(active('u2', at('2026-10-22T00:00:00Z')));
    state.apply(active('u3', at('2026-11-14T00:00:00Z')));
    const kpis = state.wallKpis(AS_OF);
    expect([kpis.dau, kpis.wau, kpis.mau]).toEqual([1, 2, 3]);
  });

  it('forgetBefore(as_of) changes nothing for windows ending at as_of or later', () => {
    // u1 today, u2 on Oct 22 (first day of the 30d window), u3 on Oct 21 (outside).
    const events = [
      active('u1', AS_OF - HOUR),
      active('u2', at('2026-10-22T08:00:00Z')),
      active('u3', at('2026-10-21T08:00:00Z')),
    ];
    const state = stateWith(events);
    state.forgetBefore(AS_OF);
    const kpis = state.wallKpis(AS_OF);
    // MAU 2 (u1, u2); stickiness = (1 + 1) / 30 / 2 × 100 = 10/3.
    expect([kpis.dau, kpis.wau, kpis.mau]).toEqual([1, 1, 2]);
    expect(kpis.stickiness_dau_mau).toBeCloseTo(10 / 3, 9);
    // One day later the 30d window is [Oct 23, Nov 21 18:00]: only u1 is left.
    const nextDay = AS_OF + DAY;
    state.forgetBefore(nextDay);
    const tomorrow = state.wallKpis(nextDay);
    expect([tomorrow.dau, tomorrow.wau, tomorrow.mau]).toEqual([0, 1, 1]);
  });
});

// ---------------------------------------------------------------------------------------------
// Product usage: stickiness
// ---------------------------------------------------------------------------------------------

describe('stickiness_dau_mau', () => {
  it('is null when MAU is 0', () => {
    // No activity at all, only non-activity events, or activity only after as_of / before
    // the 30d window: MAU 0, nothing to divide by.
    expect(stateWith([]).wallKpis(AS_OF).stickiness_dau_mau).toBeNull();
    expect(
      stateWith([
        makeEvent('cta.clicked', AS_OF - HOUR, { user: 'u1' }),
        created('T-1', AS_OF - HOUR),
      ]).wallKpis(AS_OF).stickiness_dau_mau,
    ).toBeNull();
    expect(
      stateWith([active('u1', AS_OF + 1), active('u2', at('2026-10-21T23:59:59.999Z'))]).wallKpis(
        AS_OF,
      ).stickiness_dau_mau,
    ).toBeNull();
  });

  it('is the mean daily DAU over 30 days divided by MAU × 100 (two users)', () => {
    // a: active Nov 20, Nov 10 and Oct 22 (3 days); b: active Nov 18 (1 day).
    // Daily DAUs over the 30 days sum to 3 + 1 = 4, mean 4/30; MAU = 2.
    // Stickiness = (4/30) / 2 × 100 = 20/3 ≈ 6.667.
    const kpis = stateWith([
      active('a', at('2026-11-20T10:00:00Z')),
      active('a', at('2026-11-10T10:00:00Z')),
      active('a', at('2026-10-22T00:00:00Z')),
      active('b', at('2026-11-18T10:00:00Z')),
    ]).wallKpis(AS_OF);
    expect(kpis.mau).toBe(2);
    expect(kpis.stickiness_dau_mau).toBeCloseTo(20 / 3, 9);
  });

  it('counts a user once per day however many events they have that day', () => {
    // a: 3 events on Nov 20 → that day's DAU is 1; sum 1, MAU 1 → 1/30 × 100 = 10/3.
    const kpis = stateWith([
      active('a', at('2026-11-20T08:00:00Z')),
      active('a', at('2026-11-20T09:00:00Z'), 'feature.used'),
      active('a', at('2026-11-20T10:00:00Z')),
    ]).wallKpis(AS_OF);
    expect(kpis.stickiness_dau_mau).toBeCloseTo(10 / 3, 9);
  });

  it('is 100 when every user is active on every one of the 30 days', () => {
    // a and b each active Oct 22 … Nov 20 at 12:00 (Nov 20 12:00 is before as_of 18:00).
    // Sum of daily DAUs = 30 × 2 = 60; mean 2; MAU 2 → 100.
    const events: KpiEvent[] = [];
    for (let d = 0; d < 30; d++) {
      const noon = at('2026-10-22T12:00:00Z') + d * DAY;
      events.push(active('a', noon), active('b', noon));
    }
    expect(stateWith(events).wallKpis(AS_OF).stickiness_dau_mau).toBeCloseTo(100, 9);
  });

  it('mixes an everyday user with two one-day users', () => {
    // a every day (30), b on Nov 1 (1), c on Nov 19 (1): sum 32, mean 32/30, MAU 3.
    // Stickiness = 32 / 30 / 3 × 100 = 320/9 ≈ 35.556.
    const events: KpiEvent[] = [
      active('b', at('2026-11-01T12:00:00Z')),
      active('c', at('2026-11-19T12:00:00Z')),
    ];
    for (let d = 0; d < 30; d++) events.push(active('a', at('2026-10-22T12:00:00Z') + d * DAY));
    expect(stateWith(events).wallKpis(AS_OF).stickiness_dau_mau).toBeCloseTo(320 / 9, 9);
  });

  it('takes today as it stands at as_of', () => {
    // a: Nov 10 and today at 19:00 (after as_of 18:00). b: today at 17:00.
    // As of 18:00: days with activity: Nov 10 (a), Nov 20 (b) → sum 2; MAU 2 → 2/30/2 × 100
    // = 10/3. As of 20:00: Nov 20 has a and b → sum 3 → 3/30/2 × 100 = 5.
    const state = stateWith([
      active('a', at('2026-11-10T12:00:00Z')),
      active('a', at('2026-11-20T19:00:00Z')),
      active('b', at('2026-11-20T17:00:00Z')),
    ]);
    expect(state.wallKpis(AS_OF).stickiness_dau_mau).toBeCloseTo(10 / 3, 9);
    expect(state.wallKpis(at('2026-11-20T20:00:00Z')).stickiness_dau_mau).toBeCloseTo(5, 9);
  });

  it('uses local days of the time zone', () => {
    // a at 2026-11-19T22:30Z and 23:30Z: in UTC one day (Nov 19) → sum 1, MAU 1 → 10/3.
    // In Berlin (CET) these are 23:30 on Nov 19 and 00:30 on Nov 20: two days → sum 2 → 20/3.
    const events = [
      active('a', at('2026-11-19T22:30:00Z')),
      active('a', at('2026-11-19T23:30:00Z')),
    ];
    expect(stateWith(events, 'UTC').wallKpis(AS_OF).stickiness_dau_mau).toBeCloseTo(10 / 3, 9);
    expect(stateWith(events, 'Europe/Berlin').wallKpis(AS_OF).stickiness_dau_mau).toBeCloseTo(
      20 / 3,
      9,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Active users per minute (the wall's chart)
// ---------------------------------------------------------------------------------------------

describe('activeUsersPerMinute', () => {
  // as_of 18:00:30Z: the last point is the minute 18:00, the first 120 − 1 = 119 minutes
  // earlier, 16:01.
  const asOf = at('2026-11-20T18:00:30Z');
  const lastMinute = at('2026-11-20T18:00:00Z');
  const firstMinute = at('2026-11-20T16:01:00Z');

  it('has 120 consecutive minutes ending at as_of’s minute', () => {
    const points = new LiveKpiState('UTC').activeUsersPerMinute(asOf);
    expect(activeUsersChartMinutes).toBe(120);
    expect(points).toHaveLength(120);
    expect(points[0]?.minute).toBe(firstMinute);
    expect(points.at(-1)?.minute).toBe(lastMinute);
    points.forEach((point, i) => {
      expect(point.minute).toBe(firstMinute + i * MINUTE);
      expect(point.active_users).toBe(0);
    });
  });

  it('counts distinct active users per minute, up to as_of', () => {
    // 18:00 → u1 (twice) and u2 = 2; u3 at 18:00:40 is after as_of → not counted.
    // 17:59 → u1 at 17:59:59.999 = 1; 17:30 → a cta.clicked only = 0.
    // 16:01 (first point) → u5 = 1; u6 at 16:00:59.999 is before the chart.
    const state = stateWith([
      active('u1', at('2026-11-20T18:00:10Z')),
      active('u1', at('2026-11-20T18:00:20Z'), 'feature.used'),
      active('u2', at('2026-11-20T18:00:25Z')),
      active('u3', at('2026-11-20T18:00:40Z')),
      active('u1', at('2026-11-20T17:59:59.999Z')),
      makeEvent('cta.clicked', at('2026-11-20T17:30:10Z'), { user: 'u4' }),
      active('u5', at('2026-11-20T16:01:00Z')),
      active('u6', at('2026-11-20T16:00:59.999Z')),
    ]);
    const points = state.activeUsersPerMinute(asOf);
    const byMinute = new Map(points.map((p) => [p.minute, p.active_users]));
    expect(byMinute.get(lastMinute)).toBe(2);
    expect(byMinute.get(at('2026-11-20T17:59:00Z'))).toBe(1);
    expect(byMinute.get(at('2026-11-20T17:30:00Z'))).toBe(0);
    expect(byMinute.get(firstMinute)).toBe(1);
    // Everything else is 0: the total over all minutes is 2 + 1 + 1.
    expect(points.reduce((sum, p) => sum + p.active_users, 0)).toBe(4);
    // At 18:00:45, u3 has happened too: 18:00 → 3.
    const later = new Map(
      state.activeUsersPerMinute(at('2026-11-20T18:00:45Z')).map((p) => [p.minute, p.active_users]),
    );
    expect(later.get(lastMinute)).toBe(3);
  });

  it('counts a late event still inside the chart after forgetBefore(as_of)', () => {
    const state = new LiveKpiState('UTC');
    state.forgetBefore(asOf);
    state.apply(active('u1', firstMinute + 5 * SECOND));
    expect(state.activeUsersPerMinute(asOf)[0]).toEqual({ minute: firstMinute, active_users: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// Support
// ---------------------------------------------------------------------------------------------

/** The support keys of a state's KPIs as of `asOf`. */
const supportAt = (state: LiveKpiState, asOf = AS_OF) => {
  const k = state.wallKpis(asOf);
  return {
    waiting: k.tickets_waiting_first_reply,
    oldest: k.oldest_waiting_seconds,
    frtMedian: k.frt_median_seconds_today,
    frtP90: k.frt_p90_seconds_today,
    backlog: k.backlog_open,
  };
};

describe('what counts as a reply', () => {
  // Ticket created 17:00, one message at 17:10 (as_of 18:00). Only an agent's public message
  // is a reply: then FRT today = 600 s and nothing waits; otherwise the ticket still waits,
  // for as_of − creation = 3600 s, and there is no FRT.
  it.each([
    { author: 'agent', isPublic: true, reply: true },
    { author: 'agent', isPublic: false, reply: false },
    { author: 'bot', isPublic: true, reply: false },
    { author: 'bot', isPublic: false, reply: false },
    { author: 'requester', isPublic: true, reply: false },
    { author: 'requester', isPublic: false, reply: false },
  ] as const)('author $author, public $isPublic → reply: $reply', ({ author, isPublic, reply }) => {
    const state = stateWith([
      created('T-1', at('2026-11-20T17:00:00Z')),
      replied('T-1', at('2026-11-20T17:10:00Z'), { author, public: isPublic }),
    ]);
    expect(supportAt(state)).toEqual(
      reply
        ? { waiting: 0, oldest: null, frtMedian: 600, frtP90: 600, backlog: 1 }
        : { waiting: 1, oldest: 3600, frtMedian: null, frtP90: null, backlog: 1 },
    );
  });

  it('ignores bot, requester and internal messages before the first public agent reply', () => {
    // Created 17:00; bot 17:01, requester 17:02, internal note 17:05; agent public 17:20.
    // FRT = 20 min = 1200 s.
    const state = stateWith([
      created('T-1', at('2026-11-20T17:00:00Z')),
      replied('T-1', at('2026-11-20T17:01:00Z'), { author: 'bot' }),
      replied('T-1', at('2026-11-20T17:02:00Z'), { author: 'requester' }),
      replied('T-1', at('2026-11-20T17:05:00Z'), { public: false }),
      replied('T-1', at('2026-11-20T17:20:00Z')),
    ]);
    expect(supportAt(state)).toEqual({
      waiting: 0,
      oldest: null,
      frtMedian: 1200,
      frtP90: 1200,
      backlog: 1,
    });
  });

  it('uses the earliest public agent reply, whatever order the replies arrive in', () => {
    // Created 17:00; agent replies at 17:10 and 17:05, the later one arriving first.
    // First reply 17:05 → FRT 300 s.
    const state = stateWith([
      created('T-1', at('2026-11-20T17:00:00Z')),
      replied('T-1', at('2026-11-20T17:10:00Z')),
      replied('T-1', at('2026-11-20T17:05:00Z')),
    ]);
    expect(supportAt(state).frtMedian).toBe(300);
  });
});

describe('tickets_waiting_first_reply and oldest_waiting_seconds', () => {
  it('is an open ticket with no reply at or before as_of', () => {
    // Created 17:00, replied 17:30.
    const state = stateWith([
      created('T-1', at('2026-11-20T17:00:00Z')),
      replied('T-1', at('2026-11-20T17:30:00Z')),
    ]);
    // 17:15: waiting for 15 min = 900 s.
    expect(supportAt(state, at('2026-11-20T17:15:00Z'))).toMatchObject({
      waiting: 1,
      oldest: 900,
    });
    // 17:29:59.999: still waiting (KPIS.md does not say how sub-second durations round, so
    // only the count is checked here).
    expect(supportAt(state, at('2026-11-20T17:29:59.999Z')).waiting).toBe(1);
    // 17:30: the reply is at as_of, so it counts.
    expect(supportAt(state, at('2026-11-20T17:30:00Z'))).toMatchObject({
      waiting: 0,
      oldest: null,
    });
    // 16:59: not created yet.
    expect(supportAt(state, at('2026-11-20T16:59:00Z'))).toMatchObject({
      waiting: 0,
      oldest: null,
      backlog: 0,
    });
  });

  it('measures the oldest waiting ticket from its creation', () => {
    // Waiting: A (16:00), B (17:00), C (17:45). Not waiting: D (15:00, replied 15:10),
    // E (14:00, no reply but solved 14:30), F (created 18:30, after as_of).
    // Oldest waiting = A: 18:00 − 16:00 = 7200 s. Backlog = A, B, C, D = 4.
    const state = stateWith([
      created('B', at('2026-11-20T17:00:00Z')),
      created('A', at('2026-11-20T16:00:00Z')),
      created('C', at('2026-11-20T17:45:00Z')),
      created('D', at('2026-11-20T15:00:00Z')),
      replied('D', at('2026-11-20T15:10:00Z')),
      created('E', at('2026-11-20T14:00:00Z')),
      solved('E', at('2026-11-20T14:30:00Z')),
      created('F', at('2026-11-20T18:30:00Z')),
    ]);
    expect(supportAt(state)).toMatchObject({ waiting: 3, oldest: 7200, backlog: 4 });
  });

  it('counts a ticket created on an earlier day that still waits', () => {
    // Created 2026-11-17T18:00Z, never replied: 3 days = 259 200 s.
    const state = stateWith([created('T-1', at('2026-11-17T18:00:00Z'))]);
    expect(supportAt(state)).toMatchObject({ waiting: 1, oldest: 259_200, backlog: 1 });
  });

  it('counts a reopened ticket that never had a reply as waiting again', () => {
    // Created 10:00, solved 11:00 without reply, reopened 12:00: open, no reply → waiting,
    // oldest = 18:00 − 10:00 = 28 800 s.
    const state = stateWith([
      created('T-1', at('2026-11-20T10:00:00Z')),
      solved('T-1', at('2026-11-20T11:00:00Z')),
      reopened('T-1', at('2026-11-20T12:00:00Z')),
    ]);
    expect(supportAt(state)).toMatchObject({ waiting: 1, oldest: 28_800, backlog: 1 });
    // At 11:30 it is solved: neither waiting nor in the backlog.
    expect(supportAt(state, at('2026-11-20T11:30:00Z'))).toMatchObject({
      waiting: 0,
      oldest: null,
      backlog: 0,
    });
  });

  it('does not count a reopened ticket that had a reply as waiting', () => {
    const state = stateWith([
      created('T-1', at('2026-11-20T10:00:00Z')),
      replied('T-1', at('2026-11-20T10:10:00Z')),
      solved('T-1', at('2026-11-20T11:00:00Z')),
      reopened('T-1', at('2026-11-20T12:00:00Z')),
    ]);
    expect(supportAt(state)).toMatchObject({ waiting: 0, oldest: null, backlog: 1 });
  });
});

describe('backlog_open', () => {
  it('counts open tickets, replied or not; a solved ticket leaves, a reopened one returns', () => {
    // T-1, T-2, T-3 created 09:00–09:02; T-1 replied 09:30.
    const state = stateWith([
      created('T-1', at('2026-11-20T09:00:00Z')),
      created('T-2', at('2026-11-20T09:01:00Z')),
      created('T-3', at('2026-11-20T09:02:00Z')),
      replied('T-1', at('2026-11-20T09:30:00Z')),
    ]);
    expect(supportAt(state).backlog).toBe(3);
    state.apply(solved('T-2', at('2026-11-20T10:00:00Z')));
    expect(supportAt(state).backlog).toBe(2);
    state.apply(solved('T-1', at('2026-11-20T10:30:00Z')));
    expect(supportAt(state).backlog).toBe(1);
    state.apply(reopened('T-2', at('2026-11-20T11:00:00Z')));
    expect(supportAt(state).backlog).toBe(2);
  });

  // Ticket created 10:00; status events in event time: each row gives them in arrival order
  // and the state at 18:00 (the latest status event by event time decides).
  const c = at('2026-11-20T10:00:00Z');
  const s11 = (): KpiEvent => solved('T-1', at('2026-11-20T11:00:00Z'));
  const r12 = (): KpiEvent => reopened('T-1', at('2026-11-20T12:00:00Z'));
  const r11 = (): KpiEvent => reopened('T-1', at('2026-11-20T11:00:00Z'));
  const s12 = (): KpiEvent => solved('T-1', at('2026-11-20T12:00:00Z'));
  const s13 = (): KpiEvent => solved('T-1', at('2026-11-20T13:00:00Z'));
  it.each([
    { arrival: 'solve 11, reopen 12', events: [s11(), r12()], open: true },
    { arrival: 'reopen 12, solve 11', events: [r12(), s11()], open: true },
    { arrival: 'reopen 11, solve 12', events: [r11(), s12()], open: false },
    { arrival: 'solve 12, reopen 11', events: [s12(), r11()], open: false },
    { arrival: 'solve 11, reopen 12, solve 13', events: [s11(), r12(), s13()], open: false },
    { arrival: 'solve 13, reopen 12, solve 11', events: [s13(), r12(), s11()], open: false },
    { arrival: 'reopen 12, solve 13, solve 11', events: [r12(), s13(), s11()], open: false },
  ])('resolves solve/reopen by event time ($arrival)', ({ events, open }) => {
    const state = stateWith([created('T-1', c), ...events]);
    expect(supportAt(state).backlog).toBe(open ? 1 : 0);
  });

  it('reads the status as of as_of, ignoring later solves and reopens', () => {
    // Created 10:00, solved 11:00, reopened 12:00, solved 13:00.
    const state = stateWith([created('T-1', c), s13(), r12(), s11()]);
    const backlogAt = (iso: string): number | null => supportAt(state, at(iso)).backlog;
    expect(backlogAt('2026-11-20T10:30:00Z')).toBe(1);
    expect(backlogAt('2026-11-20T11:00:00Z')).toBe(0);
    expect(backlogAt('2026-11-20T11:59:59.999Z')).toBe(0);
    expect(backlogAt('2026-11-20T12:00:00Z')).toBe(1);
    expect(backlogAt('2026-11-20T13:00:00Z')).toBe(0);
  });

  it('keeps a ticket solved when its solve arrives before its creation', () => {
    const state = stateWith([solved('T-1', at('2026-11-20T11:00:00Z')), created('T-1', c)]);
    expect(supportAt(state)).toMatchObject({ backlog: 0, waiting: 0 });
  });
});

describe('first reply time today', () => {
  it('takes median and p90 over tickets whose first reply is today', () => {
    // Today (UTC Nov 20), as_of 18:00:
    //   A created 17:00, replied 17:01 →  60 s
    //   B created 16:00, replied 16:02 → 120 s
    //   C created 15:00, replied 15:10 → 600 s
    //   D created Nov 19 10:00, replied Nov 19 11:00 → first reply yesterday: not today's FRT
    //   E created 17:50, replied 18:30 → after as_of: waiting, not in FRT
    // Sorted [60, 120, 600]: median h = 2 → 120; p90 h = 0.9·2 + 1 = 2.8 → 120 + 0.8·480 = 504.
    const state = stateWith([
      created('A', at('2026-11-20T17:00:00Z')),
      replied('A', at('2026-11-20T17:01:00Z')),
      created('B', at('2026-11-20T16:00:00Z')),
      replied('B', at('2026-11-20T16:02:00Z')),
      created('C', at('2026-11-20T15:00:00Z')),
      replied('C', at('2026-11-20T15:10:00Z')),
      created('D', at('2026-11-19T10:00:00Z')),
      replied('D', at('2026-11-19T11:00:00Z')),
      created('E', at('2026-11-20T17:50:00Z')),
      replied('E', at('2026-11-20T18:30:00Z')),
    ]);
    const support = supportAt(state);
    expect(support.frtMedian).toBe(120);
    expect(support.frtP90).toBeCloseTo(504, 9);
    // E waits since 17:50: 600 s.
    expect(support).toMatchObject({ waiting: 1, oldest: 600, backlog: 5 });
  });

  it('counts a ticket created yesterday whose first reply is today', () => {
    // X created Nov 19 23:00, replied Nov 20 00:00 → 3600 s; Y 17:00 → 17:01 → 60 s.
    // [60, 3600]: median h = 1.5 → 60 + 0.5·3540 = 1830; p90 h = 1.9 → 60 + 0.9·3540 = 3246.
    const state = stateWith([
      created('X', at('2026-11-19T23:00:00Z')),
      replied('X', at('2026-11-20T00:00:00Z')),
      created('Y', at('2026-11-20T17:00:00Z')),
      replied('Y', at('2026-11-20T17:01:00Z')),
    ]);
    const support = supportAt(state);
    expect(support.frtMedian).toBeCloseTo(1830, 9);
    expect(support.frtP90).toBeCloseTo(3246, 9);
  });

  it('leaves out a ticket whose first reply was yesterday even if it got another today', () => {
    // Created Nov 19 09:00, first reply Nov 19 23:59:59.999, another reply today 09:00.
    const state = stateWith([
      created('T-1', at('2026-11-19T09:00:00Z')),
      replied('T-1', at('2026-11-19T23:59:59.999Z')),
      replied('T-1', at('2026-11-20T09:00:00Z')),
    ]);
    expect(supportAt(state)).toMatchObject({ frtMedian: null, frtP90: null, waiting: 0 });
  });

  it('counts solved tickets too (FRT is about the reply, not the status)', () => {
    // Created 17:00, replied 17:02 (120 s), solved 17:30.
    const state = stateWith([
      created('T-1', at('2026-11-20T17:00:00Z')),
      replied('T-1', at('2026-11-20T17:02:00Z')),
      solved('T-1', at('2026-11-20T17:30:00Z')),
    ]);
    expect(supportAt(state)).toMatchObject({ frtMedian: 120, frtP90: 120, backlog: 0 });
  });

  it('uses the local day of the time zone', () => {
    // Created 2026-11-19T22:00Z, replied 23:30Z (5400 s). In UTC the reply is on Nov 19 (not
    // today); in Berlin it is 00:30 CET on Nov 20 (today).
    const events = [
      created('T-1', at('2026-11-19T22:00:00Z')),
      replied('T-1', at('2026-11-19T23:30:00Z')),
    ];
    expect(supportAt(stateWith(events, 'UTC')).frtMedian).toBeNull();
    expect(supportAt(stateWith(events, 'Europe/Berlin')).frtMedian).toBe(5400);
  });

  it('counts a reply that arrived before its ticket.created once the creation arrives', () => {
    // Reply 17:10 arrives first, then creation 17:00 → FRT 600 s, nothing waiting.
    const state = stateWith([replied('T-1', at('2026-11-20T17:10:00Z'))]);
    state.apply(created('T-1', at('2026-11-20T17:00:00Z')));
    expect(supportAt(state)).toEqual({
      waiting: 0,
      oldest: null,
      frtMedian: 600,
      frtP90: 600,
      backlog: 1,
    });
  });
});

describe('ticket identity is (account_id, ticket_id)', () => {
  it('keeps the same ticket_id in two accounts apart', () => {
    // acme/T-1 created 17:00, replied 17:10 (600 s); globex/T-1 created 17:30, no reply.
    // Waiting: globex/T-1 (1800 s). Backlog 2.
    const state = stateWith([
      created('T-1', at('2026-11-20T17:00:00Z'), 'acme'),
      created('T-1', at('2026-11-20T17:30:00Z'), 'globex'),
      replied('T-1', at('2026-11-20T17:10:00Z'), { account: 'acme' }),
    ]);
    expect(supportAt(state)).toEqual({
      waiting: 1,
      oldest: 1800,
      frtMedian: 600,
      frtP90: 600,
      backlog: 2,
    });
    // Solving globex/T-1 leaves acme/T-1 open.
    state.apply(solved('T-1', at('2026-11-20T17:40:00Z'), 'globex'));
    expect(supportAt(state)).toMatchObject({ waiting: 0, oldest: null, backlog: 1 });
  });

  it('does not let a reply in one account answer the other account’s ticket', () => {
    // Only globex replies (its own T-1, created 17:30 → 17:35 = 300 s); acme/T-1 (17:00) waits.
    const state = stateWith([
      created('T-1', at('2026-11-20T17:00:00Z'), 'acme'),
      created('T-1', at('2026-11-20T17:30:00Z'), 'globex'),
      replied('T-1', at('2026-11-20T17:35:00Z'), { account: 'globex' }),
    ]);
    expect(supportAt(state)).toMatchObject({ waiting: 1, oldest: 3600, frtMedian: 300 });
  });
});

describe('product and support together', () => {
  it('fills every key of the wall from one state', () => {
    // u1 active today; T-1 created 17:00 replied 17:01 (60 s); T-2 created 17:30 waiting
    // (1800 s). Stickiness: 1 day / 30 / MAU 1 × 100 = 10/3.
    const kpis = stateWith([
      active('u1', AS_OF - HOUR),
      created('T-1', at('2026-11-20T17:00:00Z')),
      replied('T-1', at('2026-11-20T17:01:00Z')),
      created('T-2', at('2026-11-20T17:30:00Z')),
    ]).wallKpis(AS_OF);
    expect(kpis).toEqual({
      dau: 1,
      wau: 1,
      mau: 1,
      stickiness_dau_mau: expect.closeTo(10 / 3, 9) as number,
      tickets_waiting_first_reply: 1,
      oldest_waiting_seconds: 1800,
      frt_median_seconds_today: 60,
      frt_p90_seconds_today: 60,
      backlog_open: 2,
    });
  });
});
