import type { AllKpis, FiredHealthSignal, KpiEvent, KpiValues, MinutePoint } from '@kpiwall/shared';
import { Health } from './health.ts';
import { createLocalCalendar } from './local-calendar.ts';
import { Onboarding } from './onboarding.ts';
import { ProductUsage } from './product-usage.ts';
import { Revenue } from './revenue.ts';
import { Support } from './support.ts';

/** Every KPI of ../KPIS.md, kept from deduplicated events and read "as of" any instant. */
export class LiveKpiState {
  readonly timeZone: string;
  readonly #productUsage: ProductUsage;
  readonly #support: Support;
  readonly #onboarding: Onboarding;
  readonly #revenue: Revenue;
  readonly #health = new Health();
  #retainedFromMs = Number.NEGATIVE_INFINITY;

  constructor(timeZone: string) {
    this.timeZone = timeZone;
    const calendar = createLocalCalendar(timeZone);
    this.#productUsage = new ProductUsage(calendar);
    this.#support = new Support(calendar);
    this.#onboarding = new Onboarding(calendar);
    this.#revenue = new Revenue(calendar);
  }

  apply(event: KpiEvent): void {
    this.#productUsage.apply(event);
    this.#support.apply(event);
    this.#onboarding.apply(event);
    this.#revenue.apply(event);
    this.#health.apply(event);
  }

  /** Every KPI (GET /api/kpis, replay). */
  kpis(asOfMs: number): AllKpis {
    return {
      ...this.#productUsage.kpis(asOfMs),
      ...this.#support.kpis(asOfMs),
      ...this.#onboarding.kpis(asOfMs),
      ...this.#revenue.kpis(asOfMs),
      ...this.#health.kpis(asOfMs),
    };
  }

  /** The wall's tiles only: cheap enough for every Socket.IO tick. */
  wallKpis(asOfMs: number): KpiValues {
    const support = this.#support.kpis(asOfMs);
    return {
      ...this.#productUsage.wallKpis(asOfMs),
      tickets_waiting_first_reply: support.tickets_waiting_first_reply,
      oldest_waiting_seconds: support.oldest_waiting_seconds,
      frt_median_seconds_today: support.frt_median_seconds_today,
      frt_p90_seconds_today: support.frt_p90_seconds_today,
      backlog_open: support.backlog_open,
    };
  }

  /** Health signals firing as of an instant, per account. */
  firedHealthSignals(asOfMs: number): FiredHealthSignal[] {
    return this.#health.firedSignals(asOfMs);
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
    this.#health.forgetBefore(asOfMs);
    this.#support.forgetBefore(asOfMs);
  }
}
