// Unit tests for churn signals and health (KPIS.md, "Churn signals and health"). Every expected
// value is worked out by hand from KPIS.md in the comment or table next to it; windows are
// rolling: "last N d" = (as_of − N × 24 h, as_of], "the 28 d before" = (as_of − 35 d, as_of − 7 d]
// in four weeks (as_of − (7k + 7) d, as_of − 7k d], k = 1…4.
import { describe, expect, it } from 'vitest';
import {
  kpiEventSchema,
  type KpiEvent,
  type KpiEventOf,
  type TicketPriority,
} from '@kpiwall/shared';
import {
  healthKpisSchema,
  type AccountHealth,
  type HealthSignal,
  type HealthSignalInputs,
} from '@kpiwall/shared';
import { Health, type HealthOptions } from './health.ts';

const secondMs = 1_000;
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const asOf = Date.parse('2026-11-10T10:00:00.000Z');

// ---------------------------------------------------------------------------------------------
// Event builders: each goes through the contract's schema, so it is a valid KpiEvent.
// ---------------------------------------------------------------------------------------------

let nextId = 0;
const envelope = (account: string, time: number, user: string | null = null) => {
  nextId++;
  return {
    id: `evt-${nextId}`,
    time,
    account_id: account,
    user_id: user,
    received_at: asOf,
    properties: {},
  };
};
const parse = <T extends KpiEvent['type']>(raw: KpiEventOf<T>): KpiEventOf<T> =>
  kpiEventSchema.parse(raw) as KpiEventOf<T>;

const viewed = (account: string, user: string, time: number) =>
  parse({ ...envelope(account, time, user), type: 'page.viewed', session_id: 's', path: '/' });
const featureUsed = (account: string, user: string, time: number) =>
  parse({ ...envelope(account, time, user), type: 'feature.used', feature: 'search' });
const ctaClicked = (account: string, user: string, time: number) =>
  parse({ ...envelope(account, time, user), type: 'cta.clicked', cta: 'upgrade' });
const started = (account: string, mrr: number, time: number) =>
  parse({
    ...envelope(account, time),
    type: 'subscription.started',
    plan: 'p',
    mrr_cents: mrr,
  });
const changed = (account: string, before: number, after: number, time: number) =>
  parse({
    ...envelope(account, time),
    type: 'subscription.changed',
    from_plan: 'a',
    to_plan: 'b',
    mrr_cents_before: before,
    mrr_cents_after: after,
  });
const cancelled = (account: string, lost: number, time: number) =>
  parse({ ...envelope(account, time), type: 'subscription.cancelled', mrr_cents_lost: lost });
const created = (account: string, ticket: string, time: number, priority: TicketPriority) =>
  parse({
    ...envelope(account, time, 'requester'),
    type: 'ticket.created',
    ticket_id: ticket,
    priority,
    channel: 'email',
  });
const replied = (
  account: string,
  ticket: string,
  time: number,
  author: 'agent' | 'bot' | 'requester' = 'agent',
  isPublic = true,
) =>
  parse({
    ...envelope(account, time),
    type: 'ticket.replied',
    ticket_id: ticket,
    author,
    public: isPublic,
  });
const solved = (account: string, ticket: string, time: number) =>
  parse({ ...envelope(account, time), type: 'ticket.solved', ticket_id: ticket });
const reopened = (account: string, ticket: string, time: number) =>
  parse({ ...envelope(account, time), type: 'ticket.reopened', ticket_id: ticket });
const answered = (account: string, kind: 'nps' | 'csat' | 'ces', score: number, time: number) =>
  parse({ ...envelope(account, time, 'someone'), type: 'survey.answered', kind, score });

const stateOf = (events: readonly KpiEvent[], options?: HealthOptions): Health => {
  const health = new Health(options);
  for (const event of events) health.apply(event);
  return health;
};

const scoreOf = (health: Health, account: string, at = asOf): AccountHealth => {
  const kpis = health.kpis(at);
  expect(healthKpisSchema.parse(kpis)).toEqual(kpis);
  const found = kpis.health_scores.find((entry) => entry.account_id === account);
  if (!found) throw new Error(`${account} has no health score`);
  return found;
};

const inputsOf = (health: Health, account: string, at = asOf): HealthSignalInputs => {
  const found = health.kpis(at).health_signals.find((entry) => entry.account_id === account);
  if (!found) throw new Error(`${account} has no health signals`);
  return found;
};

const fires = (events: readonly KpiEvent[], account: string, signal: HealthSignal): boolean =>
  scoreOf(stateOf(events), account).signals.includes(signal);

/** `counts[0]` distinct users in the last 7 d, then `counts[k]` in prior week k (mid-week). */
const usersPerWeek = (account: string, counts: readonly number[]): KpiEvent[] =>
  counts.flatMap((users, week) =>
    Array.from({ length: users }, (_, i) =>
      viewed(account, `w${week}-u${i}`, asOf - week * 7 * dayMs - 3.5 * dayMs),
    ),
  );

// ---------------------------------------------------------------------------------------------

describe('usage_drop_50 / usage_drop_25', () => {
  // mean = (w1 + w2 + w3 + w4) / 4; drop = (mean − last7) / mean × 100.
  it.each([
    // last7, weeks, mean, drop %, 50?, 25?
    { last7: 2, weeks: [4, 4, 4, 4], mean: 4, drop: 50, d50: true, d25: false }, // exactly 50 %
    { last7: 3, weeks: [4, 4, 4, 4], mean: 4, drop: 25, d50: false, d25: true }, // exactly 25 %
    { last7: 4, weeks: [4, 4, 4, 4], mean: 4, drop: 0, d50: false, d25: false },
    { last7: 5, weeks: [4, 4, 4, 4], mean: 4, drop: -25, d50: false, d25: false }, // growth
    // mean 2.75: 1.375 is half; 2 users is (0.75 / 2.75) = 27.27… % down
    { last7: 2, weeks: [3, 3, 3, 2], mean: 2.75, drop: (0.75 / 2.75) * 100, d50: false, d25: true },
    // mean 2.75, 1 user: (1.75 / 2.75) = 63.6… % down
    { last7: 1, weeks: [3, 3, 3, 2], mean: 2.75, drop: (1.75 / 2.75) * 100, d50: true, d25: false },
    // mean 0.5, nobody now: 100 % down
    { last7: 0, weeks: [2, 0, 0, 0], mean: 0.5, drop: 100, d50: true, d25: false },
    // the 28 d had no active user: neither fires, the drop is null
    { last7: 0, weeks: [0, 0, 0, 0], mean: 0, drop: null, d50: false, d25: false },
    { last7: 3, weeks: [0, 0, 0, 0], mean: 0, drop: null, d50: false, d25: false },
  ])('last 7 d $last7 vs weeks $weeks', ({ last7, weeks, mean, drop, d50, d25 }) => {
    // the subscription event makes the account exist when nobody is active
    const health = stateOf([
      started('acct', 0, asOf - 60 * dayMs),
      ...usersPerWeek('acct', [last7, ...weeks]),
    ]);
    const inputs = inputsOf(health, 'acct');
    expect(inputs.active_users_7d).toBe(last7);
    expect(inputs.active_users_weekly_prior_28d).toEqual(weeks);
    expect(inputs.active_users_weekly_mean_prior_28d).toBe(mean);
    expect(inputs.usage_drop_percent).toBe(drop);
    const signals = scoreOf(health, 'acct').signals;
    expect(signals.includes('usage_drop_50')).toBe(d50);
    expect(signals.includes('usage_drop_25')).toBe(d25);
  });

  it('counts each user once per window and puts window edges on the right side', () => {
    const health = stateOf([
      // u1: three events in the last 7 d → 1 user
      viewed('acct', 'u1', asOf),
      featureUsed('acct', 'u1', asOf - dayMs),
      viewed('acct', 'u1', asOf - 7 * dayMs + 1),
      // u2: exactly as_of − 7 d → week 1, not the last 7 d
      viewed('acct', 'u2', asOf - 7 * dayMs),
      // u3: exactly as_of − 14 d → week 1's start is excluded → week 2
      viewed('acct', 'u3', asOf - 14 * dayMs),
      // u4: as_of − 35 d + 1 ms → week 4; u5: exactly as_of − 35 d → no window
      viewed('acct', 'u4', asOf - 35 * dayMs + 1),
      viewed('acct', 'u5', asOf - 35 * dayMs),
      // after as_of: ignored
      viewed('acct', 'u6', asOf + 1),
      // not activity: CTA clicks
      ctaClicked('acct', 'u7', asOf - hourMs),
    ]);
    const inputs = inputsOf(health, 'acct');
    expect(inputs.active_users_7d).toBe(1);
    expect(inputs.active_users_weekly_prior_28d).toEqual([1, 1, 0, 1]);
    // mean 3/4 = 0.75; 1 user now is (0.75 − 1) / 0.75 = −33.3… %
    expect(inputs.active_users_weekly_mean_prior_28d).toBe(0.75);
    expect(inputs.usage_drop_percent).toBe((-0.25 / 0.75) * 100);
  });
});

describe('dormant_14d', () => {
  it.each([
    // last activity, fires, seconds since it
    { label: 'exactly as_of − 14 d', last: asOf - 14 * dayMs, fires: true, seconds: 1_209_600 },
    {
      label: 'as_of − 14 d + 1 ms',
      last: asOf - 14 * dayMs + 1,
      fires: false,
      seconds: 1_209_599.999,
    },
    { label: 'at as_of', last: asOf, fires: false, seconds: 0 },
    { label: 'as_of − 40 d', last: asOf - 40 * dayMs, fires: true, seconds: 3_456_000 },
  ])('last activity $label', ({ last, fires: expected, seconds }) => {
    const health = stateOf([viewed('acct', 'u1', last - dayMs), viewed('acct', 'u1', last)]);
    expect(scoreOf(health, 'acct').signals.includes('dormant_14d')).toBe(expected);
    expect(inputsOf(health, 'acct').seconds_since_last_activity).toBe(seconds);
  });

  it('fires for an account that never had activity, and ignores later and non-activity events', () => {
    const health = stateOf([
      started('acct', 1_000, asOf - 60 * dayMs),
      ctaClicked('acct', 'u1', asOf - hourMs),
      created('acct', 'T1', asOf - hourMs, 'low'),
      viewed('acct', 'u1', asOf + 1),
    ]);
    expect(scoreOf(health, 'acct').signals).toEqual(['dormant_14d']);
    expect(inputsOf(health, 'acct').seconds_since_last_activity).toBeNull();
  });
});

describe('ticket_spike_7d', () => {
  // Fires when last7 ≥ 5 and last7 > 1.5 × prior / 4. Tickets are solved at once, unreplied,
  // so that no SLA count moves.
  const tickets = (last7: number, prior: number): KpiEvent[] => [
    ...Array.from({ length: last7 }, (_, i) => [
      created('acct', `N${i}`, asOf - dayMs - i * hourMs, 'low'),
      solved('acct', `N${i}`, asOf - dayMs - i * hourMs + 1),
    ]).flat(),
    ...Array.from({ length: prior }, (_, i) => [
      created('acct', `P${i}`, asOf - 8 * dayMs - i * hourMs, 'low'),
      solved('acct', `P${i}`, asOf - 8 * dayMs - i * hourMs + 1),
    ]).flat(),
  ];

  it.each([
    // last7, prior, mean, 1.5 × mean, fires
    { last7: 5, prior: 13, mean: 3.25, fires: true }, // 5 > 4.875
    { last7: 5, prior: 14, mean: 3.5, fires: false }, // 5 > 5.25 no
    { last7: 6, prior: 16, mean: 4, fires: false }, // 6 > 6 no: exactly 1.5 ×
    { last7: 6, prior: 15, mean: 3.75, fires: true }, // 6 > 5.625
    { last7: 4, prior: 0, mean: 0, fires: false }, // fewer than 5
    { last7: 5, prior: 0, mean: 0, fires: true }, // 5 > 0
  ])('$last7 tickets vs $prior in the 28 d before', ({ last7, prior, mean, fires: expected }) => {
    const health = stateOf(tickets(last7, prior));
    const inputs = inputsOf(health, 'acct');
    expect(inputs.tickets_created_7d).toBe(last7);
    expect(inputs.tickets_created_weekly_mean_prior_28d).toBe(mean);
    expect(inputs.sla_breaches_7d).toBe(0);
    expect(scoreOf(health, 'acct').signals.includes('ticket_spike_7d')).toBe(expected);
  });

  it('counts a ticket once at its earliest creation, with window edges', () => {
    const inputs = inputsOf(
      stateOf([
        // created twice: counts once, at its earliest creation (as_of − 7 d → prior)
        created('acct', 'A', asOf - 2 * dayMs, 'low'),
        created('acct', 'A', asOf - 7 * dayMs, 'low'),
        created('acct', 'B', asOf - 7 * dayMs + 1, 'low'), // last 7 d
        created('acct', 'C', asOf - 35 * dayMs, 'low'), // no window
        created('acct', 'D', asOf + 1, 'low'), // after as_of
        ...['A', 'B', 'C'].map((t) => solved('acct', t, asOf - hourMs)),
      ]),
      'acct',
    );
    expect(inputs.tickets_created_7d).toBe(1);
    expect(inputs.tickets_created_weekly_mean_prior_28d).toBe(0.25);
  });
});

describe('sla_breaches_7d_ge_3', () => {
  // Normal priority: first reply due 8 h after creation; a reply exactly then is on time.
  const lateReply = (ticket: string, createdAt: number, replyAt: number) => [
    created('acct', ticket, createdAt, 'normal'),
    replied('acct', ticket, replyAt),
  ];

  it('counts late first replies in the last 7 d and open unreplied tickets past target', () => {
    const events = [
      // L1: replied 8 h + 1 ms after creation, in the window → late
      ...lateReply('L1', asOf - 3 * dayMs, asOf - 3 * dayMs + 8 * hourMs + 1),
      // L2: replied exactly at the target → on time
      ...lateReply('L2', asOf - 3 * dayMs, asOf - 3 * dayMs + 8 * hourMs),
      // L3: created 10 d ago, first replied 6 d ago (late) → counts: the reply is in the window
      ...lateReply('L3', asOf - 10 * dayMs, asOf - 6 * dayMs),
      // L4: late first reply exactly at as_of − 7 d → outside the window
      ...lateReply('L4', asOf - 9 * dayMs, asOf - 7 * dayMs),
      // L5: a second, later agent reply in the window does not make it a first reply
      ...lateReply('L5', asOf - 20 * dayMs, asOf - 19 * dayMs),
      replied('acct', 'L5', asOf - dayMs),
      // O1: unreplied, due at as_of − 1 ms → past target
      created('acct', 'O1', asOf - 8 * hourMs - 1, 'normal'),
      // O2: unreplied, due exactly at as_of → not past
      created('acct', 'O2', asOf - 8 * hourMs, 'normal'),
      // O3: bot reply, internal note and requester message are not replies → past target
      created('acct', 'O3', asOf - 2 * dayMs, 'urgent'),
      replied('acct', 'O3', asOf - 2 * dayMs + 1, 'bot'),
      replied('acct', 'O3', asOf - 2 * dayMs + 2, 'agent', false),
      replied('acct', 'O3', asOf - 2 * dayMs + 3, 'requester'),
      // O4: solved without reply → not open
      created('acct', 'O4', asOf - 2 * dayMs, 'low'),
      solved('acct', 'O4', asOf - dayMs),
      // O5: solved, then reopened → open again, unreplied past target
      created('acct', 'O5', asOf - 40 * dayMs, 'low'),
      solved('acct', 'O5', asOf - 39 * dayMs),
      reopened('acct', 'O5', asOf - 30 * dayMs),
      // O6: its reply comes after as_of → unreplied as of as_of, past target
      created('acct', 'O6', asOf - 2 * hourMs, 'urgent'),
      replied('acct', 'O6', asOf + 1),
      // O7: created after as_of → not counted
      created('acct', 'O7', asOf + 1, 'urgent'),
    ];
    const inputs = inputsOf(stateOf(events), 'acct');
    // late: L1, L3 → 2; open unreplied past target: O1, O3, O5, O6 → 4
    expect(inputs.late_first_replies_7d).toBe(2);
    expect(inputs.open_unreplied_past_target).toBe(4);
    expect(inputs.sla_breaches_7d).toBe(6);
  });

  it.each([
    // late replies, open unreplied past target, fires (≥ 3)
    { late: 2, open: 0, fires: false },
    { late: 2, open: 1, fires: true },
    { late: 0, open: 3, fires: true },
    { late: 3, open: 0, fires: true },
  ])('$late late + $open open → fires: $fires', ({ late, open, fires: expected }) => {
    const events = [
      ...Array.from({ length: late }, (_, i) =>
        lateReply(`L${i}`, asOf - 2 * dayMs, asOf - 2 * dayMs + 9 * hourMs),
      ).flat(),
      ...Array.from({ length: open }, (_, i) => created('acct', `O${i}`, asOf - dayMs, 'normal')),
    ];
    expect(fires(events, 'acct', 'sla_breaches_7d_ge_3')).toBe(expected);
  });

  it('uses configured targets', () => {
    // normal target 1 h: a reply 2 h after creation is late; a ticket 90 min old is past target
    const events = [
      ...lateReply('L', asOf - dayMs, asOf - dayMs + 2 * hourMs),
      created('acct', 'O', asOf - 90 * 60 * secondMs, 'normal'),
    ];
    const targets = { urgent: hourMs, high: hourMs, normal: hourMs, low: hourMs };
    const inputs = inputsOf(stateOf(events, { slaTargetsMs: targets }), 'acct');
    expect(inputs.late_first_replies_7d).toBe(1);
    expect(inputs.open_unreplied_past_target).toBe(1);
    // with the defaults (8 h) neither is past its target
    expect(inputsOf(stateOf(events), 'acct').sla_breaches_7d).toBe(0);
  });
});

describe('reopened_7d_ge_2', () => {
  it.each([
    // reopen times, count, fires
    { times: [asOf - dayMs, asOf - 2 * dayMs], count: 2, fires: true },
    { times: [asOf - dayMs, asOf - 7 * dayMs], count: 1, fires: false }, // edge excluded
    { times: [asOf - 7 * dayMs + 1, asOf], count: 2, fires: true }, // both edges in
    { times: [asOf - dayMs, asOf + 1], count: 1, fires: false }, // after as_of
  ])('reopened at $times', ({ times, count, fires: expected }) => {
    // the same ticket reopened twice counts twice
    const events = times.map((time) => reopened('acct', 'T', time));
    const health = stateOf(events);
    expect(inputsOf(health, 'acct').reopened_7d).toBe(count);
    expect(scoreOf(health, 'acct').signals.includes('reopened_7d_ge_2')).toBe(expected);
  });
});

describe('nps_detractor_latest_30d and csat_low_latest_30d', () => {
  it.each([
    // answers [score, time] in arrival order; latest in (as_of − 30 d, as_of]; fires
    { kind: 'nps', answers: [[6, asOf - dayMs]], latest: 6, fires: true },
    { kind: 'nps', answers: [[7, asOf - dayMs]], latest: 7, fires: false },
    {
      kind: 'nps',
      answers: [
        [0, asOf - 2 * dayMs],
        [9, asOf - dayMs],
      ],
      latest: 9,
      fires: false,
    },
    // the later answer arrives first: still the later by event time wins
    {
      kind: 'nps',
      answers: [
        [9, asOf - dayMs],
        [0, asOf - 2 * dayMs],
      ],
      latest: 9,
      fires: false,
    },
    {
      kind: 'nps',
      answers: [
        [9, asOf - 2 * dayMs],
        [3, asOf - dayMs],
      ],
      latest: 3,
      fires: true,
    },
    // window edges
    { kind: 'nps', answers: [[0, asOf - 30 * dayMs]], latest: null, fires: false },
    { kind: 'nps', answers: [[0, asOf - 30 * dayMs + 1]], latest: 0, fires: true },
    {
      kind: 'nps',
      answers: [
        [10, asOf - 31 * dayMs],
        [5, asOf],
      ],
      latest: 5,
      fires: true,
    },
    {
      kind: 'nps',
      answers: [
        [8, asOf - dayMs],
        [2, asOf + 1],
      ],
      latest: 8,
      fires: false,
    },
    // ties at one instant go to the answer received last
    {
      kind: 'nps',
      answers: [
        [3, asOf - dayMs],
        [9, asOf - dayMs],
      ],
      latest: 9,
      fires: false,
    },
    {
      kind: 'nps',
      answers: [
        [9, asOf - dayMs],
        [3, asOf - dayMs],
      ],
      latest: 3,
      fires: true,
    },
    { kind: 'csat', answers: [[2, asOf - dayMs]], latest: 2, fires: true },
    { kind: 'csat', answers: [[1, asOf - dayMs]], latest: 1, fires: true },
    { kind: 'csat', answers: [[3, asOf - dayMs]], latest: 3, fires: false },
    {
      kind: 'csat',
      answers: [
        [1, asOf - 2 * dayMs],
        [5, asOf - dayMs],
      ],
      latest: 5,
      fires: false,
    },
    {
      kind: 'csat',
      answers: [
        [5, asOf - dayMs],
        [1, asOf - dayMs],
      ],
      latest: 1,
      fires: true,
    },
    {
      kind: 'csat',
      answers: [
        [1, asOf - dayMs],
        [5, asOf - dayMs],
      ],
      latest: 5,
      fires: false,
    },
    { kind: 'csat', answers: [[1, asOf - 30 * dayMs]], latest: null, fires: false },
  ] as const)('$kind $answers', ({ kind, answers, latest, fires: expected }) => {
    const health = stateOf([
      ...answers.map(([score, time]) => answered('acct', kind, score, time)),
      // the other survey kinds never count
      answered('acct', 'ces', 1, asOf - hourMs),
    ]);
    const inputs = inputsOf(health, 'acct');
    const signal = kind === 'nps' ? 'nps_detractor_latest_30d' : 'csat_low_latest_30d';
    expect(kind === 'nps' ? inputs.latest_nps_score_30d : inputs.latest_csat_score_30d).toBe(
      latest,
    );
    expect(scoreOf(health, 'acct').signals.includes(signal)).toBe(expected);
  });
});

describe('downgrade_30d', () => {
  it.each([
    // change [before, after, time], downgrades, fires
    { change: [5_000, 3_000, asOf - 30 * dayMs + 1], count: 1, fires: true },
    { change: [5_000, 3_000, asOf - 30 * dayMs], count: 0, fires: false }, // edge excluded
    { change: [3_000, 5_000, asOf - dayMs], count: 0, fires: false }, // upgrade
    { change: [5_000, 5_000, asOf - dayMs], count: 0, fires: false }, // same MRR
    { change: [5_000, 3_000, asOf + 1], count: 0, fires: false }, // after as_of
    { change: [5_000, 0, asOf - dayMs], count: 1, fires: true }, // to 0: a downgrade, and churn
  ] as const)('$change', ({ change: [before, after, time], count, fires: expected }) => {
    const health = stateOf([
      started('acct', before, asOf - 60 * dayMs),
      changed('acct', before, after, time),
    ]);
    expect(inputsOf(health, 'acct').downgrades_30d).toBe(count);
    expect(scoreOf(health, 'acct').signals.includes('downgrade_30d')).toBe(expected);
  });
});

describe('churn, MRR and the score', () => {
  // Each account has a user active in the last 7 d and every prior week, so no signal fires
  // unless the case adds one.
  const active = (account: string) => usersPerWeek(account, [1, 1, 1, 1, 1]);

  it.each([
    {
      label: 'a cancellation',
      subscription: [started('a', 9_000, asOf - 50 * dayMs), cancelled('a', 9_000, asOf - dayMs)],
      expected: { score: 0, churned: true, mrr_cents: 0 },
    },
    {
      label: 'a change to MRR 0',
      subscription: [
        started('a', 9_000, asOf - 50 * dayMs),
        changed('a', 9_000, 0, asOf - 40 * dayMs),
      ],
      // the change is 40 d old: no downgrade_30d, still churned
      expected: { score: 0, churned: true, mrr_cents: 0 },
    },
    {
      label: 'a cancellation and a restart',
      subscription: [
        started('a', 9_000, asOf - 50 * dayMs),
        cancelled('a', 9_000, asOf - 20 * dayMs),
        started('a', 4_100, asOf - 5 * dayMs),
      ],
      expected: { score: 100, churned: false, mrr_cents: 4_100 },
    },
    {
      label: 'a restart received before the cancellation it follows (out of order)',
      subscription: [
        started('a', 4_100, asOf - 5 * dayMs),
        cancelled('a', 9_000, asOf - 20 * dayMs),
        started('a', 9_000, asOf - 50 * dayMs),
      ],
      expected: { score: 100, churned: false, mrr_cents: 4_100 },
    },
    {
      label: 'a cancellation after as_of',
      subscription: [started('a', 9_000, asOf - 50 * dayMs), cancelled('a', 9_000, asOf + 1)],
      expected: { score: 100, churned: false, mrr_cents: 9_000 },
    },
    {
      label: 'a free start (MRR 0 is not a change to 0)',
      subscription: [started('a', 0, asOf - 50 * dayMs)],
      expected: { score: 100, churned: false, mrr_cents: 0 },
    },
    {
      label: 'no subscription event',
      subscription: [],
      expected: { score: 100, churned: false, mrr_cents: 0 },
    },
    {
      label: 'an upgrade',
      subscription: [started('a', 0, asOf - 50 * dayMs), changed('a', 0, 2_500, asOf - dayMs)],
      expected: { score: 100, churned: false, mrr_cents: 2_500 },
    },
    {
      label: 'a restart and a cancellation at one instant, cancellation received last',
      subscription: [
        started('a', 9_000, asOf - 50 * dayMs),
        started('a', 4_100, asOf - dayMs),
        cancelled('a', 9_000, asOf - dayMs),
      ],
      expected: { score: 0, churned: true, mrr_cents: 0 },
    },
    {
      label: 'a cancellation and a restart at one instant, restart received last',
      subscription: [
        started('a', 9_000, asOf - 50 * dayMs),
        cancelled('a', 9_000, asOf - dayMs),
        started('a', 4_100, asOf - dayMs),
      ],
      expected: { score: 100, churned: false, mrr_cents: 4_100 },
    },
  ])('$label', ({ subscription, expected }) => {
    const health = stateOf([...active('a'), ...subscription]);
    expect(scoreOf(health, 'a')).toEqual({ account_id: 'a', signals: [], ...expected });
  });

  it('keeps signals of a churned account but scores it 0, and floors a score at 0', () => {
    const health = stateOf([
      // churned: dormant and detractor still listed
      started('gone', 9_000, asOf - 50 * dayMs),
      cancelled('gone', 9_000, asOf - 20 * dayMs),
      answered('gone', 'nps', 2, asOf - 25 * dayMs),
      // 40 dormant + 20 nps + 15 csat + 15 downgrade + 10 reopened = 100 → 0;
      // one more (sla 15) → 115 → floor 0
      started('low', 9_000, asOf - 50 * dayMs),
      changed('low', 9_000, 5_000, asOf - dayMs),
      answered('low', 'nps', 0, asOf - dayMs),
      answered('low', 'csat', 1, asOf - dayMs),
      reopened('low', 'T', asOf - dayMs),
      reopened('low', 'T', asOf - 2 * dayMs),
      ...['A', 'B', 'C'].map((t) => created('low', t, asOf - 2 * dayMs, 'normal')),
    ]);
    expect(scoreOf(health, 'gone')).toEqual({
      account_id: 'gone',
      score: 0,
      churned: true,
      mrr_cents: 0,
      signals: ['dormant_14d', 'nps_detractor_latest_30d'],
    });
    expect(scoreOf(health, 'low')).toEqual({
      account_id: 'low',
      score: 0,
      churned: false,
      mrr_cents: 5_000,
      signals: [
        'dormant_14d',
        'sla_breaches_7d_ge_3',
        'reopened_7d_ge_2',
        'nps_detractor_latest_30d',
        'csat_low_latest_30d',
        'downgrade_30d',
      ],
    });
  });

  it('uses configured weights', () => {
    // dormant 40 → 10, nps 20 → 5: 100 − 15 = 85
    const health = stateOf([answered('a', 'nps', 0, asOf - dayMs)], {
      weights: { dormant_14d: 10, nps_detractor_latest_30d: 5 },
    });
    expect(scoreOf(health, 'a').score).toBe(85);
    expect(health.firedSignals(asOf)).toEqual([
      { account_id: 'a', signal: 'dormant_14d', weight: 10, fired_at: asOf },
      { account_id: 'a', signal: 'nps_detractor_latest_30d', weight: 5, fired_at: asOf },
    ]);
  });
});

describe('at_risk_accounts', () => {
  // Nobody is active, so every account is dormant (40); other signals add up to the score.
  const dormantWith = (account: string, mrr: number | null, extra: KpiEvent[]): KpiEvent[] => [
    ...(mrr === null ? [] : [started(account, mrr, asOf - 50 * dayMs)]),
    answered(account, 'nps', 3, asOf - dayMs), // + 20
    ...extra,
  ];
  const csatLow = (account: string) => answered(account, 'csat', 1, asOf - dayMs); // + 15

  it('lists non-churned accounts below 40 by MRR desc, score asc, account_id', () => {
    const events = [
      // MRR 1000, 100 − 40 − 20 − 15 = 25
      ...dormantWith('a-4', 1_000, [csatLow('a-4')]),
      ...dormantWith('a-1', 1_000, [csatLow('a-1')]),
      // MRR 5000, 100 − 40 − 20 − 10 (two reopens) = 30
      ...dormantWith('a-2', 5_000, [
        reopened('a-2', 'T', asOf - dayMs),
        reopened('a-2', 'T', asOf - 2 * dayMs),
      ]),
      // MRR 6000 → 5000 (downgrade 15): 100 − 40 − 20 − 15 − 15 = 10
      ...dormantWith('a-3', 6_000, [csatLow('a-3'), changed('a-3', 6_000, 5_000, asOf - dayMs)]),
      // 100 − 40 − 20 = 40: not below 40
      ...dormantWith('a-5', 9_000, []),
      // churned: excluded whatever its score
      ...dormantWith('a-6', 9_000, [csatLow('a-6'), cancelled('a-6', 9_000, asOf - dayMs)]),
      // no subscription: MRR 0, score 25
      ...dormantWith('a-0', null, [csatLow('a-0')]),
    ];
    const kpis = stateOf(events).kpis(asOf);
    expect(kpis.at_risk_accounts).toEqual([
      {
        account_id: 'a-3',
        score: 10,
        mrr_cents: 5_000,
        signals: [
          'dormant_14d',
          'nps_detractor_latest_30d',
          'csat_low_latest_30d',
          'downgrade_30d',
        ],
      },
      {
        account_id: 'a-2',
        score: 30,
        mrr_cents: 5_000,
        signals: ['dormant_14d', 'reopened_7d_ge_2', 'nps_detractor_latest_30d'],
      },
      {
        account_id: 'a-1',
        score: 25,
        mrr_cents: 1_000,
        signals: ['dormant_14d', 'nps_detractor_latest_30d', 'csat_low_latest_30d'],
      },
      {
        account_id: 'a-4',
        score: 25,
        mrr_cents: 1_000,
        signals: ['dormant_14d', 'nps_detractor_latest_30d', 'csat_low_latest_30d'],
      },
      {
        account_id: 'a-0',
        score: 25,
        mrr_cents: 0,
        signals: ['dormant_14d', 'nps_detractor_latest_30d', 'csat_low_latest_30d'],
      },
    ]);
    // health_scores and health_signals: every account, by account_id
    const ids = ['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'a-5', 'a-6'];
    expect(kpis.health_scores.map((entry) => entry.account_id)).toEqual(ids);
    expect(kpis.health_signals.map((entry) => entry.account_id)).toEqual(ids);
    expect(kpis.health_scores.find((entry) => entry.account_id === 'a-5')?.score).toBe(40);
  });
});

describe('one account in full', () => {
  // Hand-computed: usage 1 user now vs [4, 4, 4, 4] → −75 % (usage_drop_50, 35); last activity
  // 1 h ago; tickets: 3 in the last 7 d, 1 before (mean 0.25); T1 replied late (normal, 9 h),
  // T2 open unreplied past its 4 h target, T3 on time → 2 breaches; T4 reopened once; latest
  // NPS 8 (the 40-day-old 4 is outside); latest CSAT 2 (csat_low, 15); a downgrade 10 d ago
  // (15). Score 100 − 35 − 15 − 15 = 35 < 40: at risk, MRR 15000.
  const events: KpiEvent[] = [
    started('full', 20_000, asOf - 60 * dayMs),
    changed('full', 20_000, 15_000, asOf - 10 * dayMs),
    ...[1, 2, 3, 4].flatMap((week) =>
      ['u1', 'u2', 'u3', 'u4'].map((user) => viewed('full', user, asOf - week * 7 * dayMs - dayMs)),
    ),
    viewed('full', 'u1', asOf - hourMs),
    created('full', 'T1', asOf - 2 * dayMs, 'normal'),
    replied('full', 'T1', asOf - 2 * dayMs + 9 * hourMs),
    created('full', 'T2', asOf - dayMs, 'high'),
    created('full', 'T3', asOf - 3 * dayMs, 'low'),
    replied('full', 'T3', asOf - 3 * dayMs + hourMs),
    created('full', 'T4', asOf - 20 * dayMs, 'low'),
    replied('full', 'T4', asOf - 20 * dayMs + hourMs),
    solved('full', 'T4', asOf - 19 * dayMs),
    reopened('full', 'T4', asOf - 2 * dayMs),
    solved('full', 'T4', asOf - 2 * dayMs + hourMs),
    answered('full', 'nps', 4, asOf - 40 * dayMs),
    answered('full', 'nps', 8, asOf - 5 * dayMs),
    answered('full', 'csat', 2, asOf - 3 * dayMs),
  ];
  const expected = {
    health_scores: [
      {
        account_id: 'full',
        score: 35,
        churned: false,
        mrr_cents: 15_000,
        signals: ['usage_drop_50', 'csat_low_latest_30d', 'downgrade_30d'],
      },
    ],
    at_risk_accounts: [
      {
        account_id: 'full',
        score: 35,
        mrr_cents: 15_000,
        signals: ['usage_drop_50', 'csat_low_latest_30d', 'downgrade_30d'],
      },
    ],
    health_signals: [
      {
        account_id: 'full',
        active_users_7d: 1,
        active_users_weekly_prior_28d: [4, 4, 4, 4],
        active_users_weekly_mean_prior_28d: 4,
        usage_drop_percent: 75,
        seconds_since_last_activity: 3_600,
        tickets_created_7d: 3,
        tickets_created_weekly_mean_prior_28d: 0.25,
        late_first_replies_7d: 1,
        open_unreplied_past_target: 1,
        sla_breaches_7d: 2,
        reopened_7d: 1,
        latest_nps_score_30d: 8,
        latest_csat_score_30d: 2,
        downgrades_30d: 1,
      },
    ],
  };

  it('gives the hand-computed KPIs, and passes the schema', () => {
    const kpis = stateOf(events).kpis(asOf);
    expect(kpis).toEqual(expected);
    expect(healthKpisSchema.parse(kpis)).toEqual(kpis);
  });

  it('gives the same KPIs whatever the arrival order (no ties here)', () => {
    const reversed = stateOf([...events].reverse()).kpis(asOf);
    const interleaved = stateOf([
      ...events.filter((_, i) => i % 2 === 1),
      ...events.filter((_, i) => i % 2 === 0),
    ]).kpis(asOf);
    expect(reversed).toEqual(expected);
    expect(interleaved).toEqual(expected);
  });

  it('ignores events after as_of', () => {
    const later = [
      viewed('full', 'u2', asOf + 1),
      answered('full', 'csat', 5, asOf + 1),
      cancelled('full', 15_000, asOf + 1),
      created('full', 'T9', asOf + 1, 'urgent'),
      reopened('full', 'T4', asOf + 1),
      viewed('late-account', 'x', asOf + 1),
    ];
    expect(stateOf([...events, ...later]).kpis(asOf)).toEqual(expected);
  });

  it('records the fired signals with their time', () => {
    expect(stateOf(events).firedSignals(asOf)).toEqual([
      { account_id: 'full', signal: 'usage_drop_50', weight: 35, fired_at: asOf },
      { account_id: 'full', signal: 'csat_low_latest_30d', weight: 15, fired_at: asOf },
      { account_id: 'full', signal: 'downgrade_30d', weight: 15, fired_at: asOf },
    ]);
  });

  it('gives the same KPIs after forgetBefore, as of then and later', () => {
    const forgetting = stateOf(events);
    const keeping = stateOf(events);
    forgetting.forgetBefore(asOf);
    // an old event arriving after the forgetting still counts where it can
    const late = [viewed('full', 'u9', asOf - 50 * dayMs), started('full', 1, asOf - 70 * dayMs)];
    for (const event of late) {
      forgetting.apply(event);
      keeping.apply(event);
    }
    // the clock moves on: forget before each instant, then read as of it
    for (const at of [asOf, asOf + 3 * dayMs, asOf + 20 * dayMs, asOf + 60 * dayMs]) {
      forgetting.forgetBefore(at);
      expect(forgetting.kpis(at)).toEqual(keeping.kpis(at));
    }
    // 60 days on everything has been forgotten but the latest activity (1 h before as_of) and
    // the latest subscription event (the change to 15000)
    const later = asOf + 60 * dayMs;
    expect(inputsOf(forgetting, 'full', later).seconds_since_last_activity).toBe(
      (60 * dayMs + hourMs) / secondMs,
    );
    expect(scoreOf(forgetting, 'full', later)).toEqual({
      account_id: 'full',
      score: 60,
      churned: false,
      mrr_cents: 15_000,
      signals: ['dormant_14d'],
    });
  });
});

describe('time zone independence', () => {
  it('uses rolling 24 h days, not local calendar days (Berlin, across the DST change)', () => {
    // as_of 2026-11-10 00:30 in Berlin (CET) = 2026-11-09T23:30Z. The rolling 30 d start at
    // as_of − 720 h = 2026-10-10T23:30Z (01:30 CEST), whereas a Berlin `_30d` calendar window
    // would start at 2026-10-12 00:00 CEST = 2026-10-11T22:00Z.
    const berlinAsOf = Date.parse('2026-11-10T00:30:00+01:00');
    const health = stateOf([
      answered('edge', 'nps', 0, Date.parse('2026-10-10T23:30:00.000Z')), // excluded edge
      answered('inside', 'nps', 0, Date.parse('2026-10-10T23:30:00.001Z')), // before Berlin's window
      // exactly 14 × 24 h before as_of (00:30 local on both days): dormant; either way the
      // user is in prior week 1 and nobody is active now → usage_drop_50
      viewed('edge', 'u', Date.parse('2026-10-27T00:30:00+01:00')),
      viewed('inside', 'u', Date.parse('2026-10-27T00:30:00.001+01:00')),
    ]);
    expect(scoreOf(health, 'edge', berlinAsOf).signals).toEqual(['usage_drop_50', 'dormant_14d']);
    expect(scoreOf(health, 'inside', berlinAsOf).signals).toEqual([
      'usage_drop_50',
      'nps_detractor_latest_30d',
    ]);
  });

  it('lists an account only once it has an event at or before as_of', () => {
    const health = stateOf([viewed('b', 'u', asOf), viewed('a', 'u', asOf + 1)]);
    expect(health.kpis(asOf).health_scores.map((entry) => entry.account_id)).toEqual(['b']);
    expect(health.kpis(asOf + 1).health_scores.map((entry) => entry.account_id)).toEqual([
      'a',
      'b',
    ]);
  });
});
