import { z } from 'zod';

/**
 * The "Product usage" KPIs of ../../KPIS.md. Calendar windows (`_today`, `_7d`, `_30d`) are
 * local days of the configured time zone; `_rolling_24h` is (as_of − 24 h, as_of].
 */

const count = z.int().nonnegative();
const percent = z.number().nonnegative().nullable();
const seconds = z.number().nonnegative().nullable();

/**
 * Feature → users with `feature.used` of it / active users × 100, for every feature used in
 * the window; never null (a user of the feature is active, so there is someone to divide by).
 */
export const featureAdoptionSchema = z.record(z.string(), z.number().nonnegative());

/** CTA → `cta.clicked` / `cta.shown` × 100 for every CTA shown or clicked; null when not shown. */
export const ctrSchema = z.record(z.string(), percent);

/** CTA → events in the window, for every CTA shown or clicked in it. */
export const ctaCountsSchema = z.record(
  z.string(),
  z.strictObject({ shown: count, clicked: count }),
);

export const productUsageKpisSchema = z.strictObject({
  dau: count,
  dau_rolling_24h: count,
  wau: count,
  mau: count,
  stickiness_dau_mau: percent,
  active_accounts_today: count,
  active_accounts_7d: count,
  active_accounts_30d: count,
  active_accounts_rolling_24h: count,
  feature_adoption_percent_today: featureAdoptionSchema,
  feature_adoption_percent_7d: featureAdoptionSchema,
  feature_adoption_percent_30d: featureAdoptionSchema,
  session_duration_median_seconds_today: seconds,
  session_duration_median_seconds_7d: seconds,
  session_duration_median_seconds_30d: seconds,
  session_duration_mean_seconds_today: seconds,
  session_duration_mean_seconds_7d: seconds,
  session_duration_mean_seconds_30d: seconds,
  /** Sessions whose last event (at or before as_of) is in the window. */
  sessions_ended_today: count,
  sessions_ended_7d: count,
  sessions_ended_30d: count,
  bounce_rate_percent_today: percent,
  bounce_rate_percent_7d: percent,
  bounce_rate_percent_30d: percent,
  ctr_percent_today: ctrSchema,
  ctr_percent_7d: ctrSchema,
  ctr_percent_30d: ctrSchema,
  cta_counts_today: ctaCountsSchema,
  cta_counts_7d: ctaCountsSchema,
  cta_counts_30d: ctaCountsSchema,
});

export type ProductUsageKpis = z.infer<typeof productUsageKpisSchema>;
export type CtaCounts = z.infer<typeof ctaCountsSchema>;
