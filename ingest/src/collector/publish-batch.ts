import {
  topicOfEventType,
  topics,
  validateItems,
  type BatchItem,
  type BatchValidation,
  type DeadLetter,
  type Rejection,
} from '@kpiwall/shared';
import type { MessageProducer, ProducedMessage } from '../message-producer.ts';

/**
 * Validates split batch items and hands them on: valid events to their topic (keyed by account_id),
 * invalid ones to the dead-letter topic with their reason. Resolves once the producer says
 * all of it is durable. `referenceMs` is "now" for the future-time rule and the arrival time.
 * The collector's route and the replay CLI both ingest through here.
 */
export const publishBatch = async (
  producer: MessageProducer,
  items: readonly BatchItem[],
  referenceMs: number,
  source: string,
): Promise<BatchValidation> => {
  const validation = validateItems(items, referenceMs, referenceMs);
  const product: ProducedMessage[] = [];
  const support: ProducedMessage[] = [];
  for (const event of validation.accepted) {
    const message = { key: event.account_id, value: JSON.stringify(event) };
    if (topicOfEventType(event.type) === 'product') product.push(message);
    else support.push(message);
  }
  const deadLetters = validation.rejected.map((rejection) =>
    toDeadLetterMessage(rejection, referenceMs, source),
  );
  await Promise.all([
    producer.send(topics.product, product),
    producer.send(topics.support, support),
    producer.send(topics.deadLetter, deadLetters),
  ]);
  return validation;
};

const toDeadLetterMessage = (
  rejection: Rejection,
  receivedAt: number,
  source: string,
): ProducedMessage => {
  const letter: DeadLetter = {
    reason: rejection.reason,
    index: rejection.index,
    text: rejection.text,
    received_at: receivedAt,
    source,
  };
  return { key: rejection.reason, value: JSON.stringify(letter) };
};
