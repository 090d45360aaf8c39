import { z } from 'zod';

/**
 * The public event contract of ../DESIGN.md ("Event contract"), validated field by field so
 * that every rejection carries one machine-readable reason code. Fields outside the contract
 * are kept verbatim in `properties`.
 */

export const maxEventBytes = 65_536;
export const earliestEventTime = Date.UTC(2000, 0, 1);
export const maxFutureSkewMs = 10 * 60 * 1000;

const codePoints = (value: string): number => Array.from(value).length;

/** A string of `min`–`max` Unicode code points (zod's own length counts UTF-16 units). */
const codePointString = (min: number, max: number) =>
  z.string().refine((value) => {
    const length = codePoints(value);
    return length >= min && length <= max;
  });

const identifier = codePointString(1, 128);
const cents = z.int().nonnegative();
// Enums accept strings only, so a number is `wrong_type` and an unknown string `invalid_value`.
const stringEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.string().pipe(z.enum(values));

export const signupPlans = ['free', 'trial', 'paid'] as const;
export const ticketPriorities = ['low', 'normal', 'high', 'urgent'] as const;
export const ticketChannels = ['email', 'chat', 'phone', 'web'] as const;
export const replyAuthors = ['agent', 'requester', 'bot'] as const;
export const surveyKinds = ['csat', 'nps', 'ces'] as const;
export type TicketPriority = (typeof ticketPriorities)[number];
export type SurveyKind = (typeof surveyKinds)[number];

export const surveyScoreRange: Record<SurveyKind, { min: number; max: number }> = {
  csat: { min: 1, max: 5 },
  nps: { min: 0, max: 10 },
  ces: { min: 1, max: 7 },
};

/** Type-specific fields of every event type, in the order they are checked. */
const typeFieldShapes = {
  'user.signed_up': { plan: stringEnum(signupPlans) },
  'page.viewed': { session_id: identifier, path: codePointString(1, 2048) },
  'feature.used': { feature: identifier, session_id: identifier.optional() },
  'onboarding.step_completed': { step: identifier },
  'user.activated': {},
  'cta.shown': { cta: identifier },
  'cta.clicked': { cta: identifier },
  'subscription.started': { plan: identifier, mrr_cents: cents },
  'subscription.changed': {
    from_plan: identifier,
    to_plan: identifier,
    mrr_cents_before: cents,
    mrr_cents_after: cents,
  },
  'subscription.cancelled': { mrr_cents_lost: cents, reason: codePointString(1, 1024).optional() },
  'ticket.created': {
    ticket_id: identifier,
    priority: stringEnum(ticketPriorities),
    channel: stringEnum(ticketChannels),
    team: identifier.optional(),
  },
  'ticket.replied': {
    ticket_id: identifier,
    author: stringEnum(replyAuthors),
    public: z.boolean(),
    agent_id: identifier.optional(),
  },
  'ticket.escalated': { ticket_id: identifier, team: identifier.optional() },
  'ticket.solved': { ticket_id: identifier },
  'ticket.reopened': { ticket_id: identifier },
  'survey.answered': {
    kind: stringEnum(surveyKinds),
    score: z.int(),
    ticket_id: identifier.optional(),
  },
} as const satisfies Record<string, z.ZodRawShape>;

export type EventType = keyof typeof typeFieldShapes;
export const eventTypes = Object.keys(typeFieldShapes) as EventType[];

/** Kafka topic of each event type: product usage vs support; subscriptions go with product. */
export const topicOfEventType = (type: EventType): 'product' | 'support' =>
  type.startsWith('ticket.') || type === 'survey.answered' ? 'support' : 'product';

const envelopeShape = {
  id: identifier,
  time: z.int(),
  account_id: identifier,
  user_id: identifier.nullable(),
  received_at: z.int(),
  // Passed through as is: z.record would rebuild the object and drop a `__proto__` key.
  properties: z.custom<Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  ),
};

const eventSchemaOf = <T extends EventType>(type: T) =>
  z.strictObject({ ...envelopeShape, type: z.literal(type), ...typeFieldShapes[type] });

/**
 * A validated event as it travels from the collector to the aggregator and into ClickHouse:
 * `time` and `received_at` in epoch milliseconds, `user_id` null when absent, every field
 * outside the contract in `properties`. Strict: an unknown top-level key is an error.
 */
export const kpiEventSchema = z.discriminatedUnion('type', [
  eventSchemaOf('user.signed_up'),
  eventSchemaOf('page.viewed'),
  eventSchemaOf('feature.used'),
  eventSchemaOf('onboarding.step_completed'),
  eventSchemaOf('user.activated'),
  eventSchemaOf('cta.shown'),
  eventSchemaOf('cta.clicked'),
  eventSchemaOf('subscription.started'),
  eventSchemaOf('subscription.changed'),
  eventSchemaOf('subscription.cancelled'),
  eventSchemaOf('ticket.created'),
  eventSchemaOf('ticket.replied'),
  eventSchemaOf('ticket.escalated'),
  eventSchemaOf('ticket.solved'),
  eventSchemaOf('ticket.reopened'),
  eventSchemaOf('survey.answered'),
]);
export type KpiEvent = z.infer<typeof kpiEventSchema>;
export type KpiEventOf<T extends EventType> = Extract<KpiEvent, { type: T }>;

export type RejectionReason =
  | 'invalid_json'
  | 'not_an_object'
  | 'too_large'
  | 'unknown_type'
  | `missing_field:${string}`
  | `wrong_type:${string}`
  | `invalid_value:${string}`
  | 'time_without_offset'
  | 'time_too_old'
  | 'time_in_future';

export type EventValidation =
  { ok: true; event: KpiEvent } | { ok: false; reason: RejectionReason };

const rfc3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?$/;

type TimeParse = { ok: true; ms: number } | { ok: false; reason: RejectionReason };

/** RFC 3339 with an offset, or epoch milliseconds as a JSON integer; sub-millisecond digits are cut. */
export const parseEventTime = (value: unknown): TimeParse => {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value)
      ? { ok: true, ms: value }
      : { ok: false, reason: 'wrong_type:time' };
  }
  if (typeof value !== 'string') return { ok: false, reason: 'wrong_type:time' };
  const match = rfc3339.exec(value);
  if (!match) return { ok: false, reason: 'invalid_value:time' };
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  if (offset === undefined) return { ok: false, reason: 'time_without_offset' };
  const fields = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = fields;
  const millis = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(y, mo - 1, d, h, mi, s, millis);
  const roundTrip = new Date(local);
  const calendarValid =
    y >= 1 &&
    roundTrip.getUTCFullYear() === y &&
    roundTrip.getUTCMonth() === mo - 1 &&
    roundTrip.getUTCDate() === d &&
    h <= 23 &&
    mi <= 59 &&
    s <= 59;
  let offsetMinutes = 0;
  if (offset !== 'Z' && offset !== 'z') {
    const offsetHours = Number(offset.slice(1, 3));
    const offsetMins = Number(offset.slice(4, 6));
    if (offsetHours > 23 || offsetMins > 59) return { ok: false, reason: 'invalid_value:time' };
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  if (!calendarValid) return { ok: false, reason: 'invalid_value:time' };
  return { ok: true, ms: local - offsetMinutes * 60_000 };
};

const requiresUserId = (type: EventType): boolean =>
  type.startsWith('user.') ||
  type === 'page.viewed' ||
  type === 'feature.used' ||
  type === 'onboarding.step_completed' ||
  type.startsWith('cta.');

const isEventType = (value: string): value is EventType => Object.hasOwn(typeFieldShapes, value);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `wrong_type` for a value of the wrong JSON type, `invalid_value` for a right type out of range. */
const checkField = (
  record: Record<string, unknown>,
  field: string,
  schema: z.ZodType,
): RejectionReason | null => {
  const value = record[field];
  if (value === undefined) {
    return schema.safeParse(undefined).success ? null : `missing_field:${field}`;
  }
  const result = schema.safeParse(value);
  if (result.success) return null;
  const wrongType = result.error.issues.some((issue) => issue.code === 'invalid_type');
  return wrongType ? `wrong_type:${field}` : `invalid_value:${field}`;
};

const envelopeFields = new Set(['id', 'type', 'time', 'account_id', 'user_id']);

/**
 * Validates one parsed JSON value against the contract. `referenceTimeMs` is "now" for the
 * future-time rule (arrival time live, `--as-of` in a replay). The first failing rule wins, in
 * this order: object, type, id, time, account_id, user_id, then the type's fields.
 */
export const validateEvent = (
  input: unknown,
  referenceTimeMs: number,
  receivedAtMs: number,
): EventValidation => {
  if (!isPlainObject(input)) return { ok: false, reason: 'not_an_object' };
  const typeValue = input['type'];
  if (typeValue === undefined) return { ok: false, reason: 'missing_field:type' };
  if (typeof typeValue !== 'string') return { ok: false, reason: 'wrong_type:type' };
  if (!isEventType(typeValue)) return { ok: false, reason: 'unknown_type' };
  const type = typeValue;

  const idProblem = checkField(input, 'id', identifier);
  if (idProblem) return { ok: false, reason: idProblem };

  if (input['time'] === undefined) return { ok: false, reason: 'missing_field:time' };
  const time = parseEventTime(input['time']);
  if (!time.ok) return time;
  if (time.ms < earliestEventTime) return { ok: false, reason: 'time_too_old' };
  if (time.ms > referenceTimeMs + maxFutureSkewMs) return { ok: false, reason: 'time_in_future' };

  const accountProblem = checkField(input, 'account_id', identifier);
  if (accountProblem) return { ok: false, reason: accountProblem };
  const userSchema = requiresUserId(type) ? identifier : identifier.optional();
  const userProblem = checkField(input, 'user_id', userSchema);
  if (userProblem) return { ok: false, reason: userProblem };

  const shape: Record<string, z.ZodType> = typeFieldShapes[type];
  for (const [field, schema] of Object.entries(shape)) {
    const problem = checkField(input, field, schema);
    if (problem) return { ok: false, reason: problem };
  }
  if (type === 'survey.answered') {
    const range = surveyScoreRange[input['kind'] as SurveyKind];
    const score = input['score'] as number;
    if (score < range.min || score > range.max) {
      return { ok: false, reason: 'invalid_value:score' };
    }
  }

  const typed: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (envelopeFields.has(key)) continue;
    if (Object.hasOwn(shape, key)) typed[key] = value;
    // defineProperty, not assignment: a sender's `__proto__` field is data, not a prototype.
    else
      Object.defineProperty(properties, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  const event = kpiEventSchema.parse({
    ...typed,
    id: input['id'],
    type,
    time: time.ms,
    account_id: input['account_id'],
    user_id: input['user_id'] ?? null,
    received_at: receivedAtMs,
    properties,
  });
  return { ok: true, event };
};

/** One item of a batch body: its position and its text, parsed or rejected before validation. */
export type BatchItem =
  | { index: number; text: string; ok: true; value: unknown }
  | { index: number; text: string; ok: false; reason: 'invalid_json' | 'too_large' };

const utf8Bytes = (text: string): number => new TextEncoder().encode(text).byteLength;

const parseItem = (index: number, text: string): BatchItem => {
  if (utf8Bytes(text) > maxEventBytes) return { index, text, ok: false, reason: 'too_large' };
  try {
    return { index, text, ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { index, text, ok: false, reason: 'invalid_json' };
  }
};

/**
 * Splits a request body into events. A body starting with `[` is a JSON array (index = element
 * position; size measured on each element's compact serialisation); otherwise NDJSON (index =
 * 0-based line number; blank lines are skipped). A body starting with `[` that is not one
 * JSON array is read as NDJSON.
 */
export const splitBatch = (body: string): BatchItem[] => {
  const trimmed = body.trimStart();
  if (trimmed.startsWith('[')) {
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      // Not one JSON array: NDJSON whose first line happens to start with `[`.
    }
    if (Array.isArray(parsed))
      return parsed.map((element: unknown, index) => {
        const text = JSON.stringify(element);
        return utf8Bytes(text) > maxEventBytes
          ? { index, text, ok: false, reason: 'too_large' }
          : { index, text, ok: true, value: element };
      });
  }
  return splitNdjson(body);
};

/** NDJSON: one item per non-blank line, `index` = 0-based line number; a trailing `\r` is cut. */
export const splitNdjson = (body: string): BatchItem[] => {
  const items: BatchItem[] = [];
  body.split('\n').forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') return;
    items.push(parseItem(index, line));
  });
  return items;
};

/** A rejected batch item as it goes to the dead-letter sink. */
export type Rejection = { index: number; reason: RejectionReason; text: string };

export type BatchValidation = { accepted: KpiEvent[]; rejected: Rejection[] };

/** Validates split items; valid events of a mixed batch are accepted, order kept. */
export const validateItems = (
  items: readonly BatchItem[],
  referenceTimeMs: number,
  receivedAtMs: number,
): BatchValidation => {
  const accepted: KpiEvent[] = [];
  const rejected: Rejection[] = [];
  for (const item of items) {
    if (!item.ok) {
      rejected.push({ index: item.index, reason: item.reason, text: item.text });
      continue;
    }
    const result = validateEvent(item.value, referenceTimeMs, receivedAtMs);
    if (result.ok) accepted.push(result.event);
    else rejected.push({ index: item.index, reason: result.reason, text: item.text });
  }
  return { accepted, rejected };
};

/** Splits (array or NDJSON, see splitBatch) and validates a whole request body. */
export const validateBatch = (
  body: string,
  referenceTimeMs: number,
  receivedAtMs: number,
): BatchValidation => validateItems(splitBatch(body), referenceTimeMs, receivedAtMs);
