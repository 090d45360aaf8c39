import { kpiEventSchema, type DeadLetter, type KpiEvent } from '@kpiwall/shared';

/** The `events` table's type-specific columns, shared by the event types that have them. */
const typedColumns = [
  'plan',
  'session_id',
  'path',
  'feature',
  'step',
  'cta',
  'mrr_cents',
  'from_plan',
  'to_plan',
  'mrr_cents_before',
  'mrr_cents_after',
  'mrr_cents_lost',
  'reason',
  'ticket_id',
  'priority',
  'channel',
  'team',
  'author',
  'public',
  'agent_id',
  'kind',
  'score',
] as const;

export type EventRow = Record<string, string | number | boolean | null>;

/** ClickHouse DateTime64(3) text in UTC: `2026-11-20 17:00:00.123`. */
export const toDateTime64 = (timeMs: number): string =>
  new Date(timeMs).toISOString().replace('T', ' ').replace('Z', '');

export const fromDateTime64 = (text: string): number => Date.parse(`${text.replace(' ', 'T')}Z`);

export const eventToRow = (event: KpiEvent): EventRow => {
  const row: EventRow = {
    id: event.id,
    type: event.type,
    time: toDateTime64(event.time),
    account_id: event.account_id,
    user_id: event.user_id,
    received_at: toDateTime64(event.received_at),
    properties: JSON.stringify(event.properties),
  };
  const fields: Record<string, unknown> = event;
  for (const column of typedColumns) {
    const value = fields[column];
    row[column] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : null;
  }
  return row;
};

/** Inverse of eventToRow, validated: a row that is not a contract event throws. */
export const rowToEvent = (row: Record<string, unknown>): KpiEvent => {
  const event: Record<string, unknown> = {
    id: row['id'],
    type: row['type'],
    time: fromDateTime64(String(row['time'])),
    account_id: row['account_id'],
    user_id: row['user_id'],
    received_at: fromDateTime64(String(row['received_at'])),
    properties: JSON.parse(String(row['properties'])) as unknown,
  };
  for (const column of typedColumns) {
    const value = row[column];
    if (value !== null && value !== undefined) event[column] = value;
  }
  return kpiEventSchema.parse(event);
};

export const deadLetterToRow = (letter: DeadLetter): EventRow => ({
  received_at: toDateTime64(letter.received_at),
  reason: letter.reason,
  batch_index: letter.index,
  source: letter.source,
  text: letter.text,
});
