import type { Topic } from '@kpiwall/shared';

export type ProducedMessage = { key: string; value: string };

/**
 * Where the collector hands messages on: the in-process queue (embedded mode) or Kafka.
 * `send` resolves once the messages are durable — for the in-process queue, once the consumer
 * has written them to ClickHouse and committed; for Kafka, once the brokers acknowledged them.
 */
export interface MessageProducer {
  send(topic: Topic, messages: readonly ProducedMessage[]): Promise<void>;
}

/** Thrown by `send` when the producer cannot take more right now; the caller should retry later. */
export class ProducerBusyError extends Error {
  override readonly name = 'ProducerBusyError';
}
