import type { KpiEvent, KpiValues, MinutePoint } from '@kpiwall/shared';
import { createLocalCalendar } from './local-calendar.ts';
import { ProductUsage } from './product-usage.ts';
import { Support } from './support.ts';

/** Everything the wall shows, kept from deduplicated events and read "as of" any instant. */
export class LiveKpiState {
  readonly timeZone: string;
  readonly #productUsage: ProductUsage;
  readonly #support: Support;
  #retainedFromMs = Number.NEGATIVE_INFINITY;

  constructor(timeZone: string) {
    this.timeZone = timeZone;
    const calendar = createLocalCalendar(timeZone);
    this.#productUsage = new ProductUsage(calendar);
    this.#support = new Support(calendar);
  }

  apply(event: KpiEvent): void {
    this.#productUsage.apply(event);
    this.#support.apply(event);
  }

  kpis(asOfMs: number): KpiValues {
    return { ...this.#productUsage.kpis(asOfMs), ...this.#support.kpis(asOfMs) };
  }

  activeUsersPerMinute(asOfMs: number): MinutePoint[] {
    return this.#productUsage.activeUsersPerMinute(asOfMs);
  }

  /** The earliest as_of this state still answers exactly (the latest `forgetBefore`). */
  get retainedFromMs(): number {
    return this.#retainedFromMs;
  }

  /** Lets go of data no window ending at or after `asOfMs` can reach; call as the clock moves. */
  forgetBefore(asOfMs: number): void {
    this.#retainedFromMs = Math.max(this.#retainedFromMs, asOfMs);
    this.#productUsage.forgetBefore(asOfMs);
  }
}
