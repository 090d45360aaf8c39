import type { Topic } from '@kpiwall/shared';

export type SourceMessage = { offset: number; key: string; value: string };

/** Messages of one topic partition, in offset order. */
export type SourceBatch = { topic: Topic; partition: number; messages: readonly SourceMessage[] };

/**
 * Where the aggregator reads messages from: the in-process queue (embedded mode) or a Kafka
 * consumer group. Contract: batches of a partition are handed to `handle` in offset order, and
 * a batch's offsets are committed only after the promise `handle` returned for it — and for
 * every earlier batch of that partition — resolved. A rejected batch is delivered again.
 */
export interface EventSource {
  start(handle: (batch: SourceBatch) => Promise<void>): void;
  /** Stops delivering and waits for batches in flight to settle. */
  stop(): Promise<void>;
}
