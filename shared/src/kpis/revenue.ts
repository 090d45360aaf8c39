import { z } from 'zod';

/**
 * The "Revenue and retention" KPIs of KPIS.md, per account, over the rolling period of
 * 30 × 24 h ending at as_of (keys ending in `_30d` mean that period, not the calendar window).
 * Cents and counts are whole numbers; percentages 0–100 at full precision; null when there is
 * nothing to divide by.
 */

const count = z.int().nonnegative();
const cents = z.int().nonnegative();
const ratio = z.number().nullable();

/** The free-to-paid cohort of one start week. */
export const freeToPaidWeekSchema = z.strictObject({
  started: count,
  converted: count,
  /** converted / started × 100 (a listed week has started ≥ 1). */
  percent: z.number(),
});

export const revenueKpisSchema = z.strictObject({
  mrr_cents: cents,
  customers: count,
  arpa_cents: ratio,
  customers_at_period_start: count,
  mrr_at_period_start_cents: cents,
  churned_accounts_30d: count,
  churn_rate_percent: ratio,
  churn_rate_annualised_percent: ratio,
  new_customers_30d: count,
  retention_rate_percent: ratio,
  expansion_mrr_cents: cents,
  contraction_mrr_cents: cents,
  churned_mrr_cents: cents,
  gross_revenue_churn_percent: ratio,
  nrr_percent: ratio,
  free_to_paid_percent_30d: ratio,
  free_to_paid_median_seconds_to_convert: ratio,
  /**
   * Keyed by the local date (`YYYY-MM-DD`, configured time zone) of the Monday that starts the
   * ISO week of the free start; only weeks with at least one free start appear.
   */
  free_to_paid_by_start_week: z.record(z.iso.date(), freeToPaidWeekSchema),
  /** ARPA / (monthly churn rate / 100); null when churn is 0 or unknown, or there is no ARPA. */
  clv_cents: ratio,
});

export type FreeToPaidWeek = z.infer<typeof freeToPaidWeekSchema>;
export type RevenueKpis = z.infer<typeof revenueKpisSchema>;
