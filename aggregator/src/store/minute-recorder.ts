import type { Logger } from 'pino';
import type { AllKpis, FiredHealthSignal } from '@kpiwall/shared';
import { minuteMs, minuteOf } from '../kpi/local-calendar.ts';
import { signalTransitions, snapshotValues } from '../kpi/minute-record.ts';
import type { ClickHouseStore } from './clickhouse.ts';
import { toDateTime64 } from './event-rows.ts';

export type MinuteRecorderOptions = {
  store: ClickHouseStore;
  timeZone: string;
  kpis: (asOfMs: number) => AllKpis;
  firedHealthSignals: (asOfMs: number) => FiredHealthSignal[];
  now: () => number;
  logger: Logger;
};

/**
 * Once a minute writes what the wall showed into `kpi_snapshots` and the health signals that
 * started or stopped firing into `health_signal_firings`. A failed write is logged and that
 * minute's snapshot is skipped: snapshots are history for engineers, not the source of truth.
 */
export class MinuteRecorder {
  readonly #options: MinuteRecorderOptions;
  readonly #firing = new Map<string, { account_id: string; signal: string; weight: number }>();
  #timer: NodeJS.Timeout | null = null;

  constructor(options: MinuteRecorderOptions) {
    this.#options = options;
  }

  /** Picks up which signals were firing when the last process stopped. */
  async restore(): Promise<void> {
    const rows = await this.#options.store.query<{
      account_id: string;
      signal: string;
      weight: number;
    }>(
      `SELECT account_id, signal, argMax(weight, at) AS weight
       FROM health_signal_firings
       GROUP BY account_id, signal
       HAVING argMax(state, at) = 'fired'`,
    );
    for (const row of rows) this.#firing.set(`${row.account_id}\u0000${row.signal}`, row);
  }

  start(): void {
    const untilNextMinute = minuteOf(this.#options.now()) + minuteMs - this.#options.now();
    this.#timer = setTimeout(() => {
      void this.record();
      this.#timer = setInterval(() => void this.record(), minuteMs);
    }, untilNextMinute);
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async record(): Promise<void> {
    const { store, timeZone, logger } = this.#options;
    const asOf = this.#options.now();
    try {
      const snapshot = snapshotValues(this.#options.kpis(asOf)).map(({ key, value }) => ({
        minute: Math.floor(minuteOf(asOf) / 1000),
        as_of: toDateTime64(asOf),
        tz: timeZone,
        key,
        value,
      }));
      const transitions = signalTransitions(
        this.#firing,
        this.#options.firedHealthSignals(asOf),
      ).map((transition) => ({ ...transition, at: toDateTime64(asOf) }));
      await store.insert('kpi_snapshots', snapshot);
      await store.insert('health_signal_firings', transitions);
    } catch (error) {
      logger.warn({ err: error }, 'minute snapshot not written; see README "ClickHouse"');
    }
  }
}
