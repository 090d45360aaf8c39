// Unit tests for the events-table row mapping, written from DESIGN.md "Event contract" (every
// field, including everything outside the contract kept verbatim in `properties`, must survive
// storage) and "Delivery" (ClickHouse is the shared truth: what is read back must be the event
// that was written). Times are DateTime64(3) text in UTC, millisecond precision.
import { describe, expect, it } from 'vitest';
import { eventTypes, kpiEventSchema, type EventType, type KpiEvent } from '@kpiwall/shared';
import { eventToRow, fromDateTime64, rowToEvent, toDateTime64 } from './event-rows.ts';

const TIME = Date.UTC(2026, 10, 20, 17, 0, 0, 123); // 2026-11-20T17:00:00.123Z
const RECEIVED = Date.UTC(2026, 10, 20, 17, 0, 5, 7); // 2026-11-20T17:00:05.007Z

/** Every type with all its optional fields set (and zero / false where a field allows it). */
const fullFields: Record<EventType, Record<string, unknown>> = {
  'user.signed_up': { plan: 'trial' },
  'page.viewed': { session_id: 'sess-1', path: '/pricing?x=1' },
  'feature.used': { feature: 'export_csv', session_id: 'sess-1' },
  'onboarding.step_completed': { step: 'profile_completed' },
  'user.activated': {},
  'cta.shown': { cta: 'upgrade_banner' },
  'cta.clicked': { cta: 'upgrade_banner' },
  'subscription.started': { plan: 'free', mrr_cents: 0 },
  'subscription.changed': {
    from_plan: 'pro',
    to_plan: 'team',
    mrr_cents_before: 4_900,
    mrr_cents_after: 0,
  },
  'subscription.cancelled': { mrr_cents_lost: 9_900, reason: 'too expensive' },
  'ticket.created': { ticket_id: 'T-1', priority: 'urgent', channel: 'chat', team: 'billing' },
  'ticket.replied': { ticket_id: 'T-1', author: 'agent', public: false, agent_id: 'ag-7' },
  'ticket.escalated': { ticket_id: 'T-1', team: 'tier2' },
  'ticket.solved': { ticket_id: 'T-1' },
  'ticket.reopened': { ticket_id: 'T-1' },
  'survey.answered': { kind: 'nps', score: 0, ticket_id: 'T-1' },
};

/** Every type with only its required fields. */
const minimalFields: Record<EventType, Record<string, unknown>> = {
  ...fullFields,
  'feature.used': { feature: 'export_csv' },
  'subscription.cancelled': { mrr_cents_lost: 9_900 },
  'ticket.created': { ticket_id: 'T-1', priority: 'low', channel: 'email' },
  'ticket.replied': { ticket_id: 'T-1', author: 'bot', public: true },
  'ticket.escalated': { ticket_id: 'T-1' },
  'survey.answered': { kind: 'csat', score: 5 },
};

const needsUser = (type: EventType): boolean =>
  type.startsWith('user.') ||
  type.startsWith('cta.') ||
  ['page.viewed', 'feature.used', 'onboarding.step_completed'].includes(type);

const eventOf = (
  type: EventType,
  fields: Record<string, unknown>,
  properties: Record<string, unknown> = {},
): KpiEvent =>
  kpiEventSchema.parse({
    id: `evt-${type}`,
    type,
    time: TIME,
    account_id: 'acme',
    user_id: needsUser(type) ? 'u-1' : null,
    received_at: RECEIVED,
    properties,
    ...fields,
  });

describe('eventToRow / rowToEvent', () => {
  it('covers all 16 event types of the contract', () => {
    expect(eventTypes).toHaveLength(16);
    expect(Object.keys(fullFields).sort()).toEqual([...eventTypes].sort());
  });

  it.each(eventTypes)('round-trips %s with every optional field set', (type) => {
    const event = eventOf(type, fullFields[type], { client: 'ios', build: 42 });
    expect(rowToEvent(eventToRow(event))).toEqual(event);
  });

  it.each(eventTypes)('round-trips %s with only its required fields', (type) => {
    const event = eventOf(type, minimalFields[type]);
    const back = rowToEvent(eventToRow(event));
    expect(back).toEqual(event);
    // An absent optional field stays absent (not null, not an empty string).
    expect(Object.keys(back).sort()).toEqual(Object.keys(event).sort());
  });

  it('round-trips a support event with a user_id', () => {
    const event = kpiEventSchema.parse({
      ...eventOf('ticket.created', fullFields['ticket.created']),
      user_id: 'requester-9',
    });
    expect(rowToEvent(eventToRow(event))).toEqual(event);
  });

  it('keeps properties verbatim: nested values, unicode, and a field named "properties"', () => {
    const properties: Record<string, unknown> = {
      properties: { nested: true },
      list: [1, 'two', null, { three: 3 }],
      text: 'Grüße 👋 "quoted" \\ back',
      empty: {},
      zero: 0,
      no: false,
      nothing: null,
    };
    const event = eventOf('page.viewed', fullFields['page.viewed'], properties);
    const back = rowToEvent(eventToRow(event));
    expect(back.properties).toEqual(properties);
    expect(back).toEqual(event);
  });

  it('keeps a sender’s "__proto__" field as data', () => {
    const properties = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<
      string,
      unknown
    >;
    const event = eventOf('feature.used', fullFields['feature.used'], properties);
    const back = rowToEvent(eventToRow(event));
    expect(Object.hasOwn(back.properties, '__proto__')).toBe(true);
    expect(JSON.stringify(back.properties)).toBe('{"__proto__":{"polluted":true},"a":1}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('stores times as DateTime64(3) text in UTC', () => {
    const row = eventToRow(eventOf('page.viewed', fullFields['page.viewed']));
    expect(row['time']).toBe('2026-11-20 17:00:00.123');
    expect(row['received_at']).toBe('2026-11-20 17:00:05.007');
  });

  it('refuses a row that is not a contract event', () => {
    const row = eventToRow(eventOf('ticket.created', fullFields['ticket.created']));
    expect(() => rowToEvent({ ...row, priority: 'critical' })).toThrow();
    expect(() => rowToEvent({ ...row, type: 'ticket.deleted' })).toThrow();
  });
});

describe('toDateTime64 / fromDateTime64', () => {
  // Hand-written DateTime64(3) text of each instant (UTC, always three fraction digits).
  it.each([
    { ms: Date.UTC(2026, 10, 20, 17, 0, 0, 123), text: '2026-11-20 17:00:00.123' },
    { ms: Date.UTC(2000, 0, 1, 0, 0, 0, 0), text: '2000-01-01 00:00:00.000' },
    { ms: Date.UTC(2026, 2, 29, 1, 0, 0, 1), text: '2026-03-29 01:00:00.001' },
    { ms: Date.UTC(2026, 11, 31, 23, 59, 59, 999), text: '2026-12-31 23:59:59.999' },
    { ms: Date.UTC(2028, 1, 29, 12, 30, 45, 10), text: '2028-02-29 12:30:45.010' },
    { ms: 0, text: '1970-01-01 00:00:00.000' },
  ])('$ms ⇄ $text', ({ ms, text }) => {
    expect(toDateTime64(ms)).toBe(text);
    expect(fromDateTime64(text)).toBe(ms);
  });

  it('round-trips every millisecond of a second', () => {
    const start = Date.UTC(2026, 10, 20, 17, 0, 0, 0);
    for (let ms = start; ms < start + 1_000; ms++) {
      expect(fromDateTime64(toDateTime64(ms))).toBe(ms);
    }
  });
});
