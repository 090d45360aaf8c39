import type { MessageProducer, ProducedMessage } from '@kpiwall/ingest';
import { ProducerBusyError } from '@kpiwall/ingest';
import type { Topic } from '@kpiwall/shared';
import type { EventSource, SourceBatch, SourceMessage } from './event-source.ts';

type Waiter = { lastOffset: number; resolve: () => void };

type Partition = {
  topic: Topic;
  /** Messages not yet committed, oldest first; the first has offset `committed`. */
  pending: SourceMessage[];
  committed: number;
  nextOffset: number;
  /** How many of `pending` have been handed out. */
  delivered: number;
  inFlight: Promise<void>[];
  waiters: Waiter[];
};

export type InProcessQueueOptions = {
  /** Messages held (delivered but uncommitted included) before `send` refuses with ProducerBusyError. */
  capacity: number;
  maxBatchMessages: number;
  /** Batches handed out per topic before earlier ones are committed. */
  maxBatchesInFlight: number;
  /** Wait before delivering again after a batch failed. */
  redeliveryDelayMs: number;
};

/**
 * Embedded mode's stand-in for Kafka: one partition per topic, in memory, with the same
 * produce / consume-batch / commit-after-durable contract as the Kafka adapter. `send` resolves
 * when the consumer committed the messages, which here means they are in ClickHouse.
 */
export class InProcessQueue implements MessageProducer, EventSource {
  readonly #options: InProcessQueueOptions;
  readonly #partitions = new Map<Topic, Partition>();
  #handle: ((batch: SourceBatch) => Promise<void>) | null = null;
  #held = 0;

  constructor(options: InProcessQueueOptions) {
    this.#options = options;
  }

  /** Messages sent but not yet committed. */
  get depth(): number {
    return this.#held;
  }

  send(topic: Topic, messages: readonly ProducedMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (this.#held + messages.length > this.#options.capacity) {
      return Promise.reject(
        new ProducerBusyError(`in-process queue full (${this.#held} messages held)`),
      );
    }
    const partition = this.#partition(topic);
    for (const message of messages) {
      partition.pending.push({ offset: partition.nextOffset++, ...message });
    }
    this.#held += messages.length;
    const lastOffset = partition.nextOffset - 1;
    const durable = new Promise<void>((resolve) => {
      partition.waiters.push({ lastOffset, resolve });
    });
    this.#dispatch(partition);
    return durable;
  }

  start(handle: (batch: SourceBatch) => Promise<void>): void {
    this.#handle = handle;
    for (const partition of this.#partitions.values()) this.#dispatch(partition);
  }

  async stop(): Promise<void> {
    this.#handle = null;
    await Promise.allSettled([...this.#partitions.values()].flatMap((p) => p.inFlight));
  }

  #partition(topic: Topic): Partition {
    let partition = this.#partitions.get(topic);
    if (!partition) {
      partition = {
        topic,
        pending: [],
        committed: 0,
        nextOffset: 0,
        delivered: 0,
        inFlight: [],
        waiters: [],
      };
      this.#partitions.set(topic, partition);
    }
    return partition;
  }

  #dispatch(partition: Partition): void {
    const handle = this.#handle;
    if (!handle) return;
    while (
      partition.delivered < partition.pending.length &&
      partition.inFlight.length < this.#options.maxBatchesInFlight
    ) {
      const messages = partition.pending.slice(
        partition.delivered,
        partition.delivered + this.#options.maxBatchMessages,
      );
      partition.delivered += messages.length;
      const previous = partition.inFlight.at(-1) ?? Promise.resolve();
      const done = handle({ topic: partition.topic, partition: 0, messages });
      // Commit strictly in order: this batch commits only after every earlier one did.
      const committed = Promise.all([previous, done]).then(() => {
        this.#commit(partition, messages.length);
      });
      partition.inFlight.push(committed);
      void committed.then(
        () => {
          // Batches settle in order, so the one that just committed is the oldest in flight.
          void partition.inFlight.shift();
          this.#dispatch(partition);
        },
        () => {
          this.#rewind(partition);
        },
      );
    }
  }

  #commit(partition: Partition, count: number): void {
    partition.pending.splice(0, count);
    partition.delivered -= count;
    partition.committed += count;
    this.#held -= count;
    const stillWaiting: Waiter[] = [];
    for (const waiter of partition.waiters) {
      if (waiter.lastOffset < partition.committed) waiter.resolve();
      else stillWaiting.push(waiter);
    }
    partition.waiters = stillWaiting;
  }

  /** A batch failed: once everything in flight settled, deliver again from the first uncommitted. */
  #rewind(partition: Partition): void {
    void Promise.allSettled(partition.inFlight).then(() => {
      partition.inFlight = [];
      partition.delivered = 0;
      setTimeout(() => {
        this.#dispatch(partition);
      }, this.#options.redeliveryDelayMs);
    });
  }
}
