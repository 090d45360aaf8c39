import pRetry from 'p-retry';
import type { EventRow } from './event-rows.ts';

export type BatchWriterOptions = {
  insert: (rows: readonly EventRow[]) => Promise<void>;
  /** Flush as soon as this many rows wait. */
  maxRows: number;
  /** Flush rows that waited this long, however few. */
  flushIntervalMs: number;
  onRetry: (error: Error, attempt: number) => void;
};

type Waiting = { rows: EventRow[]; resolve: () => void; reject: (error: Error) => void };

/**
 * Batches inserts into one table by size and time. `write` resolves once its rows are in
 * ClickHouse; a failed insert is retried with backoff until it succeeds or the writer closes,
 * so callers can commit offsets on resolution. Inserts run one at a time, in write order.
 */
export class BatchWriter {
  readonly #options: BatchWriterOptions;
  #waiting: Waiting[] = [];
  #waitingRows = 0;
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();
  readonly #abort = new AbortController();

  constructor(options: BatchWriterOptions) {
    this.#options = options;
  }

  write(rows: EventRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    const written = new Promise<void>((resolve, reject) => {
      this.#waiting.push({ rows, resolve, reject });
    });
    this.#waitingRows += rows.length;
    if (this.#waitingRows >= this.#options.maxRows) this.#flush();
    else
      this.#timer ??= setTimeout(() => {
        this.#flush();
      }, this.#options.flushIntervalMs);
    return written;
  }

  /** Writes everything waiting; stops retrying whatever still fails after `graceMs`. */
  async close(graceMs: number): Promise<void> {
    this.#flush();
    const stop = setTimeout(() => {
      this.#abort.abort(new Error('writer closed before ClickHouse accepted the rows'));
    }, graceMs);
    await this.#flushing;
    clearTimeout(stop);
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#waiting;
    if (batch.length === 0) return;
    this.#waiting = [];
    this.#waitingRows = 0;
    const rows = batch.flatMap((waiting) => waiting.rows);
    this.#flushing = this.#flushing.then(async () => {
      try {
        // p-retry gives up at once on a TypeError; wrapping keeps every failure retryable, so
        // a fault stalls the pipeline (backpressure) instead of dropping rows.
        const insert = () =>
          this.#options.insert(rows).catch((error: unknown) => {
            throw new Error('ClickHouse insert failed', { cause: error });
          });
        await pRetry(insert, {
          retries: Number.POSITIVE_INFINITY,
          minTimeout: 200,
          maxTimeout: 10_000,
          signal: this.#abort.signal,
          onFailedAttempt: ({ error, attemptNumber }) => {
            this.#options.onRetry(
              error.cause instanceof Error ? error.cause : error,
              attemptNumber,
            );
          },
        });
        for (const waiting of batch) waiting.resolve();
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        for (const waiting of batch) waiting.reject(failure);
      }
    });
  }
}
