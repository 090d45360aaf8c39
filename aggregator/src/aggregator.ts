import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import {
  deadLetterSchema,
  kpiEventSchema,
  topics,
  type DeadLetter,
  type KpiEvent,
} from '@kpiwall/shared';
import { LiveKpiState } from './kpi/live-kpis.ts';
import type { EventSource, SourceBatch, SourceMessage } from './source/event-source.ts';
import { BatchWriter } from './store/batch-writer.ts';
import type { ClickHouseStore } from './store/clickhouse.ts';
import { deadLetterToRow, eventToRow } from './store/event-rows.ts';

export type AggregatorOptions = {
  source: EventSource;
  store: ClickHouseStore;
  timeZone: string;
  writerMaxRows: number;
  writerFlushMs: number;
  now: () => number;
  logger: Logger;
  metrics: Registry;
};

/**
 * Reads batches from the event source and runs each message through
 * parse → dedup by id → apply to the live KPI state → batch-write to ClickHouse, and tells the
 * source it may commit a batch only when the ClickHouse writes of all its rows resolved
 * (at-least-once delivery, effectively-once results: DESIGN.md "Delivery").
 *
 * Dedup comes before the state: the first event received with an id is the one that counts.
 * The ids seen are kept in memory and rebuilt from the `events` table on start, so a message
 * redelivered after a crash is dropped as a duplicate only if its first copy was stored.
 */
export class Aggregator {
  readonly state: LiveKpiState;
  readonly #options: AggregatorOptions;
  readonly #seenIds = new Set<string>();
  readonly #eventWriter: BatchWriter;
  readonly #deadLetterWriter: BatchWriter;
  readonly #processed: Counter<'result'>;
  #version = 0;

  constructor(options: AggregatorOptions) {
    this.#options = options;
    this.state = new LiveKpiState(options.timeZone);
    const writer = (table: 'events' | 'dead_letters') =>
      new BatchWriter({
        insert: (rows) => options.store.insert(table, rows),
        maxRows: options.writerMaxRows,
        flushIntervalMs: options.writerFlushMs,
        onRetry: (error, attempt) => {
          options.logger.warn({ err: error, table, attempt }, 'ClickHouse insert failed; retrying');
        },
      });
    this.#eventWriter = writer('events');
    this.#deadLetterWriter = writer('dead_letters');
    const seenIds = this.#seenIds;
    this.#processed = new Counter({
      name: 'kpiwall_aggregator_messages_total',
      help: 'Messages processed by the aggregator: counted, duplicate (id seen before) or dead_letter',
      labelNames: ['result'] as const,
      registers: [options.metrics],
    });
    new Gauge({
      name: 'kpiwall_aggregator_known_event_ids',
      help: 'Event ids held in memory for deduplication',
      registers: [options.metrics],
      collect() {
        this.set(seenIds.size);
      },
    });
  }

  /** Increases whenever an event changed the state; lets the wall skip recomputing. */
  get version(): number {
    return this.#version;
  }

  /** Messages processed so far: counted, duplicate (id seen before), dead_letter. */
  async messageCounts(): Promise<Record<'counted' | 'duplicate' | 'dead_letter', number>> {
    const counts = { counted: 0, duplicate: 0, dead_letter: 0 };
    for (const { labels, value } of (await this.#processed.get()).values) {
      const result = labels.result;
      if (result === 'counted' || result === 'duplicate' || result === 'dead_letter') {
        counts[result] = value;
      }
    }
    return counts;
  }

  /** Rebuilds state and known ids from ClickHouse; call before `start`. */
  async restore(): Promise<number> {
    let restored = 0;
    for await (const page of this.#options.store.storedEvents()) {
      for (const event of page) this.#count(event);
      restored += page.length;
    }
    return restored;
  }

  start(): void {
    this.#options.source.start((batch) => this.#handle(batch));
  }

  /** Stops reading, then writes what is buffered (giving ClickHouse `graceMs` to accept it). */
  async stop(graceMs: number): Promise<void> {
    await Promise.all([
      this.#options.source.stop(),
      this.#eventWriter.close(graceMs),
      this.#deadLetterWriter.close(graceMs),
    ]);
  }

  #handle(batch: SourceBatch): Promise<void> {
    const arrived: KpiEvent[] = [];
    const deadLetters: DeadLetter[] = [];
    for (const message of batch.messages) {
      const parsed = parseMessage(batch, message, this.#options.now());
      if (parsed.kind === 'dead_letter') {
        deadLetters.push(parsed.letter);
        this.#processed.inc({ result: 'dead_letter' });
      } else {
        arrived.push(parsed.event);
      }
    }
    // Applied in (received_at, id) order, the order `restore` and the ClickHouse views use, so
    // "ties go to the later arrival" means the same live, after a restart and in SQL. The sort
    // is stable: of two copies of one id in a batch, the first sent still counts.
    arrived.sort(
      (a, b) => a.received_at - b.received_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    const events: KpiEvent[] = [];
    for (const event of arrived) {
      if (this.#seenIds.has(event.id)) {
        this.#processed.inc({ result: 'duplicate' });
      } else {
        this.#count(event);
        events.push(event);
        this.#processed.inc({ result: 'counted' });
      }
    }
    return Promise.all([
      this.#eventWriter.write(events.map(eventToRow)),
      this.#deadLetterWriter.write(deadLetters.map(deadLetterToRow)),
    ]).then(() => undefined);
  }

  #count(event: KpiEvent): void {
    this.#seenIds.add(event.id);
    this.state.apply(event);
    this.#version++;
  }
}

/** An event, or a dead letter: the dead-letter topic's own messages, or a message that fails its schema. */
const parseMessage = (
  batch: SourceBatch,
  message: SourceMessage,
  nowMs: number,
): { kind: 'event'; event: KpiEvent } | { kind: 'dead_letter'; letter: DeadLetter } => {
  let value: unknown;
  try {
    value = JSON.parse(message.value);
  } catch {
    value = undefined;
  }
  if (batch.topic === topics.deadLetter) {
    const letter = deadLetterSchema.safeParse(value);
    if (letter.success) return { kind: 'dead_letter', letter: letter.data };
  } else {
    const event = kpiEventSchema.safeParse(value);
    if (event.success) return { kind: 'event', event: event.data };
  }
  const letter: DeadLetter = {
    reason: `invalid_message:${batch.topic}`,
    index: message.offset,
    text: message.value,
    received_at: nowMs,
    source: 'aggregator',
  };
  return { kind: 'dead_letter', letter };
};
