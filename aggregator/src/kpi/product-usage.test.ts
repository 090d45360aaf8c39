// Unit tests for the product-usage state (KPIS.md "Time", "Product usage"). Every expected
// number is worked out by hand from KPIS.md in the comment or table next to it; the session
// identity (account_id, session_id) and the other decisions are those at the top of
// product-usage.ts.
import { describe, expect, it } from 'vitest';
import { kpiEventSchema, type EventType, type KpiEvent, type KpiEventOf } from '@kpiwall/shared';
import { productUsageKpisSchema, type ProductUsageKpis } from '@kpiwall/shared';
import { createLocalCalendar } from './local-calendar.ts';
import { ProductUsage } from './product-usage.ts';

type Envelope = 'id' | 'type' | 'time' | 'account_id' | 'user_id' | 'received_at' | 'properties';
type Body<T extends EventType> = Omit<KpiEventOf<T>, Envelope>;

let nextId = 0;

const makeEvent = <T extends EventType>(
  type: T,
  time: number,
  user: string,
  body: Body<T>,
  account = 'acme',
): KpiEvent => {
  nextId++;
  return kpiEventSchema.parse({
    id: `evt-${nextId}`,
    type,
    time,
    account_id: account,
    user_id: user,
    received_at: time,
    properties: {},
    ...body,
  });
};

const at = (iso: string): number => Date.parse(iso);
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const page = (user: string, time: string, session: string, account = 'acme'): KpiEvent =>
  makeEvent('page.viewed', at(time), user, { session_id: session, path: '/home' }, account);
const feature = (
  user: string,
  time: string,
  name: string,
  session?: string,
  account = 'acme',
): KpiEvent =>
  makeEvent(
    'feature.used',
    at(time),
    user,
    session === undefined ? { feature: name } : { feature: name, session_id: session },
    account,
  );
const shown = (cta: string, time: string, user = 'u1'): KpiEvent =>
  makeEvent('cta.shown', at(time), user, { cta });
const clicked = (cta: string, time: string, user = 'u1'): KpiEvent =>
  makeEvent('cta.clicked', at(time), user, { cta });
const signedUp = (user: string, time: string, account = 'acme'): KpiEvent =>
  makeEvent('user.signed_up', at(time), user, { plan: 'free' }, account);

const stateWith = (events: readonly KpiEvent[], timeZone = 'UTC'): ProductUsage => {
  const state = new ProductUsage(createLocalCalendar(timeZone));
  for (const event of events) state.apply(event);
  return state;
};

/** as_of throughout: Friday 2026-11-20 18:00 UTC. UTC windows: today from Nov 20 00:00, 7d
 * from Nov 14 00:00, 30d from Oct 22 00:00; rolling 24 h = (Nov 19 18:00, Nov 20 18:00]. */
const AS_OF = at('2026-11-20T18:00:00Z');

/** areaKpis, checked against the shared schema on the way. */
const kpisOf = (state: ProductUsage, asOf = AS_OF): ProductUsageKpis =>
  productUsageKpisSchema.parse(state.kpis(asOf));

const emptyKpis: ProductUsageKpis = {
  dau: 0,
  dau_rolling_24h: 0,
  wau: 0,
  mau: 0,
  stickiness_dau_mau: null,
  active_accounts_today: 0,
  active_accounts_7d: 0,
  active_accounts_30d: 0,
  active_accounts_rolling_24h: 0,
  feature_adoption_percent_today: {},
  feature_adoption_percent_7d: {},
  feature_adoption_percent_30d: {},
  session_duration_median_seconds_today: null,
  session_duration_median_seconds_7d: null,
  session_duration_median_seconds_30d: null,
  session_duration_mean_seconds_today: null,
  session_duration_mean_seconds_7d: null,
  session_duration_mean_seconds_30d: null,
  sessions_ended_today: 0,
  sessions_ended_7d: 0,
  sessions_ended_30d: 0,
  bounce_rate_percent_today: null,
  bounce_rate_percent_7d: null,
  bounce_rate_percent_30d: null,
  ctr_percent_today: {},
  ctr_percent_7d: {},
  ctr_percent_30d: {},
  cta_counts_today: {},
  cta_counts_7d: {},
  cta_counts_30d: {},
};

describe('ProductUsage with no events', () => {
  it('reports zeros, empty records and null where nothing can be divided', () => {
    expect(kpisOf(stateWith([]))).toEqual(emptyKpis);
  });

  it('keeps kpis() to the four wall keys', () => {
    expect(stateWith([]).wallKpis(AS_OF)).toEqual({
      dau: 0,
      wau: 0,
      mau: 0,
      stickiness_dau_mau: null,
    });
  });
});

describe('active users and accounts, rolling 24 h', () => {
  // user@account, time → in which windows (hand-checked against the bounds above):
  //   u1@acme     Nov 20 10:00          today, rolling, 7d, 30d
  //   u2@globex   Nov 19 18:00:00.001   rolling (just after as_of − 24 h), 7d, 30d
  //   u3@initech  Nov 19 18:00:00.000   = as_of − 24 h: not rolling (the window is open there); 7d, 30d
  //   u4@acme     Nov 18 12:00          7d, 30d
  //   u5@umbrella Oct 25 09:00          30d
  //   u6@hooli    Nov 20 18:00:00.001   after as_of: nowhere
  //   u7@stark    cta.shown today       not activity: nowhere
  // Users: today {u1} 1, rolling {u1,u2} 2, 7d {u1..u4} 4, 30d {u1..u5} 5.
  // Accounts: today {acme} 1, rolling {acme, globex} 2, 7d {acme, globex, initech} 3,
  // 30d + umbrella 4.
  const events = [
    page('u1', '2026-11-20T10:00:00Z', 's1', 'acme'),
    signedUp('u2', '2026-11-19T18:00:00.001Z', 'globex'),
    page('u3', '2026-11-19T18:00:00.000Z', 's3', 'initech'),
    feature('u4', '2026-11-18T12:00:00Z', 'export', undefined, 'acme'),
    page('u5', '2026-10-25T09:00:00Z', 's5', 'umbrella'),
    page('u6', '2026-11-20T18:00:00.001Z', 's6', 'hooli'),
    makeEvent('cta.shown', AS_OF - HOUR, 'u7', { cta: 'upgrade' }, 'stark'),
  ];

  it.each([
    { order: 'as listed', list: events },
    { order: 'reversed', list: [...events].reverse() },
  ])('counts users and accounts per window ($order)', ({ list }) => {
    const kpis = kpisOf(stateWith(list));
    expect({
      dau: kpis.dau,
      dau_rolling_24h: kpis.dau_rolling_24h,
      wau: kpis.wau,
      mau: kpis.mau,
      active_accounts_today: kpis.active_accounts_today,
      active_accounts_rolling_24h: kpis.active_accounts_rolling_24h,
      active_accounts_7d: kpis.active_accounts_7d,
      active_accounts_30d: kpis.active_accounts_30d,
    }).toEqual({
      dau: 1,
      dau_rolling_24h: 2,
      wau: 4,
      mau: 5,
      active_accounts_today: 1,
      active_accounts_rolling_24h: 2,
      active_accounts_7d: 3,
      active_accounts_30d: 4,
    });
  });

  // as_of 18:30 puts both ends of the rolling window inside an hour: (Nov 19 18:30, Nov 20 18:30].
  //   a: Nov 19 18:10 and 18:20        both at or before the start → out
  //   b: Nov 19 18:10 and 18:40        the second is in → in
  //   c: Nov 20 18:20 and 18:50        the first is in → in
  //   d: Nov 20 18:50                  after as_of → out
  //   e: Nov 19 18:30 exactly          the open end → out
  it('decides the rolling window by event time inside the boundary hours', () => {
    const state = stateWith([
      page('a', '2026-11-19T18:10:00Z', 'sa', 'A'),
      page('a', '2026-11-19T18:20:00Z', 'sa', 'A'),
      page('b', '2026-11-19T18:40:00Z', 'sb', 'B'),
      page('b', '2026-11-19T18:10:00Z', 'sb', 'B'),
      page('c', '2026-11-20T18:50:00Z', 'sc', 'C'),
      page('c', '2026-11-20T18:20:00Z', 'sc', 'C'),
      page('d', '2026-11-20T18:50:00Z', 'sd', 'D'),
      page('e', '2026-11-19T18:30:00Z', 'se', 'E'),
    ]);
    const kpis = kpisOf(state, at('2026-11-20T18:30:00Z'));
    expect([kpis.dau_rolling_24h, kpis.active_accounts_rolling_24h]).toEqual([2, 2]);
  });

  // Europe/Berlin in November is UTC+1: local midnight of Nov 20 is 2026-11-19T23:00Z.
  it.each([
    { time: '2026-11-19T23:00:00.000Z', today: 1 },
    { time: '2026-11-19T22:59:59.999Z', today: 0 },
  ])('Europe/Berlin: an event at $time is today: $today', ({ time, today }) => {
    const kpis = kpisOf(stateWith([page('u1', time, 's1', 'acme')], 'Europe/Berlin'));
    expect([kpis.dau, kpis.active_accounts_today, kpis.active_accounts_7d]).toEqual([
      today,
      today,
      1,
    ]);
  });
});

describe('feature adoption', () => {
  // Activity per window (as_of Nov 20 18:00 UTC):
  //   u1 today: page + feature export          u2 today: page only
  //   u3 today: feature export only (no other activity — feature.used is activity itself)
  //   u4 today: feature reports, no session    u5 Nov 16 page, Nov 15 feature import
  //   u6 Oct 30 feature export                 u7 feature later at 19:00 (after as_of)
  //   u8 today cta.shown only (not activity)
  // today: active {u1..u4} = 4: export 2/4 = 50, reports 1/4 = 25.
  // 7d:    active {u1..u5} = 5: export 2/5 = 40, reports 20, import 20.
  // 30d:   active {u1..u6} = 6: export 3/6 = 50, reports 1/6, import 1/6 (× 100).
  const events = [
    page('u1', '2026-11-20T09:00:00Z', 's1'),
    feature('u1', '2026-11-20T09:01:00Z', 'export', 's1'),
    page('u2', '2026-11-20T10:00:00Z', 's2'),
    feature('u3', '2026-11-20T11:00:00Z', 'export'),
    feature('u4', '2026-11-20T12:00:00Z', 'reports'),
    page('u5', '2026-11-16T12:00:00Z', 's5'),
    feature('u5', '2026-11-15T12:00:00Z', 'import'),
    feature('u6', '2026-10-30T12:00:00Z', 'export'),
    feature('u7', '2026-11-20T19:00:00Z', 'later'),
    shown('upgrade', '2026-11-20T12:00:00Z', 'u8'),
  ];

  it.each([
    { order: 'as listed', list: events },
    { order: 'reversed', list: [...events].reverse() },
  ])('is users of the feature / active users × 100 ($order)', ({ list }) => {
    const kpis = kpisOf(stateWith(list));
    expect(kpis.feature_adoption_percent_today).toEqual({ export: 50, reports: 25 });
    expect(kpis.feature_adoption_percent_7d).toEqual({ export: 40, reports: 20, import: 20 });
    expect(kpis.feature_adoption_percent_30d).toEqual({
      export: 50,
      reports: (1 / 6) * 100,
      import: (1 / 6) * 100,
    });
  });

  it('is 100 for a feature used by the only user, who has no other activity', () => {
    const kpis = kpisOf(stateWith([feature('solo', '2026-11-20T08:00:00Z', 'export')]));
    expect(kpis.feature_adoption_percent_today).toEqual({ export: 100 });
    expect([kpis.dau, kpis.sessions_ended_today]).toEqual([1, 0]);
  });

  it('counts a user once per feature however often they use it', () => {
    // u1 uses export three times, u2 never: 1 / 2 × 100 = 50.
    const kpis = kpisOf(
      stateWith([
        feature('u1', '2026-11-20T08:00:00Z', 'export'),
        feature('u1', '2026-11-20T09:00:00Z', 'export'),
        feature('u1', '2026-11-19T09:00:00Z', 'export'),
        page('u2', '2026-11-20T10:00:00Z', 's2'),
      ]),
    );
    expect(kpis.feature_adoption_percent_today).toEqual({ export: 50 });
  });
});

describe('sessions: duration, sessions ended, bounce rate', () => {
  // Sessions by (account, session_id), as_of Nov 20 18:00 UTC:
  //   S1 u1: page 09:00, page 09:02, feature 09:05:30 (+ page 18:30, after as_of) → 330 s, today
  //   S2 u1: page 12:00 only                                → 0 s, bounce, today
  //   S3 u1: feature 13:00 only                             → 0 s, not a bounce, today
  //   S4 u2: page 10:00:00, page 10:00:30                   → 30 s, today
  //   S5 u2: page Nov 18 08:00 only                         → 0 s, bounce, 7d
  //   S6 u2: page Nov 19 23:50, page Nov 20 00:10 (spans midnight) → 1200 s, ended today
  //   S7 u3: page Oct 25 10:00, feature 10:01:40            → 100 s, 30d
  //   S8 u3: page 19:00 only (after as_of)                  → not yet a session
  //   u3 feature.used 14:00 without session_id              → no session
  // today: [0, 0, 30, 330, 1200] → n 5, median 30, mean 1560/5 = 312, bounces 1/5 = 20 %.
  // 7d: + S5 → [0, 0, 0, 30, 330, 1200]: median h = 0.5·5 + 1 = 3.5 → 0 + 0.5·30 = 15;
  //     mean 1560/6 = 260; bounces 2/6.
  // 30d: + S7 → [0, 0, 0, 30, 100, 330, 1200]: median 30, mean 1660/7, bounces 2/7.
  const events = [
    page('u1', '2026-11-20T09:00:00Z', 'S1'),
    page('u1', '2026-11-20T09:02:00Z', 'S1'),
    feature('u1', '2026-11-20T09:05:30Z', 'export', 'S1'),
    page('u1', '2026-11-20T18:30:00Z', 'S1'),
    page('u1', '2026-11-20T12:00:00Z', 'S2'),
    feature('u1', '2026-11-20T13:00:00Z', 'export', 'S3'),
    page('u2', '2026-11-20T10:00:00Z', 'S4'),
    page('u2', '2026-11-20T10:00:30Z', 'S4'),
    page('u2', '2026-11-18T08:00:00Z', 'S5'),
    page('u2', '2026-11-19T23:50:00Z', 'S6'),
    page('u2', '2026-11-20T00:10:00Z', 'S6'),
    page('u3', '2026-10-25T10:00:00Z', 'S7'),
    feature('u3', '2026-10-25T10:01:40Z', 'export', 'S7'),
    page('u3', '2026-11-20T19:00:00Z', 'S8'),
    feature('u3', '2026-11-20T14:00:00Z', 'export'),
  ];
  const expected = {
    sessions_ended_today: 5,
    sessions_ended_7d: 6,
    sessions_ended_30d: 7,
    session_duration_median_seconds_today: 30,
    session_duration_median_seconds_7d: 15,
    session_duration_median_seconds_30d: 30,
    session_duration_mean_seconds_today: 312,
    session_duration_mean_seconds_7d: 260,
    session_duration_mean_seconds_30d: 1660 / 7,
    bounce_rate_percent_today: 20,
    bounce_rate_percent_7d: (2 / 6) * 100,
    bounce_rate_percent_30d: (2 / 7) * 100,
  };
  const sessionKeys = (kpis: ProductUsageKpis) => ({
    sessions_ended_today: kpis.sessions_ended_today,
    sessions_ended_7d: kpis.sessions_ended_7d,
    sessions_ended_30d: kpis.sessions_ended_30d,
    session_duration_median_seconds_today: kpis.session_duration_median_seconds_today,
    session_duration_median_seconds_7d: kpis.session_duration_median_seconds_7d,
    session_duration_median_seconds_30d: kpis.session_duration_median_seconds_30d,
    session_duration_mean_seconds_today: kpis.session_duration_mean_seconds_today,
    session_duration_mean_seconds_7d: kpis.session_duration_mean_seconds_7d,
    session_duration_mean_seconds_30d: kpis.session_duration_mean_seconds_30d,
    bounce_rate_percent_today: kpis.bounce_rate_percent_today,
    bounce_rate_percent_7d: kpis.bounce_rate_percent_7d,
    bounce_rate_percent_30d: kpis.bounce_rate_percent_30d,
  });

  it.each([
    { order: 'as listed', list: events },
    { order: 'reversed', list: [...events].reverse() },
    { order: 'newest first', list: [...events].sort((a, b) => b.time - a.time) },
    {
      order: 'interleaved',
      list: events.filter((_, i) => i % 2 === 1).concat(events.filter((_, i) => i % 2 === 0)),
    },
  ])('follows KPIS.md whatever the arrival order ($order)', ({ list }) => {
    const kpis = kpisOf(stateWith(list));
    expect(sessionKeys(kpis)).toEqual({
      ...expected,
      session_duration_mean_seconds_30d: expect.closeTo(1660 / 7, 9) as number,
      bounce_rate_percent_7d: expect.closeTo((2 / 6) * 100, 9) as number,
      bounce_rate_percent_30d: expect.closeTo((2 / 7) * 100, 9) as number,
    });
  });

  it('reads a session as of as_of: later events lengthen it and move it to their day', () => {
    // As of 2026-11-20T19:00Z: S1 now ends 18:30 → 09:00–18:30 = 34 200 s; S8 (19:00) is a
    // bounce today. today: [0 (S2), 0 (S3), 0 (S8), 30, 1200, 34 200] → n 6, bounces S2, S8.
    const kpis = kpisOf(stateWith(events), at('2026-11-20T19:00:00Z'));
    expect(kpis.sessions_ended_today).toBe(6);
    expect(kpis.session_duration_mean_seconds_today).toBeCloseTo((30 + 1200 + 34_200) / 6, 9);
    // Median h = 0.5·5 + 1 = 3.5 → 0 + 0.5·(30 − 0) = 15.
    expect(kpis.session_duration_median_seconds_today).toBe(15);
    expect(kpis.bounce_rate_percent_today).toBeCloseTo((2 / 6) * 100, 9);
  });

  it('counts a session in the window of its last event at or before as_of', () => {
    // page Nov 19 23:00, page Nov 20 19:00. As of Nov 20 18:00 only the first has happened:
    // one page view → a bounce of 0 s that ended yesterday (7d, not today).
    const state = stateWith([
      page('u1', '2026-11-20T19:00:00Z', 'S'),
      page('u1', '2026-11-19T23:00:00Z', 'S'),
    ]);
    const kpis = kpisOf(state);
    expect([kpis.sessions_ended_today, kpis.sessions_ended_7d]).toEqual([0, 1]);
    expect([kpis.bounce_rate_percent_7d, kpis.session_duration_mean_seconds_7d]).toEqual([100, 0]);
  });

  it('does not call a session of one feature.used a bounce, nor one of two page views', () => {
    // A: feature only (0 s). B: two page views at the same instant (0 s, two events).
    // C: one page view (bounce). Bounce rate 1/3.
    const kpis = kpisOf(
      stateWith([
        feature('u1', '2026-11-20T08:00:00Z', 'export', 'A'),
        page('u1', '2026-11-20T09:00:00Z', 'B'),
        page('u1', '2026-11-20T09:00:00Z', 'B'),
        page('u2', '2026-11-20T10:00:00Z', 'C'),
      ]),
    );
    expect(kpis.sessions_ended_today).toBe(3);
    expect(kpis.bounce_rate_percent_today).toBeCloseTo(100 / 3, 9);
    expect(kpis.session_duration_median_seconds_today).toBe(0);
  });

  it('identifies a session by (account_id, session_id)', () => {
    // "s" in acme: u1 09:00 and u2 09:10 → one session of 600 s (a shared session_id in one
    // account is one session). "s" in globex: 09:00 → another session, a bounce.
    const kpis = kpisOf(
      stateWith([
        page('u1', '2026-11-20T09:00:00Z', 's', 'acme'),
        page('u2', '2026-11-20T09:10:00Z', 's', 'acme'),
        page('u3', '2026-11-20T09:00:00Z', 's', 'globex'),
      ]),
    );
    expect(kpis.sessions_ended_today).toBe(2);
    expect(kpis.session_duration_mean_seconds_today).toBe(300);
    expect(kpis.bounce_rate_percent_today).toBe(50);
  });

  // A session page 2026-11-19T22:50Z, page 23:10Z (1200 s). UTC: both on Nov 19 → ended
  // yesterday. Europe/Berlin (UTC+1): 23:50 Nov 19 → 00:10 Nov 20, ended today.
  it.each([
    { tz: 'UTC', today: 0, sevenDays: 1 },
    { tz: 'Europe/Berlin', today: 1, sevenDays: 1 },
  ])(
    'a session across local midnight ends on its last event’s day ($tz)',
    ({ tz, today, sevenDays }) => {
      const kpis = kpisOf(
        stateWith(
          [page('u1', '2026-11-19T23:10:00Z', 'S'), page('u1', '2026-11-19T22:50:00Z', 'S')],
          tz,
        ),
      );
      expect([kpis.sessions_ended_today, kpis.sessions_ended_7d]).toEqual([today, sevenDays]);
      expect(kpis.session_duration_mean_seconds_7d).toBe(1200);
    },
  );

  // Berlin midnight of Nov 20 = 2026-11-19T23:00Z: a one-page session exactly then is today's.
  it.each([
    { time: '2026-11-19T23:00:00.000Z', today: 1 },
    { time: '2026-11-19T22:59:59.999Z', today: 0 },
  ])('Europe/Berlin: a bounce at $time ended today: $today', ({ time, today }) => {
    const kpis = kpisOf(stateWith([page('u1', time, 'S')], 'Europe/Berlin'));
    expect(kpis.sessions_ended_today).toBe(today);
    expect(kpis.bounce_rate_percent_today).toBe(today === 1 ? 100 : null);
  });
});

describe('CTAs: click-through rate and counts', () => {
  // upgrade: shown ×4 today, clicked ×1 today (+ clicked 1 ms after as_of); Nov 15 shown 1,
  //          clicked 1.
  // invite:  clicked today without being shown.
  // demo:    shown ×2 today; Oct 23 shown 1, clicked 1.
  // Oct 21 (before 30d): upgrade shown 1.
  // today: upgrade 1/4 = 25, invite null {0, 1}, demo 0/2 = 0.
  // 7d:    upgrade 2/5 = 40, invite null, demo 0.
  // 30d:   upgrade 40, invite null, demo 1/3.
  const events = [
    shown('upgrade', '2026-11-20T09:00:00Z'),
    shown('upgrade', '2026-11-20T10:00:00Z', 'u2'),
    shown('upgrade', '2026-11-20T11:00:00Z', 'u3'),
    shown('upgrade', '2026-11-20T12:00:00Z'),
    clicked('upgrade', '2026-11-20T12:00:05Z'),
    clicked('upgrade', '2026-11-20T18:00:00.001Z'),
    shown('upgrade', '2026-11-15T12:00:00Z'),
    clicked('upgrade', '2026-11-15T12:00:03Z'),
    clicked('invite', '2026-11-20T13:00:00Z'),
    shown('demo', '2026-11-20T14:00:00Z'),
    shown('demo', '2026-11-20T15:00:00Z'),
    shown('demo', '2026-10-23T15:00:00Z'),
    clicked('demo', '2026-10-23T15:00:10Z'),
    shown('upgrade', '2026-10-21T12:00:00Z'),
  ];

  it.each([
    { order: 'as listed', list: events },
    { order: 'reversed', list: [...events].reverse() },
  ])('divides clicks by shows per CTA and window ($order)', ({ list }) => {
    const kpis = kpisOf(stateWith(list));
    expect(kpis.cta_counts_today).toEqual({
      upgrade: { shown: 4, clicked: 1 },
      invite: { shown: 0, clicked: 1 },
      demo: { shown: 2, clicked: 0 },
    });
    expect(kpis.ctr_percent_today).toEqual({ upgrade: 25, invite: null, demo: 0 });
    expect(kpis.cta_counts_7d).toEqual({
      upgrade: { shown: 5, clicked: 2 },
      invite: { shown: 0, clicked: 1 },
      demo: { shown: 2, clicked: 0 },
    });
    expect(kpis.ctr_percent_7d).toEqual({ upgrade: 40, invite: null, demo: 0 });
    expect(kpis.cta_counts_30d).toEqual({
      upgrade: { shown: 5, clicked: 2 },
      invite: { shown: 0, clicked: 1 },
      demo: { shown: 3, clicked: 1 },
    });
    expect(kpis.ctr_percent_30d).toEqual({ upgrade: 40, invite: null, demo: (1 / 3) * 100 });
    // CTA events are not activity.
    expect([kpis.dau, kpis.mau, kpis.active_accounts_30d]).toEqual([0, 0, 0]);
  });

  it('uses local days: Europe/Berlin midnight', () => {
    // Shown 2026-11-19T23:00Z (00:00 Nov 20 Berlin: today), clicked 22:59:59.999Z (yesterday).
    const kpis = kpisOf(
      stateWith(
        [shown('x', '2026-11-19T23:00:00.000Z'), clicked('x', '2026-11-19T22:59:59.999Z')],
        'Europe/Berlin',
      ),
    );
    expect(kpis.cta_counts_today).toEqual({ x: { shown: 1, clicked: 0 } });
    expect(kpis.ctr_percent_7d).toEqual({ x: 100 });
  });
});

describe('memory: forgetBefore', () => {
  it('changes nothing for windows ending at as_of or later', () => {
    const events = [
      page('u1', '2026-11-20T09:00:00Z', 'S1'),
      page('u1', '2026-11-20T09:10:00Z', 'S1'),
      page('u2', '2026-10-22T00:00:00Z', 'S2'),
      page('u3', '2026-10-21T23:59:59.999Z', 'S3'),
      feature('u2', '2026-10-22T01:00:00Z', 'export'),
      shown('upgrade', '2026-10-22T02:00:00Z'),
      clicked('upgrade', '2026-11-19T20:00:00Z'),
    ];
    const state = stateWith(events);
    const before = kpisOf(state);
    state.forgetBefore(AS_OF);
    expect(kpisOf(state)).toEqual(before);
    // S1 600 s and S2 0 s (a bounce, Oct 22 = first day of the 30d window); S3 is outside.
    expect(before.sessions_ended_30d).toBe(2);
    expect(before.bounce_rate_percent_30d).toBe(50);
  });

  it('keeps a session that started before the window and continues into it', () => {
    // The session's page at Oct 22 00:05 is in the 30d window; after forgetBefore(as_of) its
    // first page (Oct 21 23:55, before the window) arrives late: one session of 600 s.
    const state = stateWith([page('u1', '2026-10-22T00:05:00Z', 'S')]);
    state.forgetBefore(AS_OF);
    state.apply(page('u1', '2026-10-21T23:55:00Z', 'S'));
    const kpis = kpisOf(state);
    expect([kpis.sessions_ended_30d, kpis.session_duration_mean_seconds_30d]).toEqual([1, 600]);
    expect(kpis.bounce_rate_percent_30d).toBe(0);
  });

  it('drops a session whose events all lie before the window (documented limit)', () => {
    // S: page Oct 21 23:00, dropped by forgetBefore(as_of). A page of S at Oct 22 00:30 that
    // arrives afterwards starts a new session (a bounce of 0 s), as documented.
    const state = stateWith([page('u1', '2026-10-21T23:00:00Z', 'S')]);
    state.forgetBefore(AS_OF);
    state.apply(page('u1', '2026-10-22T00:30:00Z', 'S'));
    const kpis = kpisOf(state);
    expect([kpis.sessions_ended_30d, kpis.session_duration_mean_seconds_30d]).toEqual([1, 0]);
  });

  it('lets go of a day when the window moves past it', () => {
    // Oct 22 activity, session, feature and CTA; one day later the 30d window starts Oct 23.
    const state = stateWith([
      page('u1', '2026-10-22T08:00:00Z', 'S'),
      feature('u1', '2026-10-22T08:01:00Z', 'export', 'S'),
      shown('upgrade', '2026-10-22T08:02:00Z'),
    ]);
    state.forgetBefore(AS_OF);
    expect(kpisOf(state).sessions_ended_30d).toBe(1);
    state.forgetBefore(AS_OF + DAY);
    expect(kpisOf(state, AS_OF + DAY)).toEqual(emptyKpis);
  });

  it('still counts rolling-24h activity that arrives late', () => {
    // forgetBefore(as_of), then an event at as_of − 23 h: in the rolling window.
    const state = stateWith([]);
    state.forgetBefore(AS_OF);
    state.apply(page('u1', '2026-11-19T19:00:00Z', 'S', 'acme'));
    const kpis = kpisOf(state);
    expect([kpis.dau_rolling_24h, kpis.active_accounts_rolling_24h, kpis.dau]).toEqual([1, 1, 0]);
  });
});
