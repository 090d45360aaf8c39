import { setTimeout as wait } from 'node:timers/promises';
import { DeliveryStats, type DeliveryReport } from './delivery-stats.ts';
import type { RawEvent } from './events.ts';
import type { LiveSimulation } from './live.ts';
import { sendBatch } from './sender.ts';

export interface CollectorStreamOptions {
  readonly target: string;
  /** Events per POST. */
  readonly batch: number;
  /** How long to run live (ms); undefined runs until `stop`. */
  readonly liveDurationMs: number | undefined;
  /** Ends generation; what is already generated is still delivered. */
  readonly stop: AbortSignal;
  /** Gives up on delivery too (a second interrupt). */
  readonly abort: AbortSignal;
  readonly log: (line: object) => void;
  readonly fetch?: typeof globalThis.fetch;
}

const tickMs = 100;
// A partly filled batch waits at most this long, so a low rate still shows up live.
const flushIntervalMs = 1_000;
const reportIntervalMs = 5_000;

/**
 * Sends the backfill as fast as the collector takes it, then live events as they happen,
 * printing the achieved rate every few seconds.
 */
export async function streamToCollector(
  simulation: LiveSimulation,
  options: CollectorStreamOptions,
): Promise<void> {
  const stats = new DeliveryStats(Date.now());
  let phase: DeliveryReport['phase'] = 'backfill';
  const reporter = setInterval(() => {
    options.log(stats.report(Date.now(), phase));
  }, reportIntervalMs);

  const deliver = async (events: readonly RawEvent[]) => {
    for (let from = 0; from < events.length; from += options.batch) {
      const batch = events.slice(from, from + options.batch);
      const reply = await sendBatch(batch, {
        target: options.target,
        signal: options.abort,
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        onRetry: (attempt, error) => {
          stats.recordRetry();
          options.log({ msg: 'simulator', level: 'warn', retry: attempt, error: error.message });
        },
      });
      stats.recordBatch(batch.length, reply);
    }
  };

  try {
    for (const chunk of simulation.backfill()) {
      await deliver(chunk.events);
      options.log({
        msg: 'simulator backfill',
        until: new Date(chunk.until).toISOString(),
        events: chunk.events.length,
        sent: stats.sentCount,
      });
      if (options.stop.aborted) return;
    }

    phase = 'live';
    const endAt =
      options.liveDurationMs === undefined ? Infinity : Date.now() + options.liveDurationMs;
    let buffered: RawEvent[] = [];
    let lastFlush = Date.now();
    while (!options.stop.aborted) {
      const now = Math.min(Date.now(), endAt);
      buffered = buffered.concat(simulation.advance(now));
      if (buffered.length >= options.batch || now - lastFlush >= flushIntervalMs || now >= endAt) {
        await deliver(buffered);
        buffered = [];
        lastFlush = now;
      }
      if (now >= endAt) break;
      await pause(tickMs, options.stop);
    }
    await deliver(buffered);
  } finally {
    clearInterval(reporter);
    options.log(stats.report(Date.now(), phase));
  }
}

/** Waits `ms`, or less when `signal` aborts. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await wait(ms, undefined, { signal });
  } catch {
    // Aborted: the caller checks the signal.
  }
}
