import { setTimeout as wait } from 'node:timers/promises';
import type { RawEvent } from './events.ts';

/** The collector's answer to one batch. */
export interface CollectorReply {
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: readonly { readonly index: number; readonly reason: string }[];
}

export interface SenderOptions {
  /** The collector's events endpoint, e.g. http://localhost:8080/v1/events. */
  readonly target: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** Stops retrying: the batch then fails. */
  readonly signal?: AbortSignal;
  /** Told about every failed attempt that will be retried. */
  readonly onRetry?: (attempt: number, error: Error) => void;
}

const firstBackoffMs = 200;
const maxBackoffMs = 10_000;

/** A failure that retrying cannot fix (the collector refused the batch itself). */
export class BatchRefusedError extends Error {}

/**
 * POSTs one batch as NDJSON. Network errors, 5xx and 429 are retried with exponential backoff
 * until the collector answers or `signal` aborts, so no event is lost to a passing outage.
 */
export async function sendBatch(
  events: readonly RawEvent[],
  options: SenderOptions,
): Promise<CollectorReply> {
  const fetchBatch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? defaultSleep;
  const body = events.map((event) => JSON.stringify(event)).join('\n') + '\n';
  for (let attempt = 1; ; attempt += 1) {
    let failure: Error;
    try {
      const response = await fetchBatch(options.target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body,
        signal: options.signal ?? null,
      });
      const text = await response.text();
      if (response.ok) return parseReply(text);
      failure = new Error(`collector answered ${response.status}: ${text.slice(0, 200)}`);
      if (response.status < 500 && response.status !== 429)
        throw new BatchRefusedError(failure.message);
    } catch (error) {
      if (error instanceof BatchRefusedError) throw error;
      failure = error instanceof Error ? error : new Error(String(error));
    }
    if (options.signal?.aborted === true) throw failure;
    options.onRetry?.(attempt, failure);
    await sleep(Math.min(maxBackoffMs, firstBackoffMs * 2 ** (attempt - 1)), options.signal);
  }
}

function parseReply(text: string): CollectorReply {
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    reply = undefined;
  }
  if (
    typeof reply !== 'object' ||
    reply === null ||
    !('accepted' in reply) ||
    typeof reply.accepted !== 'number' ||
    !('duplicates' in reply) ||
    typeof reply.duplicates !== 'number' ||
    !('rejected' in reply) ||
    !Array.isArray(reply.rejected)
  ) {
    throw new BatchRefusedError(`unexpected collector reply: ${text.slice(0, 200)}`);
  }
  const rejected = reply.rejected.map((entry: unknown) => ({
    index: isRecord(entry) && typeof entry['index'] === 'number' ? entry['index'] : -1,
    reason: isRecord(entry) && typeof entry['reason'] === 'string' ? entry['reason'] : 'unknown',
  }));
  return { accepted: reply.accepted, duplicates: reply.duplicates, rejected };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function defaultSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return wait(ms, undefined, signal === undefined ? {} : { signal });
}
