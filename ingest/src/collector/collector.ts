import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { splitBatch, type BatchValidation, type CollectorAnswer } from '@kpiwall/shared';
import { ProducerBusyError, type MessageProducer } from '../message-producer.ts';
import { publishBatch } from './publish-batch.ts';

export type CollectorOptions = {
  producer: MessageProducer;
  /** Arrival clock: the reference for `time_in_future` and the events' `received_at`. */
  now: () => number;
  maxBodyBytes: number;
  metrics: Registry;
};

/**
 * `POST /v1/events`: a JSON array or NDJSON body. Valid events go to their topic, invalid ones
 * to the dead-letter topic with their reason; the answer comes once both are durable, so a 200
 * means nothing of the batch can be lost. 413 over the body limit, 503 (retry) when the
 * pipeline is saturated.
 */
export const registerCollector = async (
  app: FastifyInstance,
  options: CollectorOptions,
): Promise<void> => {
  const received = new Counter({
    name: 'kpiwall_collector_events_total',
    help: 'Events received by the collector, by result and rejection reason',
    labelNames: ['result', 'reason'] as const,
    registers: [options.metrics],
  });

  await app.register((scope, _opts, done) => {
    // The body is read as text: batch splitting and size rules are per event (DESIGN.md).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: options.maxBodyBytes },
      (_request, body, parsed) => {
        parsed(null, body);
      },
    );

    scope.post('/v1/events', async (request, reply) => {
      const body = typeof request.body === 'string' ? request.body : '';
      let result: BatchValidation;
      try {
        result = await publishBatch(options.producer, splitBatch(body), options.now(), 'collector');
      } catch (error) {
        if (error instanceof ProducerBusyError) {
          request.log.warn({ err: error }, 'collector saturated; answered 503');
          return reply.code(503).header('retry-after', '1').send({ error: 'busy_retry_later' });
        }
        throw error;
      }
      const { accepted, rejected } = result;
      received.inc({ result: 'accepted', reason: '' }, accepted.length);
      for (const rejection of rejected) {
        received.inc({ result: 'rejected', reason: rejection.reason });
      }
      const answer: CollectorAnswer = {
        accepted: accepted.length,
        rejected: rejected.map(({ index, reason }) => ({ index, reason })),
      };
      return reply.code(accepted.length === 0 && rejected.length > 0 ? 400 : 200).send(answer);
    });
    done();
  });
};
