// Unit tests for the public event contract, written from DESIGN.md "Event contract (public)".
// The expected values below come from that text, not from events.ts.
import { describe, expect, it } from 'vitest';
import {
  eventTypes,
  parseEventTime,
  splitBatch,
  validateBatch,
  validateEvent,
  type KpiEvent,
} from './events.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/** The reference clock ("now" for the future rule) and a different receive time. */
const REF = Date.UTC(2026, 10, 20, 18, 0, 0, 0);
const RECEIVED = REF + 42_000;
const TEN_MINUTES = 10 * 60 * 1000;
/** A valid event time, half an hour before the reference clock. */
const TIME = '2026-11-20T17:30:00Z';
const TIME_MS = Date.UTC(2026, 10, 20, 17, 30, 0, 0);
const MAX_EVENT_BYTES = 65_536;

type Input = Record<string, unknown>;

/** The 16 types of the contract, exact lowercase. */
const allTypes = [
  'user.signed_up',
  'page.viewed',
  'feature.used',
  'onboarding.step_completed',
  'user.activated',
  'cta.shown',
  'cta.clicked',
  'subscription.started',
  'subscription.changed',
  'subscription.cancelled',
  'ticket.created',
  'ticket.replied',
  'ticket.escalated',
  'ticket.solved',
  'ticket.reopened',
  'survey.answered',
] as const;
type Type = (typeof allTypes)[number];

/** user_id is required for user.*, page.viewed, feature.used, onboarding.step_completed, cta.*. */
const productTypes: readonly Type[] = [
  'user.signed_up',
  'user.activated',
  'page.viewed',
  'feature.used',
  'onboarding.step_completed',
  'cta.shown',
  'cta.clicked',
];
const otherTypes: readonly Type[] = allTypes.filter((type) => !productTypes.includes(type));
const isProduct = (type: Type): boolean => productTypes.includes(type);

/** The required extra fields of each type, with valid values. */
const requiredExtras: Record<Type, Input> = {
  'user.signed_up': { plan: 'trial' },
  'page.viewed': { session_id: 'sess-1', path: '/pricing' },
  'feature.used': { feature: 'export_csv' },
  'onboarding.step_completed': { step: 'connect_data' },
  'user.activated': {},
  'cta.shown': { cta: 'upgrade_banner' },
  'cta.clicked': { cta: 'upgrade_banner' },
  'subscription.started': { plan: 'pro', mrr_cents: 4_900 },
  'subscription.changed': {
    from_plan: 'pro',
    to_plan: 'team',
    mrr_cents_before: 4_900,
    mrr_cents_after: 9_900,
  },
  'subscription.cancelled': { mrr_cents_lost: 9_900 },
  'ticket.created': { ticket_id: 'T-1', priority: 'high', channel: 'email' },
  'ticket.replied': { ticket_id: 'T-1', author: 'agent', public: true },
  'ticket.escalated': { ticket_id: 'T-1' },
  'ticket.solved': { ticket_id: 'T-1' },
  'ticket.reopened': { ticket_id: 'T-1' },
  'survey.answered': { kind: 'csat', score: 4 },
};

/** The optional extra fields of each type, with valid values. */
const optionalExtras: Record<Type, Input> = {
  'user.signed_up': {},
  'page.viewed': {},
  'feature.used': { session_id: 'sess-1' },
  'onboarding.step_completed': {},
  'user.activated': {},
  'cta.shown': {},
  'cta.clicked': {},
  'subscription.started': {},
  'subscription.changed': {},
  'subscription.cancelled': { reason: 'too expensive' },
  'ticket.created': { team: 'billing' },
  'ticket.replied': { agent_id: 'agent-7' },
  'ticket.escalated': { team: 'tier-2' },
  'ticket.solved': {},
  'ticket.reopened': {},
  'survey.answered': { ticket_id: 'T-1' },
};

const integerFields = new Set([
  'score',
  'mrr_cents',
  'mrr_cents_before',
  'mrr_cents_after',
  'mrr_cents_lost',
]);
const booleanFields = new Set(['public']);

/** A minimal valid raw event of `type` (user_id only where required), then `overrides`. */
const raw = (type: Type, overrides: Input = {}): Input => ({
  id: 'evt-1',
  type,
  time: TIME,
  account_id: 'acc-1',
  ...(isProduct(type) ? { user_id: 'user-1' } : {}),
  ...requiredExtras[type],
  ...overrides,
});

const without = (input: Input, field: string): Input =>
  Object.fromEntries(Object.entries(input).filter(([key]) => key !== field));

/** The event the contract says `raw(type)` becomes. */
const expected = (type: Type, extra: Input = {}): Input => ({
  id: 'evt-1',
  type,
  time: TIME_MS,
  account_id: 'acc-1',
  user_id: isProduct(type) ? 'user-1' : null,
  received_at: RECEIVED,
  properties: {},
  ...requiredExtras[type],
  ...extra,
});

/** Validates and returns the event, failing the test with the reason if it was rejected. */
const accept = (input: unknown, referenceTimeMs = REF, receivedAtMs = RECEIVED): KpiEvent => {
  const result = validateEvent(input, referenceTimeMs, receivedAtMs);
  if (!result.ok) throw new Error(`expected the event to be accepted, got ${result.reason}`);
  return result.event;
};

const validate = (input: unknown, referenceTimeMs = REF) =>
  validateEvent(input, referenceTimeMs, RECEIVED);

const utf8Bytes = (text: string): number => new TextEncoder().encode(text).byteLength;
const codePointLength = (text: string): number => Array.from(text).length;

const emoji = '😀'; // U+1F600: one code point, two UTF-16 units, four UTF-8 bytes

// ---------------------------------------------------------------------------------------------
// Types and their fields
// ---------------------------------------------------------------------------------------------

describe('event types', () => {
  it('the contract has exactly the 16 documented types', () => {
    expect([...eventTypes].sort()).toEqual([...allTypes].sort());
  });

  it.each(allTypes)('%s is accepted with its required fields', (type) => {
    expect(accept(raw(type))).toEqual(expected(type));
  });

  const optionalCases = allTypes.flatMap((type) =>
    Object.entries(optionalExtras[type]).map(([field, value]) => ({ type, field, value })),
  );
  it.each(optionalCases)('$type is accepted with optional $field', ({ type, field, value }) => {
    const event = accept(raw(type, { [field]: value }));
    expect(event).toEqual(expected(type, { [field]: value }));
    expect(event.properties).not.toHaveProperty(field);
  });

  it.each(allTypes)('%s is accepted with all its optional fields at once', (type) => {
    const extra = { ...optionalExtras[type], user_id: 'user-9' };
    expect(accept(raw(type, extra))).toEqual(expected(type, extra));
  });
});

describe('required fields', () => {
  const missingCases = allTypes.flatMap((type) =>
    ['id', 'type', 'time', 'account_id', ...Object.keys(requiredExtras[type])]
      .concat(isProduct(type) ? ['user_id'] : [])
      .map((field) => ({ type, field })),
  );
  it.each(missingCases)('$type without $field → missing_field:$field', ({ type, field }) => {
    expect(validate(without(raw(type), field))).toEqual({
      ok: false,
      reason: `missing_field:${field}`,
    });
  });
});

describe('user_id', () => {
  it.each(productTypes)('is required for product event %s', (type) => {
    expect(validate(without(raw(type), 'user_id'))).toEqual({
      ok: false,
      reason: 'missing_field:user_id',
    });
  });

  it.each(otherTypes)('is optional for %s and becomes null when absent', (type) => {
    const event = accept(raw(type));
    expect(event.user_id).toBeNull();
    expect(event.properties).not.toHaveProperty('user_id');
  });

  it.each(otherTypes)('is kept as given for %s when present', (type) => {
    expect(accept(raw(type, { user_id: 'user-5' })).user_id).toBe('user-5');
  });
});

describe('field types are strict', () => {
  const stringWrongValues: unknown[] = [5, true, ['x'], { value: 'x' }];
  const integerWrongValues: unknown[] = ['5', 1.5, true, [5]];
  const booleanWrongValues: unknown[] = ['true', 1, 0, 'false'];
  const wrongValuesOf = (field: string): unknown[] =>
    integerFields.has(field)
      ? integerWrongValues
      : booleanFields.has(field)
        ? booleanWrongValues
        : stringWrongValues;

  const wrongTypeCases = allTypes.flatMap((type) => {
    const required = ['id', 'account_id', ...Object.keys(requiredExtras[type])].concat(
      isProduct(type) ? ['user_id'] : [],
    );
    const optional = Object.keys(optionalExtras[type]).concat(isProduct(type) ? [] : ['user_id']);
    return [
      // null is not a JSON string/integer/boolean: wrong type for a required field
      ...required.flatMap((field) =>
        [...wrongValuesOf(field), null].map((value) => ({ type, field, value })),
      ),
      ...optional.flatMap((field) => wrongValuesOf(field).map((value) => ({ type, field, value }))),
    ];
  });

  it.each(wrongTypeCases)(
    '$type with $field = $value → wrong_type:$field',
    ({ type, field, value }) => {
      expect(validate(raw(type, { [field]: value }))).toEqual({
        ok: false,
        reason: `wrong_type:${field}`,
      });
    },
  );

  it.each(
    [5, true, null, ['user.signed_up'], { name: 'user.signed_up' }].map((value) => ({ value })),
  )('type = $value → wrong_type:type', ({ value }) => {
    expect(validate(raw('user.signed_up', { type: value }))).toEqual({
      ok: false,
      reason: 'wrong_type:type',
    });
  });
});

describe('enums are exact and case-sensitive', () => {
  const validEnumCases = [
    ...['free', 'trial', 'paid'].map((value) => ({
      type: 'user.signed_up' as const,
      field: 'plan',
      value,
    })),
    ...['low', 'normal', 'high', 'urgent'].map((value) => ({
      type: 'ticket.created' as const,
      field: 'priority',
      value,
    })),
    ...['email', 'chat', 'phone', 'web'].map((value) => ({
      type: 'ticket.created' as const,
      field: 'channel',
      value,
    })),
    ...['agent', 'requester', 'bot'].map((value) => ({
      type: 'ticket.replied' as const,
      field: 'author',
      value,
    })),
    ...['csat', 'nps', 'ces'].map((value) => ({
      type: 'survey.answered' as const,
      field: 'kind',
      value,
    })),
  ];
  it.each(validEnumCases)('$type accepts $field = $value', ({ type, field, value }) => {
    const event = accept(raw(type, { [field]: value }));
    expect(event).toEqual(expected(type, { [field]: value }));
  });

  it.each([
    { type: 'user.signed_up', field: 'plan', value: 'Free' },
    { type: 'user.signed_up', field: 'plan', value: 'PAID' },
    { type: 'user.signed_up', field: 'plan', value: 'enterprise' },
    { type: 'user.signed_up', field: 'plan', value: ' free' },
    { type: 'user.signed_up', field: 'plan', value: '' },
    { type: 'ticket.created', field: 'priority', value: 'URGENT' },
    { type: 'ticket.created', field: 'priority', value: 'Urgent' },
    { type: 'ticket.created', field: 'priority', value: 'critical' },
    { type: 'ticket.created', field: 'channel', value: 'Email' },
    { type: 'ticket.created', field: 'channel', value: 'sms' },
    { type: 'ticket.replied', field: 'author', value: 'Agent' },
    { type: 'ticket.replied', field: 'author', value: 'system' },
    { type: 'survey.answered', field: 'kind', value: 'CSAT' },
    { type: 'survey.answered', field: 'kind', value: 'stars' },
  ] as const)('$type with $field = "$value" → invalid_value:$field', ({ type, field, value }) => {
    expect(validate(raw(type, { [field]: value }))).toEqual({
      ok: false,
      reason: `invalid_value:${field}`,
    });
  });

  it('subscription plans are not limited to the signup plans', () => {
    expect(accept(raw('subscription.started', { plan: 'Enterprise' })).type).toBe(
      'subscription.started',
    );
  });
});

describe('survey scores', () => {
  it.each([
    { kind: 'csat', score: 1 },
    { kind: 'csat', score: 3 },
    { kind: 'csat', score: 5 },
    { kind: 'nps', score: 0 },
    { kind: 'nps', score: 7 },
    { kind: 'nps', score: 10 },
    { kind: 'ces', score: 1 },
    { kind: 'ces', score: 7 },
  ])('$kind score $score is accepted', ({ kind, score }) => {
    expect(accept(raw('survey.answered', { kind, score }))).toEqual(
      expected('survey.answered', { kind, score }),
    );
  });

  it.each([
    { kind: 'csat', score: 0 },
    { kind: 'csat', score: 6 },
    { kind: 'csat', score: 10 },
    { kind: 'csat', score: -1 },
    { kind: 'nps', score: -1 },
    { kind: 'nps', score: 11 },
    { kind: 'nps', score: 100 },
    { kind: 'ces', score: 0 },
    { kind: 'ces', score: 8 },
    { kind: 'ces', score: 10 },
  ])('$kind score $score → invalid_value:score', ({ kind, score }) => {
    expect(validate(raw('survey.answered', { kind, score }))).toEqual({
      ok: false,
      reason: 'invalid_value:score',
    });
  });
});

describe('cents', () => {
  const centsCases = [
    { type: 'subscription.started', field: 'mrr_cents' },
    { type: 'subscription.changed', field: 'mrr_cents_before' },
    { type: 'subscription.changed', field: 'mrr_cents_after' },
    { type: 'subscription.cancelled', field: 'mrr_cents_lost' },
  ] as const;

  it.each(centsCases)('$type accepts $field = 0', ({ type, field }) => {
    expect(accept(raw(type, { [field]: 0 }))).toEqual(expected(type, { [field]: 0 }));
  });

  it.each(centsCases)('$type with negative $field → invalid_value:$field', ({ type, field }) => {
    expect(validate(raw(type, { [field]: -1 }))).toEqual({
      ok: false,
      reason: `invalid_value:${field}`,
    });
  });
});

describe('lengths are counted in Unicode code points', () => {
  it('the fixture emoji strings have the intended sizes', () => {
    expect(emoji.repeat(128).length).toBe(256);
    expect(codePointLength(emoji.repeat(128))).toBe(128);
  });

  const lengthCases = [
    { field: 'id', type: 'ticket.solved' },
    { field: 'account_id', type: 'ticket.solved' },
    { field: 'user_id', type: 'page.viewed' },
    { field: 'user_id', type: 'ticket.solved' },
  ] as const;

  it.each(lengthCases)('$field of 128 emoji ($type) is accepted', ({ field, type }) => {
    const value = emoji.repeat(128);
    const event = accept(raw(type, { [field]: value }));
    expect(event).toHaveProperty(field, value);
  });

  it.each(lengthCases)('$field of 128 ASCII characters ($type) is accepted', ({ field, type }) => {
    const value = 'a'.repeat(128);
    expect(accept(raw(type, { [field]: value }))).toHaveProperty(field, value);
  });

  it.each(lengthCases)('$field of 1 character ($type) is accepted', ({ field, type }) => {
    expect(accept(raw(type, { [field]: emoji }))).toHaveProperty(field, emoji);
  });

  it.each(
    lengthCases.flatMap(({ field, type }) => [
      { field, type, label: '129 emoji', value: emoji.repeat(129) },
      { field, type, label: '129 ASCII characters', value: 'a'.repeat(129) },
      { field, type, label: 'the empty string', value: '' },
    ]),
  )('$field of $label ($type) → invalid_value:$field', ({ field, type, value }) => {
    expect(validate(raw(type, { [field]: value }))).toEqual({
      ok: false,
      reason: `invalid_value:${field}`,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// time
// ---------------------------------------------------------------------------------------------

describe('time', () => {
  const acceptedTimes: { time: string | number; ms: number }[] = [
    { time: '2026-11-20T18:00:00.123+01:00', ms: Date.UTC(2026, 10, 20, 17, 0, 0, 123) },
    { time: '2026-11-20T17:00:00Z', ms: Date.UTC(2026, 10, 20, 17, 0, 0, 0) },
    { time: '2026-11-20T17:00:00.123Z', ms: Date.UTC(2026, 10, 20, 17, 0, 0, 123) },
    { time: '2026-11-20T17:00:00.5Z', ms: Date.UTC(2026, 10, 20, 17, 0, 0, 500) },
    { time: '2026-11-20T17:00:00+00:00', ms: Date.UTC(2026, 10, 20, 17, 0, 0, 0) },
    { time: '2026-11-20T18:00:00+01:00', ms: Date.UTC(2026, 10, 20, 17, 0, 0, 0) },
    { time: '2026-11-20T12:00:00-05:30', ms: Date.UTC(2026, 10, 20, 17, 30, 0, 0) },
    { time: '2026-11-20T12:00:00.250-05:30', ms: Date.UTC(2026, 10, 20, 17, 30, 0, 250) },
    { time: '2026-01-01T00:30:00+01:00', ms: Date.UTC(2025, 11, 31, 23, 30, 0, 0) },
    { time: '2025-12-31T20:00:00-05:30', ms: Date.UTC(2026, 0, 1, 1, 30, 0, 0) },
    { time: '2024-02-29T12:00:00Z', ms: Date.UTC(2024, 1, 29, 12, 0, 0, 0) },
    { time: '2026-11-20t17:00:00z', ms: Date.UTC(2026, 10, 20, 17, 0, 0, 0) },
    { time: Date.UTC(2026, 10, 20, 17, 0, 0, 7), ms: Date.UTC(2026, 10, 20, 17, 0, 0, 7) },
  ];

  it.each(acceptedTimes)('$time is accepted as epoch ms $ms', ({ time, ms }) => {
    expect(accept(raw('ticket.solved', { time })).time).toBe(ms);
  });

  it.each(acceptedTimes)('parseEventTime($time) gives $ms', ({ time, ms }) => {
    expect(parseEventTime(time)).toEqual({ ok: true, ms });
  });

  it('accepts a fraction with more than three digits', () => {
    const event = accept(raw('ticket.solved', { time: '2026-11-20T17:00:00.123456Z' }));
    expect(Math.abs(event.time - Date.UTC(2026, 10, 20, 17, 0, 0, 123))).toBeLessThanOrEqual(1);
  });

  it.each(['2026-11-20T18:00:00', '2026-11-20T18:00:00.123', '2000-01-01T00:00:00'])(
    '%s without an offset → time_without_offset',
    (time) => {
      expect(validate(raw('ticket.solved', { time }))).toEqual({
        ok: false,
        reason: 'time_without_offset',
      });
    },
  );

  describe('earliest time is 2000-01-01T00:00:00Z', () => {
    it.each([
      '2000-01-01T00:00:00Z',
      '2000-01-01T00:00:00.000Z',
      '2000-01-01T01:00:00+01:00',
      '1999-12-31T19:00:00-05:00',
      Date.UTC(2000, 0, 1),
    ])('%s (exactly that instant) is accepted', (time) => {
      expect(accept(raw('ticket.solved', { time })).time).toBe(Date.UTC(2000, 0, 1));
    });

    it.each([
      '1999-12-31T23:59:59.999Z',
      '1999-12-31T23:59:59Z',
      '2000-01-01T00:59:59+01:00',
      '1970-01-01T00:00:00Z',
      Date.UTC(2000, 0, 1) - 1,
      0,
      -1,
    ])('%s → time_too_old', (time) => {
      expect(validate(raw('ticket.solved', { time }))).toEqual({
        ok: false,
        reason: 'time_too_old',
      });
    });
  });

  describe('at most 10 minutes after the reference clock', () => {
    // REF is 2026-11-20T18:00:00Z
    it.each([
      REF + TEN_MINUTES,
      '2026-11-20T18:10:00Z',
      '2026-11-20T18:10:00.000Z',
      '2026-11-20T19:10:00+01:00',
      '2026-11-20T12:40:00-05:30',
      REF,
      REF + TEN_MINUTES - 1,
    ])('%s is accepted', (time) => {
      const event = accept(raw('ticket.solved', { time }));
      expect(event.time).toBeLessThanOrEqual(REF + TEN_MINUTES);
    });

    it.each([
      REF + TEN_MINUTES + 1,
      '2026-11-20T18:10:00.001Z',
      '2026-11-20T18:10:01Z',
      '2026-11-20T19:10:01+01:00',
      '2026-11-20T12:40:01-05:30',
      '2030-01-01T00:00:00Z',
    ])('%s → time_in_future', (time) => {
      expect(validate(raw('ticket.solved', { time }))).toEqual({
        ok: false,
        reason: 'time_in_future',
      });
    });

    it('follows the reference clock (e.g. --as-of), not the receive time', () => {
      const time = REF + TEN_MINUTES + 1;
      const input = raw('ticket.solved', { time });
      // Received long after, but the reference is REF: too far ahead.
      expect(validateEvent(input, REF, REF + 3_600_000)).toEqual({
        ok: false,
        reason: 'time_in_future',
      });
      // Received long before, but the reference is later: fine.
      const result = validateEvent(input, REF + 1, REF - 3_600_000);
      expect(result).toMatchObject({ ok: true, event: { time, received_at: REF - 3_600_000 } });
    });

    it('accepts events days late', () => {
      const time = REF - 5 * 24 * 3_600_000;
      expect(accept(raw('ticket.solved', { time })).time).toBe(time);
    });
  });

  it.each([
    'yesterday',
    '',
    'now',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-11-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-11-00T00:00:00Z',
    '2026-11-20T25:00:00Z',
    '2026-11-20T18:60:00Z',
    '2026-11-20T18:00:61Z',
    '2026-11-20T18:00:00.Z',
    '2026-11-20T18:00Z',
    '2026-11-20T18:00:00+0100',
    '2026-11-20T18:00:00+25:00',
    '20261120T180000Z',
    'Fri, 20 Nov 2026 18:00:00 GMT',
    '1763658000000',
    '2026-11-20T18:00:00Z trailing',
  ])('%j → invalid_value:time', (time) => {
    expect(validate(raw('ticket.solved', { time }))).toEqual({
      ok: false,
      reason: 'invalid_value:time',
    });
  });

  it.each(
    [true, false, null, 1.5, Date.UTC(2026, 10, 20) + 0.5, {}, [], [TIME], { time: TIME }].map(
      (time) => ({ time }),
    ),
  )('time = $time → wrong_type:time', ({ time }) => {
    expect(validate(raw('ticket.solved', { time }))).toEqual({
      ok: false,
      reason: 'wrong_type:time',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Objects, unknown types, properties, received_at
// ---------------------------------------------------------------------------------------------

describe('unknown types', () => {
  it.each([
    'user.deleted',
    'User.Signed_Up',
    'USER.SIGNED_UP',
    'user.signed_up ',
    'page_viewed',
    'ticket',
    'ticket.*',
    '',
    'constructor',
    'toString',
    '__proto__',
  ])('type = %j → unknown_type', (type) => {
    expect(validate({ ...raw('user.signed_up'), type })).toEqual({
      ok: false,
      reason: 'unknown_type',
    });
  });
});

describe('not an object', () => {
  it.each([
    { label: 'an array', input: [] },
    { label: 'an array of an event', input: [raw('ticket.solved')] },
    { label: 'a string', input: 'user.signed_up' },
    { label: 'a number', input: 5 },
    { label: 'null', input: null },
    { label: 'a boolean', input: true },
  ])('$label → not_an_object', ({ input }) => {
    expect(validate(input)).toEqual({ ok: false, reason: 'not_an_object' });
  });
});

describe('fields outside the contract', () => {
  it('are kept verbatim in properties', () => {
    const extra = {
      note: 'é 😀 "quoted"',
      count: 3,
      ratio: 0.25,
      flag: false,
      nothing: null,
      list: [1, 'two', { three: [null] }],
      nested: { a: { b: { c: 'deep' } } },
    };
    const event = accept(raw('page.viewed', extra));
    expect(event.properties).toEqual(extra);
    expect(event).toEqual(expected('page.viewed', { properties: extra }));
  });

  it('a sender field named properties is nested under that name', () => {
    const event = accept(raw('ticket.created', { properties: { color: 'red' }, source: 'api' }));
    expect(event.properties).toEqual({ properties: { color: 'red' }, source: 'api' });
  });

  it('a sender field named properties that is not an object is kept too', () => {
    expect(accept(raw('ticket.solved', { properties: 'plain' })).properties).toEqual({
      properties: 'plain',
    });
  });

  it('fields of other types go to properties', () => {
    const event = accept(raw('page.viewed', { ticket_id: 'T-9', score: 3 }));
    expect(event.properties).toEqual({ ticket_id: 'T-9', score: 3 });
    expect(event).not.toHaveProperty('ticket_id');
  });

  it('a sender field named received_at goes to properties; received_at is the receive time', () => {
    const event = accept(raw('ticket.solved', { received_at: 5 }), REF, RECEIVED);
    expect(event.received_at).toBe(RECEIVED);
    expect(event.properties).toEqual({ received_at: 5 });
  });

  it('a sender field named __proto__ is kept verbatim as an own property', () => {
    const input: unknown = JSON.parse(
      JSON.stringify(raw('ticket.solved')).replace(/}$/, ',"__proto__":{"polluted":true}}'),
    );
    const event = accept(input);
    expect(Object.hasOwn(event.properties, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(event.properties, '__proto__')?.value).toEqual({
      polluted: true,
    });
  });
});

describe('received_at and user_id', () => {
  it.each([RECEIVED, REF - 3 * 24 * 3_600_000, REF + 1])(
    'received_at is the given receive time %i',
    (receivedAt) => {
      expect(accept(raw('cta.clicked'), REF, receivedAt).received_at).toBe(receivedAt);
    },
  );

  it('user_id absent becomes null', () => {
    expect(accept(raw('subscription.started')).user_id).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------------

const eventA = raw('page.viewed', { id: 'a' });
const eventB = raw('ticket.created', { id: 'b', team: 'billing', extra: { x: 1 } });
const eventC = raw('survey.answered', { id: 'c', kind: 'nps', score: 10, time: 1_763_650_000_000 });
const lineOf = (value: unknown): string => JSON.stringify(value);
const idsOf = (events: readonly KpiEvent[]): string[] => events.map((event) => event.id);

describe('batch formats', () => {
  const expectedEvents = [accept(eventA), accept(eventB), accept(eventC)];
  const events = [eventA, eventB, eventC];

  it.each([
    { label: 'compact JSON array', body: JSON.stringify(events) },
    { label: 'pretty JSON array', body: JSON.stringify(events, null, 2) },
    { label: 'JSON array with surrounding whitespace', body: `\n  ${JSON.stringify(events)}\n` },
    { label: 'NDJSON', body: events.map(lineOf).join('\n') },
    { label: 'NDJSON with trailing newline', body: events.map(lineOf).join('\n') + '\n' },
    { label: 'NDJSON with CRLF', body: events.map(lineOf).join('\r\n') + '\r\n' },
    {
      label: 'NDJSON with CRLF and blank lines',
      body: ['', lineOf(eventA), '', '   ', lineOf(eventB), '\t', lineOf(eventC), ''].join('\r\n'),
    },
    {
      label: 'NDJSON with blank lines',
      body: ['\n', lineOf(eventA), '', lineOf(eventB), '\n\n', lineOf(eventC)].join('\n'),
    },
  ])('$label gives the same accepted events', ({ body }) => {
    expect(validateBatch(body, REF, RECEIVED)).toEqual({ accepted: expectedEvents, rejected: [] });
  });

  it('an empty array is an empty batch', () => {
    expect(validateBatch('[]', REF, RECEIVED)).toEqual({ accepted: [], rejected: [] });
  });

  it('splitBatch numbers array elements by position', () => {
    const items = splitBatch(JSON.stringify([eventA, 5, eventC]));
    expect(items.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(items.map((item) => (item.ok ? item.value : item.reason))).toEqual([eventA, 5, eventC]);
  });

  it('splitBatch numbers NDJSON items by 0-based line, blank lines counted but skipped', () => {
    const body = [lineOf(eventA), '', '  ', lineOf(eventB), '', lineOf(eventC), ''].join('\r\n');
    const items = splitBatch(body);
    expect(items.map((item) => item.index)).toEqual([0, 3, 5]);
    expect(items.map((item) => (item.ok ? item.value : item.reason))).toEqual([
      eventA,
      eventB,
      eventC,
    ]);
  });
});

describe('rejected batch items carry their index and reason, order preserved', () => {
  it('JSON array: index is the element position', () => {
    const elements: unknown[] = [
      eventA,
      5,
      eventB,
      { ...eventC, type: 'nope' },
      null,
      without(eventA, 'user_id'),
      eventC,
      'text',
      { ...eventA, time: '2026-11-20T18:00:00' },
    ];
    const result = validateBatch(JSON.stringify(elements), REF, RECEIVED);
    expect(idsOf(result.accepted)).toEqual(['a', 'b', 'c']);
    expect(result.rejected.map(({ index, reason }) => ({ index, reason }))).toEqual([
      { index: 1, reason: 'not_an_object' },
      { index: 3, reason: 'unknown_type' },
      { index: 4, reason: 'not_an_object' },
      { index: 5, reason: 'missing_field:user_id' },
      { index: 7, reason: 'not_an_object' },
      { index: 8, reason: 'time_without_offset' },
    ]);
    // each rejection carries the event itself for the dead-letter topic
    for (const rejection of result.rejected) {
      expect(JSON.parse(rejection.text)).toEqual(elements[rejection.index]);
    }
  });

  it('NDJSON: index is the 0-based line number; unparseable line → invalid_json', () => {
    const lines = [
      lineOf(eventA), // 0
      '', // 1
      '{"id": "broken", ', // 2
      lineOf(eventB), // 3
      'null', // 4
      '"a string"', // 5
      lineOf({ ...eventC, score: 11 }), // 6
      '  ', // 7
      lineOf(eventC), // 8
      '[1, 2]', // 9
      'not json at all', // 10
      lineOf({ ...eventA, id: 'd', time: REF + TEN_MINUTES + 1 }), // 11
    ];
    for (const separator of ['\n', '\r\n']) {
      const result = validateBatch(lines.join(separator), REF, RECEIVED);
      expect(idsOf(result.accepted)).toEqual(['a', 'b', 'c']);
      expect(result.rejected.map(({ index, reason }) => ({ index, reason }))).toEqual([
        { index: 2, reason: 'invalid_json' },
        { index: 4, reason: 'not_an_object' },
        { index: 5, reason: 'not_an_object' },
        { index: 6, reason: 'invalid_value:score' },
        { index: 9, reason: 'not_an_object' },
        { index: 10, reason: 'invalid_json' },
        { index: 11, reason: 'time_in_future' },
      ]);
      for (const rejection of result.rejected) {
        expect(rejection.text).toContain((lines[rejection.index] ?? '').trim());
      }
    }
  });

  it('NDJSON whose first line is an array is still NDJSON (line 0 not_an_object)', () => {
    const body = ['[1]', lineOf(eventA)].join('\n');
    const result = validateBatch(body, REF, RECEIVED);
    expect(idsOf(result.accepted)).toEqual(['a']);
    expect(result.rejected.map(({ index, reason }) => ({ index, reason }))).toEqual([
      { index: 0, reason: 'not_an_object' },
    ]);
  });

  it.each(['[', '[{"id": "a"}, {', `[${lineOf(eventA)},]`, `[${lineOf(eventA)}] x`])(
    'an unparseable JSON array %j → invalid_json, nothing accepted',
    (body) => {
      const result = validateBatch(body, REF, RECEIVED);
      expect(result.accepted).toEqual([]);
      expect(result.rejected.map(({ reason }) => reason)).toEqual(['invalid_json']);
    },
  );

  it('a duplicate id is not an error', () => {
    const first = { ...eventA, id: 'dup' };
    const second = { ...eventB, id: 'dup' };
    const result = validateBatch([first, second].map(lineOf).join('\n'), REF, RECEIVED);
    expect(result.rejected).toEqual([]);
    expect(result.accepted[0]).toEqual(accept(first));
  });
});

describe('events larger than 65,536 bytes of UTF-8 → too_large', () => {
  /**
   * A valid event whose compact JSON text is exactly `bytes` bytes of UTF-8, padded mostly
   * with 'é' (2 bytes, 1 character) so that bytes and characters differ.
   */
  const eventOfBytes = (bytes: number, id: string): Input => {
    const base = { ...eventA, id, note: '' };
    const need = bytes - utf8Bytes(JSON.stringify(base));
    const note = 'é'.repeat(Math.floor(need / 2)) + (need % 2 === 1 ? 'a' : '');
    return { ...base, note };
  };
  const atLimit = eventOfBytes(MAX_EVENT_BYTES, 'at-limit');
  const overLimit = eventOfBytes(MAX_EVENT_BYTES + 1, 'over-limit');

  it('the fixtures are exactly at and just over the limit, with fewer characters than bytes', () => {
    expect(utf8Bytes(JSON.stringify(atLimit))).toBe(MAX_EVENT_BYTES);
    expect(utf8Bytes(JSON.stringify(overLimit))).toBe(MAX_EVENT_BYTES + 1);
    expect(JSON.stringify(overLimit).length).toBeLessThan(MAX_EVENT_BYTES / 2 + 1_000);
  });

  it('NDJSON: a line of exactly 65,536 bytes is accepted, 65,537 is too_large', () => {
    for (const separator of ['\n', '\r\n']) {
      const body = [eventB, atLimit, overLimit, eventC].map(lineOf).join(separator);
      const result = validateBatch(body, REF, RECEIVED);
      expect(idsOf(result.accepted)).toEqual(['b', 'at-limit', 'c']);
      expect(result.rejected.map(({ index, reason }) => ({ index, reason }))).toEqual([
        { index: 2, reason: 'too_large' },
      ]);
    }
  });

  it('NDJSON: a line of few characters but many bytes is too_large', () => {
    const note = emoji.repeat(20_000); // 40,000 UTF-16 units, 80,000 bytes
    const line = lineOf({ ...eventA, note });
    expect(line.length).toBeLessThan(MAX_EVENT_BYTES);
    const result = validateBatch(line, REF, RECEIVED);
    expect(result).toMatchObject({ accepted: [], rejected: [{ index: 0, reason: 'too_large' }] });
  });

  it.each([
    { label: 'compact', format: (elements: unknown[]) => JSON.stringify(elements) },
    { label: 'pretty-printed', format: (elements: unknown[]) => JSON.stringify(elements, null, 8) },
    {
      label: 'with \\u escapes',
      format: (elements: unknown[]) => JSON.stringify(elements).replace(/é/g, '\\u00e9'),
    },
  ])('JSON array ($label): measured on the element’s compact serialisation', ({ format }) => {
    const body = format([eventB, atLimit, overLimit, eventC]);
    const result = validateBatch(body, REF, RECEIVED);
    expect(idsOf(result.accepted)).toEqual(['b', 'at-limit', 'c']);
    expect(result.rejected.map(({ index, reason }) => ({ index, reason }))).toEqual([
      { index: 2, reason: 'too_large' },
    ]);
    expect(result.accepted[1]?.properties).toEqual({ note: atLimit['note'] });
  });
});

describe('mixed batch', () => {
  it('accepts the valid events and rejects the others with reasons, in order', () => {
    const elements: unknown[] = [
      raw('user.signed_up', { id: 'e0' }),
      raw('user.signed_up', { id: 'e1', plan: 'Enterprise' }),
      raw('ticket.replied', { id: 'e2', public: 'true' }),
      raw('ticket.replied', { id: 'e3', public: false, agent_id: 'ag' }),
      raw('subscription.cancelled', { id: 'e4', mrr_cents_lost: -5 }),
      raw('subscription.cancelled', { id: 'e5', reason: 'moved' }),
      raw('cta.shown', { id: 'e6', user_id: undefined }),
      raw('survey.answered', { id: 'e7', kind: 'ces', score: 7 }),
      raw('survey.answered', { id: 'e8', kind: 'ces', score: 8 }),
      raw('ticket.escalated', { id: 'e9', time: '1999-06-01T00:00:00Z' }),
      raw('ticket.reopened', { id: 'e10', account_id: '' }),
    ];
    for (const body of [JSON.stringify(elements), elements.map(lineOf).join('\n')]) {
      const result = validateBatch(body, REF, RECEIVED);
      expect(idsOf(result.accepted)).toEqual(['e0', 'e3', 'e5', 'e7']);
      expect(result.rejected.map(({ index, reason }) => ({ index, reason }))).toEqual([
        { index: 1, reason: 'invalid_value:plan' },
        { index: 2, reason: 'wrong_type:public' },
        { index: 4, reason: 'invalid_value:mrr_cents_lost' },
        { index: 6, reason: 'missing_field:user_id' },
        { index: 8, reason: 'invalid_value:score' },
        { index: 9, reason: 'time_too_old' },
        { index: 10, reason: 'invalid_value:account_id' },
      ]);
      expect(result.accepted.every((event) => event.received_at === RECEIVED)).toBe(true);
    }
  });
});
