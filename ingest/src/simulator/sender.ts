import pRetry from 'p-retry';
import { collectorAnswerSchema, type CollectorAnswer } from '@kpiwall/shared';
import type { RawEvent } from './events.ts';

export interface SenderOptions {
  /** The collector's events endpoint, e.g. http://localhost:8080/v1/events. */
  readonly target: string;
  readonly fetch?: typeof globalThis.fetch;
  /** Backoff between attempts, doubling from `minMs` up to `maxMs`. */
  readonly backoff?: { readonly minMs: number; readonly maxMs: number };
  /** Stops retrying: the batch then fails. */
  readonly signal?: AbortSignal;
  /** Told about every failed attempt that will be retried. */
  readonly onRetry?: (attempt: number, error: Error) => void;
}

const defaultBackoff = { minMs: 200, maxMs: 10_000 };

/** A failure that retrying cannot fix (the collector refused the batch itself). */
export class BatchRefusedError extends Error {}

/**
 * POSTs one batch as NDJSON. Network errors, 5xx and 429 are retried with exponential backoff
 * until the collector answers or `signal` aborts, so no event is lost to a passing outage.
 * A 400 carrying the usual answer (every event rejected) is an answer, not a failure.
 */
export async function sendBatch(
  events: readonly RawEvent[],
  options: SenderOptions,
): Promise<CollectorAnswer> {
  const fetchBatch = options.fetch ?? globalThis.fetch;
  const backoff = options.backoff ?? defaultBackoff;
  const body = events.map((event) => JSON.stringify(event)).join('\n') + '\n';
  const attempt = async (): Promise<CollectorAnswer> => {
    let response: Response;
    let text: string;
    try {
      response = await fetchBatch(options.target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body,
        signal: options.signal ?? null,
      });
      text = await response.text();
    } catch (error) {
      // Wrapped so p-retry, which gives up at once on most TypeErrors, retries every network failure.
      throw new Error(`collector unreachable: ${String(error)}`, { cause: error });
    }
    if (response.ok || response.status === 400) return parseAnswer(response.status, text);
    const message = `collector answered ${response.status}: ${text.slice(0, 200)}`;
    if (response.status < 500 && response.status !== 429) throw new BatchRefusedError(message);
    throw new Error(message);
  };
  return pRetry(attempt, {
    retries: Number.POSITIVE_INFINITY,
    minTimeout: backoff.minMs,
    maxTimeout: backoff.maxMs,
    ...(options.signal ? { signal: options.signal } : {}),
    shouldRetry: ({ error }) => !(error instanceof BatchRefusedError),
    onFailedAttempt: ({ error, attemptNumber }) => {
      if (!(error instanceof BatchRefusedError)) options.onRetry?.(attemptNumber, error);
    },
  });
}

function parseAnswer(status: number, text: string): CollectorAnswer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const answer = collectorAnswerSchema.safeParse(json);
  if (!answer.success) {
    throw new BatchRefusedError(`collector answered ${status}: ${text.slice(0, 200)}`);
  }
  return answer.data;
}
